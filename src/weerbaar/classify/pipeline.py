"""``weerbaar analyseer``: classify every passage of a workspace, incrementally and resumably.

Only passages that were not yet analysed with the current configuration are processed; their
embeddings are computed once and kept, so a new codebook or a newly learned model re-scores
without re-embedding. Work is committed per chunk: an interrupted run continues where it was.

Passages the codebook's vocabulary cannot touch are scored lexically only and not embedded
(:mod:`weerbaar.classify.prefilter`); ``embed_all`` (``--alles-inbedden``) embeds them too. With a
Dask scheduler address the embedding and scoring of each chunk runs on a cluster
(:mod:`weerbaar.classify.cluster`); the results are written here, through the store, as locally.

Which model: the built-in one, unless the workspace holds enough reviewers' decisions to fit
its own; the configuration stored with each run says which.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from weerbaar.classify.analyser import ANALYSER_VERSION, Analyser
from weerbaar.classify.lexical import CorpusStats
from weerbaar.classify.model import FEATURES, RelevanceModel, agreement_score, cross_validated_agreement, fit_shared
from weerbaar.classify.prefilter import Prefilter
from weerbaar.classify.stage import TextContext
from weerbaar.embeddings import DIMENSIONS, Embedder, from_blobs, to_blob
from weerbaar.index.analysis import stems
from weerbaar.workspace import Workspace
from weerbaar.workspace.records import PassageAnalysis, Suggestion

if TYPE_CHECKING:
    from weerbaar.codebook.model import Codebook

CHUNK = 1024
BEFORE_CHARS = 400  # page text before a passage given to the subject and stage models as context
STORE_FLOOR = 0.05  # pairs below this probability are not stored: never shown, even with --alle
MIN_LABELS = 20  # relevant and not-relevant decisions each, before a workspace gets its own model
MIN_GAIN = 0.05  # how much better (Matthews correlation) a workspace model must predict its decisions


@dataclass
class AnalysisConfig:
    codebook: str
    codebook_fingerprint: str
    model: str
    model_key: str
    threshold: float
    embedder: str
    prefilter: str = ""  # the pre-filter's rule ("" when every passage is embedded)
    analyser: str = ANALYSER_VERSION  # the stage and subject rules: a new version re-analyses (no re-embedding)

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class AnalysisReport:
    run_id: int
    analysed: int
    embedded: int
    skipped: int  # already analysed with this configuration
    config: AnalysisConfig
    model_choice: str = ""  # which model, and why, in Dutch
    lexical_only: int = 0  # analysed without a vector: the pre-filter found no codebook word in them



def workspace_model(ws: Workspace, analyser: Analyser) -> tuple[RelevanceModel, str]:
    """The model to use, and why in plain Dutch: the built-in one, or one fitted on this workspace's decisions.

    What counts per passage and measure is the final decision (a settling one, else the
    reviewers' agreement); conflicts and undone decisions do not teach anything. A model fitted
    on the decisions replaces the built-in one only when it predicts held-out decisions clearly
    better (Matthews correlation over five folds, each fold's threshold chosen on its training
    part, at least ``MIN_GAIN`` higher), because a handful of decisions from one queue can teach a
    model that flags everything.
    """
    builtin = analyser.model
    labels = [d for d in ws.decisions.final().values() if d.passage_id is not None and d.measure_id in analyser.measure_ids]
    positives = sum(d.relevant for d in labels)
    if positives < MIN_LABELS or len(labels) - positives < MIN_LABELS:
        return builtin, (f"ingebouwd model: {positives} relevante en {len(labels) - positives} niet-relevante "
                         f"beoordelingen; een eigen model vraagt er van elk {MIN_LABELS}")
    ids = sorted({d.passage_id for d in labels if d.passage_id is not None})
    texts, vectors = _texts_and_vectors(ws, ids, analyser.embedder)
    row = {pid: k for k, pid in enumerate(ids)}
    feats = analyser.features_of(texts, vectors)
    builtin_scores = builtin.scores(feats, vectors, analyser.measure_ids)
    pairs = [(row[pid], analyser.measure_ids.index(d.measure_id)) for d in labels if (pid := d.passage_id) is not None]
    x = np.stack([feats[i, j] for i, j in pairs])
    y = np.array([d.relevant for d in labels])
    own = cross_validated_agreement(x, y)
    builtin_agreement = agreement_score(np.array([builtin_scores[i, j] for i, j in pairs]) >= builtin.threshold, y)
    if own < builtin_agreement + MIN_GAIN:
        return builtin, (f"ingebouwd model: een model gefit op de {len(labels)} beoordelingen van deze werkruimte "
                         f"voorspelt ze niet duidelijk beter (samenhang {own:.2f} bij kruisvalidatie, "
                         f"ingebouwd {builtin_agreement:.2f})")
    model = fit_shared(x, y, name="werkruimte", trained_on=f"{len(labels)} beoordelingen in deze werkruimte")
    return model, (f"eigen model van deze werkruimte: het voorspelt de beoordelingen beter (samenhang "
                   f"{own:.2f} bij kruisvalidatie, ingebouwd {builtin_agreement:.2f}; Matthews-correlatie)")


class _Batch:
    """One chunk of passages; its missing embeddings are computed while the previous chunk is scored.

    With a ``prefilter``, only passages it lets through are embedded; the others stay without a
    vector (their rows are zero, ``embedded`` False) until a run without the filter or a step
    that needs their vector embeds them.
    """

    def __init__(self, ws: Workspace, ids: list[int], embedder: Embedder, prefilter: Prefilter | None = None,
                 *, embed: bool = True):
        self.ws, self.ids, self.model = ws, ids, embedder.name
        self.texts, self.contexts = {}, {}
        for pid, p in ws.passages.for_analysis(ids, BEFORE_CHARS).items():
            self.texts[pid] = p.text
            self.contexts[pid] = TextContext(doc_type=p.doc_type, year=p.year, organisation=p.organisation,
                                             organisation_type=p.organisation_type, before=p.before, known=True)
        self.stems = [stems(self.texts[i]) for i in ids]
        self.stored = ws.analysis.embeddings(embedder.name, ids)
        self.missing = wanted_embeddings(ids, [self.texts[i] for i in ids], self.stems, self.stored, prefilter)
        self._pending = embedder.submit([self.texts[i] for i in self.missing]) if embed else None

    def result(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Texts, vectors and which rows hold a vector, in id order; new vectors are stored first."""
        if self.missing and self._pending is not None:
            vectors = self._pending()
            blobs = [to_blob(v) for v in vectors]
            self.ws.analysis.store_embeddings(self.model, list(zip(self.missing, blobs)))
            self.stored.update(zip(self.missing, blobs))
            self.missing = []
        vectors, embedded = assemble_vectors(self.ids, self.stored)
        return [self.texts[i] for i in self.ids], vectors, embedded


def wanted_embeddings(ids: list[int], texts: list[str], texts_stems: list[list[str]], stored: dict[int, bytes],
                      prefilter: Prefilter | None) -> list[int]:
    """The passages of a chunk that need a vector now: not yet embedded, and let through by the filter."""
    return [pid for pid, text, s in zip(ids, texts, texts_stems)
            if pid not in stored and (prefilter is None or prefilter.touches(text, s))]


def assemble_vectors(ids: list[int], stored: dict[int, bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, embedded) in id order: the stored (float16) vectors, zero rows where there is none."""
    embedded = np.array([pid in stored for pid in ids], dtype=bool)
    vectors = np.zeros((len(ids), DIMENSIONS), dtype=np.float32)
    if embedded.any():
        vectors[embedded] = from_blobs([stored[pid] for pid in ids if pid in stored])
    return vectors, embedded


def _texts_and_vectors(ws: Workspace, ids: list[int], embedder: Embedder) -> tuple[list[str], np.ndarray]:
    """Every passage with a vector: one the pre-filter passed over gets it now (a fit needs it)."""
    texts, vectors, _ = _Batch(ws, ids, embedder).result()
    return texts, vectors


def analyse_workspace(ws: Workspace, codebook: Codebook, *, embedder: Embedder | None = None, embed_all: bool = False,
                      dask: str | None = None, progress: Callable[[int, int], None] | None = None) -> AnalysisReport:
    """Analyse all pending passages; ``progress(done, total)`` after every chunk.

    ``embed_all``: embed every passage, also those the pre-filter would score lexically only.
    ``dask``: the address of a Dask scheduler that embeds and scores the chunks (see
    :mod:`weerbaar.classify.cluster`); the results are written here, one chunk at a time.
    """
    own_embedder = embedder is None
    embedder = embedder or Embedder()
    try:
        base = Analyser(codebook, RelevanceModel.builtin(), embedder)
        model, model_choice = workspace_model(ws, base)
        analyser = base.with_model(model)
        prefilter = None if embed_all else Prefilter(codebook)
        config = AnalysisConfig(codebook=f"{codebook.name} {codebook.version}", codebook_fingerprint=codebook.fingerprint,
                                model=f"{model.name}: {model.trained_on}", model_key=model.key,
                                threshold=model.threshold, embedder=embedder.name,
                                prefilter=prefilter.key if prefilter else "")
        pending = ws.analysis.pending(config.key)
        total_passages = ws.passages.count()
        run_id = ws.analysis.start_run(config.key, {**asdict(config), "model_detail": model.summary()})
        chunks = [pending[i : i + CHUNK] for i in range(0, len(pending), CHUNK)]
        if dask:
            from weerbaar.classify.cluster import analyse_on_cluster

            results = analyse_on_cluster(dask, ws, chunks, codebook, model, embed_all=embed_all)
        else:
            results = _analyse_here(ws, chunks, analyser, embedder, prefilter)
        done = embedded = lexical_only = 0
        for batch in results:
            embedded += batch.embedded
            lexical_only += batch.lexical_only
            _store(ws, batch.ids, batch.results, analyser, config.key, run_id)
            done += len(batch.ids)
            if progress:
                progress(done, len(pending))
        ws.analysis.finish_run(run_id, done)
        ws.update_statistics()
        return AnalysisReport(run_id, done, embedded, total_passages - len(pending), config, model_choice, lexical_only)
    finally:
        if own_embedder:
            embedder.close()


@dataclass
class ChunkResult:
    """One chunk analysed: what to store, and how many passages got a new vector or none."""

    ids: list[int]
    results: list
    embedded: int
    lexical_only: int


def _analyse_here(ws: Workspace, chunks: list[list[int]], analyser: Analyser, embedder: Embedder,
                  prefilter: Prefilter | None) -> Iterator[ChunkResult]:
    """The chunks analysed in this process, the next chunk embedding while the current one is scored."""
    stats = CorpusStats.reference()
    upcoming = iter(chunks)
    first = next(upcoming, None)
    current = _Batch(ws, first, embedder, prefilter) if first else None
    while current is not None:
        following_ids = next(upcoming, None)
        following = _Batch(ws, following_ids, embedder, prefilter) if following_ids else None
        new = len(current.missing)
        texts, vectors, embedded = current.result()
        contexts = [current.contexts[i] for i in current.ids]
        results = analyser.analyse(texts, stats, vectors, contexts, embedded, current.stems)
        yield ChunkResult(current.ids, results, new, int((~embedded).sum()))
        current = following


def _store(ws: Workspace, ids: list[int], results, analyser: Analyser, config_key: str, run_id: int) -> None:
    suggestions, analyses = [], []
    semantic = FEATURES.index("semantic")
    for passage_id, result in zip(ids, results):
        subject = result.subject
        analyses.append(PassageAnalysis(
            passage_id=passage_id, config_key=config_key, run_id=run_id, stage=result.stage,
            stage_cue=result.stage_cue, vulnerable_terms=result.vulnerable_terms,
            subject_kind=subject.kind if subject else None, subject_name=subject.name if subject else None,
            subject_cue=subject.cue if subject else None))
        for j in np.flatnonzero(result.scores >= STORE_FLOOR):
            measure = analyser.measure_ids[j]
            suggestions.append(Suggestion(
                passage_id=passage_id, measure_id=measure, score=float(result.scores[j]),
                lexical=float(result.features[j][0]), semantic=float(result.features[j][semantic]),
                elements=result.element_terms.get(measure, {})))
    ws.analysis.store(ids, analyses, suggestions)
