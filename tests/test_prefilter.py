"""The pre-filter before embedding: text the codebook cannot touch is scored lexically only, not embedded."""

import numpy as np

from tests.test_classify import BOOK, OFF_TOPIC, PLANTED, _folder
from weerbaar.classify.pipeline import _texts_and_vectors, analyse_workspace
from weerbaar.classify.prefilter import Prefilter
from weerbaar.index.analysis import stems
from weerbaar.ingest.pipeline import ingest_paths


def _touches(text: str) -> bool:
    return Prefilter(BOOK).touches(text, stems(text))


def test_the_rule_reads_whole_terms_compounds_and_ignores_abbreviations_inside_words():
    assert _touches(PLANTED)
    assert _touches("Het noodsteunpunt in de kern is ingericht.")  # a measure term on its stem
    assert _touches("Wij maken afspraken met de vervoerspartners.")  # a longer term inside a compound
    assert not _touches("De herinrichting van het marktplein start over twee maanden.")  # 'ov' inside 'over'
    assert not _touches(OFF_TOPIC[2])


def test_untouched_passages_are_scored_but_not_embedded_until_asked(ws, tmp_path, embedder):
    ingest_paths(ws, [_folder(tmp_path, "gemeente-testdorp", [PLANTED, OFF_TOPIC[2]])])
    filtered = analyse_workspace(ws, BOOK, embedder=embedder)
    assert (filtered.analysed, filtered.embedded, filtered.lexical_only) == (2, 1, 1)
    assert filtered.config.prefilter
    ids = sorted(ws.analysis.pending("geen"))
    assert len(ws.analysis.embeddings(embedder.name, ids)) == 1
    planted_id = next(i for i in ids if ws.analysis.embeddings(embedder.name, [i]))
    off_id = next(i for i in ids if i != planted_id)
    assert ws.analysis.of_passage(off_id) is not None  # analysed: stage, subject, elements from the text
    planted_before = {s.measure_id: s.score for s in ws.analysis.suggestions_for(planted_id, limit=50)}

    # Without the filter: a new configuration, so everything is re-analysed; only the missing vector is computed.
    everything = analyse_workspace(ws, BOOK, embedder=embedder, embed_all=True)
    assert (everything.analysed, everything.embedded, everything.lexical_only) == (2, 1, 0)
    assert len(ws.analysis.embeddings(embedder.name, ids)) == 2
    planted_after = {s.measure_id: s.score for s in ws.analysis.suggestions_for(planted_id, limit=50)}
    assert planted_after.keys() == planted_before.keys()
    assert np.allclose([planted_after[m] for m in planted_after], [planted_before[m] for m in planted_after])


def test_a_step_that_needs_a_vector_embeds_a_filtered_passage(ws, tmp_path, embedder):
    ingest_paths(ws, [_folder(tmp_path, "gemeente-testdorp", [OFF_TOPIC[2]])])
    analyse_workspace(ws, BOOK, embedder=embedder)
    ids = ws.analysis.pending("geen")
    assert ws.analysis.embeddings(embedder.name, ids) == {}
    _, vectors = _texts_and_vectors(ws, ids, embedder)  # what fitting a workspace's own model reads
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-2)
    assert len(ws.analysis.embeddings(embedder.name, ids)) == 1
