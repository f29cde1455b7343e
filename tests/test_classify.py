"""Evidence finding: stage cues, terms and elements, calibration, retrieval, incremental analysis."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import write_pdf
from weerbaar.classify.model import FEATURES, RelevanceModel
from weerbaar.classify.pipeline import MIN_LABELS, analyse_workspace
from weerbaar.classify.ranking import ranked_passages
from weerbaar.classify.stage import StageDetector
from weerbaar.classify.terms import TermMatcher
from weerbaar.cli.main import app
from weerbaar.codebook import load_codebook
from weerbaar.embeddings import POOL_THRESHOLD, Embedder
from weerbaar.index.analysis import stems
from weerbaar.ingest.pipeline import ingest_paths

BOOK = load_codebook()


@pytest.mark.parametrize(("sentence", "stage", "cue"), [
    ("Het kabinet vraagt gemeenten zich voor te bereiden op stroomuitval.", 0, "Het kabinet"),
    ("Wij willen onderzoeken of in iedere kern een noodsteunpunt kan komen.", 1, "willen"),
    ("We gaan verkennen welke locaties geschikt zijn.", 1, "gaan verkennen"),
    ("Er wordt een communicatieplan voor crises opgesteld.", 2, None),
    ("Het draaiboek wordt opgesteld samen met het waterbedrijf.", 2, "wordt opgesteld"),
    ("In 2025 start een pilot met buurtnetwerken.", 2, "pilot"),
    ("De gemeente heeft vijf noodsteunpunten aangewezen.", 3, "heeft vijf noodsteunpunten aangewezen"),
    ("Alle huishoudens hebben een meterkastkaart ontvangen.", 3, "hebben een meterkastkaart ontvangen"),
    ("Op 8 oktober is de crisisorganisatie geoefend.", 4, "geoefend"),
    ("De aggregaten worden elke maand getest onder belasting.", 4, "getest"),
    ("De oefening is geëvalueerd door een extern bureau.", 4, "geëvalueerd"),
])
def test_stage_cues_on_constructed_sentences(sentence, stage, cue):
    result = StageDetector(BOOK, model=False).detect(sentence)  # the codebook's cues alone
    assert result.stage == stage
    if cue:
        assert cue in result.cue


def test_the_highest_stage_wins_and_negation_does_not_count():
    detector = StageDetector(BOOK, model=False)
    assert detector.detect("We willen verbeteren, maar we hebben al geoefend.").stage == 4
    assert detector.detect("Hoeveel inwoners een noodpakket hebben is niet gemeten.").cue is None
    assert detector.detect("Er is nog geen budget; wij willen het onderzoeken.").stage == 1
    assert StageDetector(BOOK, default_stage=3, model=False).detect("Een zin zonder enige aanwijzing.").stage == 3


def test_term_matcher_finds_phrases_and_single_words_on_stems():
    matcher = TermMatcher([("a", "kritieke processen"), ("b", "noodsteunpunt")])
    found = matcher.keys_found(stems("De kritieke processen en twee noodsteunpunten; processen die kritiek zijn."))
    assert found == {"a": {"kritieke processen"}, "b": {"noodsteunpunt"}}


def test_calibrated_scores_stay_in_zero_one():
    model = RelevanceModel.builtin()
    assert len(model.coef) == len(FEATURES) and 0 < model.threshold < 1
    rng = np.random.default_rng(1)
    for scale in (1, 10, 1e6):
        p = model.probability((rng.standard_normal((500, len(FEATURES))) * scale).astype(np.float32))
        assert np.all((p >= 0) & (p <= 1))


def test_pooled_and_in_process_embeddings_agree(embedder):
    texts = [f"Passage {i} over noodstroom, aggregaten en brandstof voor {i} uur." for i in range(POOL_THRESHOLD + 10)]
    pooled = Embedder(workers=2).encode(texts)
    local = embedder._local().encode(texts[:20])
    assert pooled.shape == (len(texts), 512)
    assert np.min(np.sum(pooled[:20] * local, axis=1)) > 0.999


OFF_TOPIC = [
    "Het zwembad krijgt een nieuwe installatie voor luchtbehandeling en de openingstijden worden verruimd. "
    "De gemeente subsidieert de sportverenigingen met een vast bedrag per lid.",
    "De herinrichting van het marktplein start in het voorjaar. Er komen meer bomen en fietsenrekken, "
    "en de parkeerplaatsen verhuizen naar de rand van het centrum.",
    "De onroerendezaakbelasting stijgt met vier procent. Het tarief voor afvalstoffenheffing blijft gelijk.",
]
PLANTED = ("Bij een langdurige uitval van de drinkwatervoorziening treedt het draaiboek nooddrinkwater in werking. "
           "Het waterbedrijf richt twaalf noodwaterpunten in en levert drie liter per persoon per dag; "
           "zorginstellingen krijgen voorrang.")


def _folder(tmp_path, name, pages):
    folder = tmp_path / name
    folder.mkdir()
    write_pdf(folder / f"{name}-jaarverslag-2024.pdf", pages)
    return folder


def test_retrieval_finds_the_planted_passage_with_stage_and_elements(ws, tmp_path, embedder):
    ingest_paths(ws, [_folder(tmp_path, "gemeente-ruis", OFF_TOPIC * 3)])
    ingest_paths(ws, [_folder(tmp_path, "gemeente-testdorp", [OFF_TOPIC[0], PLANTED, OFF_TOPIC[1]])])
    analyse_workspace(ws, BOOK, embedder=embedder)
    (top, *_rest) = ranked_passages(ws, BOOK, "3.2", top=3, include_below=True)
    flat = lambda text: " ".join(text.split())  # noqa: E731  (the PDF wraps lines)
    assert flat(top.citation.text) == PLANTED and top.above_threshold
    assert (top.citation.organisation, top.citation.page) == ("Gemeente Testdorp", 2)
    assert top.stage == 3 and top.stage_cue == "in werking"
    assert {"draaiboek", "noodwaterpunten", "waterbedrijf", "kwetsbare_locaties"} <= set(top.elements_found)
    assert "opslag" in top.elements_missing
    assert all(p.above_threshold is False for p in ranked_passages(ws, BOOK, "3.2", top=20, include_below=True)
               if flat(p.citation.text) != PLANTED)


def test_analysis_is_incremental_and_a_new_model_rescores_without_embedding(ws, tmp_path, embedder, monkeypatch):
    ingest_paths(ws, [_folder(tmp_path, "a", [PLANTED, OFF_TOPIC[0]])])
    first = analyse_workspace(ws, BOOK, embedder=embedder)
    assert first.analysed == first.embedded == 2
    rows_before = ws.conn.execute("SELECT passage_id, run_id FROM passage_analysis").fetchall()

    ingest_paths(ws, [_folder(tmp_path, "b", [OFF_TOPIC[1]])])
    second = analyse_workspace(ws, BOOK, embedder=embedder)
    # No codebook word in it: scored lexically only, not embedded (tests/test_prefilter.py).
    assert (second.analysed, second.embedded, second.lexical_only, second.skipped) == (1, 0, 1, 2)
    assert all(r in ws.conn.execute("SELECT passage_id, run_id FROM passage_analysis").fetchall() for r in rows_before)

    third = analyse_workspace(ws, BOOK, embedder=embedder)
    assert (third.analysed, third.embedded) == (0, 0)

    # Enough reviewers' decisions: the workspace gets its own model, and everything is re-scored, not re-embedded.

    ids = [r[0] for r in ws.conn.execute("SELECT id FROM passages")]
    measures = [m.id for m in BOOK.measures]
    for i in range(2 * MIN_LABELS + 2):
        ws.decisions.record(ids[i % len(ids)], measures[i % len(measures)], "anna", relevant=i % 2 == 0)
    # Arbitrary decisions teach nothing the built-in model does not know better: it stays, and says why.
    kept = analyse_workspace(ws, BOOK, embedder=embedder)
    assert kept.config.model.startswith("ingebouwd") and "niet duidelijk beter" in kept.model_choice
    assert (kept.analysed, kept.embedded) == (0, 0)
    # A workspace model that predicts its decisions better replaces it; everything is re-scored, not re-embedded.
    import weerbaar.classify.pipeline as pipeline

    monkeypatch.setattr(pipeline, "cross_validated_agreement", lambda x, y: 1.0)
    fourth = analyse_workspace(ws, BOOK, embedder=embedder)
    assert fourth.config.model.startswith("werkruimte") and "eigen model" in fourth.model_choice
    assert (fourth.analysed, fourth.embedded) == (3, 0)


runner = CliRunner()


def test_classificeer_reports_bad_lines_and_carries_on(tmp_path):
    lines = [json.dumps({"id": "a", "text": PLANTED}), "{niet goed", json.dumps({"id": "b", "text": "  "}),
             json.dumps({"id": "c", "text": "woord " * 5000}), json.dumps({"id": "d", "text": OFF_TOPIC[2]})]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["classificeer", str(source), "--werkruimte", str(tmp_path / "geen"),
                                 "--max-tekens", "10000"], catch_exceptions=False)
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", None, "b", "c", "d"]
    assert out[0]["measures"][0]["id"] == "3.2" and 0 <= out[0]["measures"][0]["score"] <= 1
    assert out[0]["stage"] == 3 and "3.2:noodwaterpunten" in out[0]["elements"]
    assert out[0]["vulnerable_groups"] is True  # zorginstellingen
    assert out[1]["error"].startswith("regel 2: geen geldige JSON")
    assert out[2]["error"] == "regel 3: 'text' is leeg"
    assert out[3]["error"] == "regel 4: 'text' is 30000 tekens; de grens is 10000 (--max-tekens)"
    assert out[4]["measures"] == []
    assert "3 regel(s) met een fout" in result.stderr


def test_passages_json_quotes_are_verbatim_at_their_page(demo_copy):
    ws = demo_copy  # what `weerbaar demo` builds (tested in test_cli), made once per session
    assert runner.invoke(app, ["analyseer", "--werkruimte", str(ws), "--stil"]).exit_code == 0
    result = runner.invoke(app, ["passages", "-m", "2.2", "--werkruimte", str(ws), "--json"], catch_exceptions=False)
    data = json.loads(result.stdout)
    hits = data["passages"]
    assert data["measure"]["id"] == "2.2"
    assert hits and hits[0]["citation"]["organisation"] == "Gemeente Dijkwaard" and hits[0]["stage"] in (3, 4)
    from weerbaar.workspace import Workspace

    with Workspace.open(ws) as w:
        for hit in hits:
            c = hit["citation"]
            page = w.conn.execute("SELECT text FROM pages WHERE document_id = ? AND page_no = ?",
                                  (c["document_id"], c["page"])).fetchone()[0]
            assert page[c["start"] : c["end"]] == c["text"]
    missing = runner.invoke(app, ["passages", "-m", "9.9", "--werkruimte", str(ws)])
    assert missing.exit_code == 1 and "Maatregel '9.9' bestaat niet in het codeboek." in missing.stderr


def test_passages_before_analysis_says_what_to_do(tmp_path):
    runner.invoke(app, ["demo", "--werkruimte", str(tmp_path / "d"), "--zonder-analyse"])
    result = runner.invoke(app, ["passages", "-m", "2.2", "--werkruimte", str(tmp_path / "d")])
    assert result.exit_code == 1 and "Draai eerst 'weerbaar analyseer'" in result.stderr
