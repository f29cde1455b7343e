"""Verdicts, aggregation, summaries and the report: rules on constructed cases, provenance of every
quote in every output, and that each report form opens."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from weerbaar.assess.aggregate import TOO_FEW, aggregate, per_pillar
from weerbaar.assess.compare import compare
from weerbaar.assess.quote import QUOTE_CHARS, focus
from weerbaar.assess.verdicts import NO_EVIDENCE, NOT_ASSESSED, TITLE_CHARS, Verdict, assess, level_for
from weerbaar.codebook import load_codebook
from weerbaar.demo import demo_decisions, demo_regions
from weerbaar.regions import load_region_mapping
from weerbaar.report.build import WRITERS, collect
from weerbaar.review.decisions import import_decisions
from weerbaar.workspace import Workspace

BOOK = load_codebook()


@pytest.mark.parametrize(("stages", "shown", "total", "level"), [
    ([3], 5, 9, "hoog"),        # execution and more than half of the elements
    ([4], 2, 4, "hoog"),        # exactly half counts (tie goes up)
    ([3], 1, 4, "midden"),      # execution but too few elements
    ([2], 4, 4, "midden"),      # a plan, however complete, is not execution
    ([1, 0], 0, 0, "laag"),     # only intention and context
    ([], 0, 5, NO_EVIDENCE),    # no relevant passage: never a level by itself
    ([3], 0, 0, "hoog"),        # a measure without defined elements: execution suffices
])
def test_level_rule(stages, shown, total, level):
    assert level_for(stages, shown, total) == level


def _v(level, measure="2.2"):
    return Verdict("o", measure, level, "", "", False, [], {}, [], 1)


def test_aggregation_rules_with_ties_and_empty_cells():
    a = aggregate("2.2", [_v("hoog"), _v("laag")])  # half hoog: broad (tie goes up)
    assert a.verdict == "breed geïmplementeerd" and a.consistency == 0.5 and a.picture == "wisselend"
    a = aggregate("2.2", [_v("midden"), _v("laag"), _v("laag"), _v("hoog"), _v(NOT_ASSESSED)])
    assert a.verdict == "gedeeltelijk geïmplementeerd" and a.not_assessed == 1 and a.coverage_text == "4 van 5 beoordeeld"
    a = aggregate("2.2", [_v("laag")] * 2 + [_v(NO_EVIDENCE), _v("midden")])  # geen bewijs counts as laag
    assert a.verdict == "nauwelijks geïmplementeerd" and a.picture == "eenduidig" and a.consistency == 0.75
    assert a.counts == {"hoog": 0, "midden": 1, "laag": 2, NO_EVIDENCE: 1}
    empty = aggregate("2.2", [_v(NOT_ASSESSED)] * 2)
    assert empty.verdict == TOO_FEW and empty.consistency is None and empty.coverage == 0


def test_no_judgement_below_the_minimum_coverage():
    # A measure assessed for one of three organisations is not "breed": too little was assessed.
    one_of_three = aggregate("2.2", [_v("hoog"), _v(NOT_ASSESSED), _v(NOT_ASSESSED)])
    assert one_of_three.verdict == TOO_FEW and one_of_three.coverage_text == "1 van 3 beoordeeld"
    assert aggregate("2.2", [_v("hoog"), _v("hoog"), _v(NOT_ASSESSED)]).verdict == "breed geïmplementeerd"
    # A pillar of six measures with four unassessed is not "breed" either, though both assessed are hoog.
    pillar = [_v("hoog", "2.1"), _v("hoog", "2.2")] + [_v(NOT_ASSESSED, f"2.{i}") for i in range(3, 7)]
    agg = {a.key: a for a in per_pillar(pillar, BOOK)}["2"]
    assert agg.verdict == TOO_FEW and agg.assessed == 2 and agg.total == 6


@pytest.fixture
def reviewed_demo(demo_copy):
    with Workspace.open(demo_copy) as ws:
        import_decisions(ws, demo_decisions())
    return demo_copy


def test_demo_verdicts_follow_the_review(reviewed_demo):
    with Workspace.open(reviewed_demo) as ws:
        cells = {(v.organisation, v.measure_id): v for v in assess(ws, BOOK)}
    assert cells[("Gemeente Dijkwaard", "2.2")].level == "hoog"
    assert cells[("Gemeente Heemvoort", "4.3")].level == "midden"
    assert cells[("Gemeente Heemvoort", "3.1")].level == "laag"
    assert cells[("Gemeente Heemvoort", "6.2")].level == "laag"  # the settled conflict: not relevant
    assert cells[("Gemeente Heemvoort", "1.1")].level == NOT_ASSESSED
    dijk = cells[("Gemeente Dijkwaard", "2.2")]
    assert dijk.first_mention == 2024 and dijk.first_execution == 2024
    assert [e.year for e in dijk.evidence] == sorted(e.year for e in dijk.evidence)
    assert set(dijk.elements_missing) | set(dijk.elements_found) == {e.id for e in BOOK.measure("2.2").elements}


def test_suggestions_make_verdicts_provisional(demo_copy):
    with Workspace.open(demo_copy) as ws:  # nothing reviewed yet
        assert all(v.level == NOT_ASSESSED for v in assess(ws, BOOK))
        with_suggestions = [v for v in assess(ws, BOOK, include_suggestions=True) if v.level != NOT_ASSESSED]
    assert with_suggestions and all(v.provisional and not any(e.validated for e in v.evidence) for v in with_suggestions)


def test_every_quote_in_every_output_is_verbatim_on_its_page(reviewed_demo, tmp_path):
    with Workspace.open(reviewed_demo) as ws:
        regions, _ = load_region_mapping(demo_regions(), allow_unknown=True)
        report = collect(ws, BOOK, regions=regions)
        pages = {(r[0], r[1]): r[2] for r in ws.conn.execute("SELECT document_id, page_no, text FROM pages")}
        titles = {r[0]: r[1] for r in ws.conn.execute("SELECT id, coalesce(title, filename) FROM documents")}
    quotes = 0
    for sentences in report.summaries.values():
        for s in sentences:
            e = s.evidence
            page = pages[(e.document_id, e.page_no)]
            assert page[e.start:e.end] == e.text and e.quote in page[e.start:e.end]
            assert e.quote in s.text and titles[e.document_id] in s.text
            assert (f"pagina {e.page_no})" in s.text) == e.paginated  # formats without pages get no page number
            assert e.validated
            quotes += 1
    assert quotes >= 20
    for fmt, write in WRITERS.items():
        write(report, tmp_path / f"r.{fmt}")
    html = (tmp_path / "r.html").read_text("utf-8")
    data = json.loads((tmp_path / "r.json").read_text("utf-8"))
    for cell in data["cellen"]:
        for e in cell["evidence"]:
            assert pages[(e["document_id"], e["page_no"])][e["start"]:e["end"]] == e["text"]
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames == ["Matrix", "Cellen", "Passages", "Per maatregel", "Methode"]
    passages = list(wb["Passages"].iter_rows(min_row=2, values_only=True))
    header = [c.value for c in wb["Passages"][1]]
    for row in passages:
        r = dict(zip(header, row))
        assert any(r["citaat"] in text for text in pages.values())
    for sentences in report.summaries.values():
        for s in sentences:
            assert s.evidence.quote.replace("&", "&amp;").replace('"', "&#34;").replace("'", "&#39;").replace("<", "&lt;") in html
    rows = list(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8-sig"), delimiter=";"))
    assert len(rows) == len(report.organisations) * len(BOOK.measures)
    assert "Veiligheidsregio Rijnvallei" in report.by_region


def test_compare_two_moments(reviewed_demo, demo_pristine, tmp_path):
    before = shutil.copytree(demo_pristine, tmp_path / "voor")  # the shared original is never opened in place
    with Workspace.open(before) as before_ws, Workspace.open(reviewed_demo) as after_ws:
        changes = compare(assess(before_ws, BOOK), assess(after_ws, BOOK))
    by = {(c.organisation, c.measure_id): c for c in changes}
    assert by[("Gemeente Dijkwaard", "2.2")].change == "nieuw beoordeeld" and by[("Gemeente Dijkwaard", "2.2")].new_evidence >= 3
    with Workspace.open(reviewed_demo) as ws:
        assert compare(assess(ws, BOOK), assess(ws, BOOK)) == []
        assert all(v.level == NOT_ASSESSED for v in assess(ws, BOOK, until="2000-01-01"))


def _above_threshold(ws, organisation, measure):

    return [r[0] for r in ws.conn.execute(
        """SELECT s.passage_id FROM suggestions s JOIN passages p ON p.id = s.passage_id
           JOIN documents d ON d.id = p.document_id WHERE d.organisation = ? AND s.measure_id = ? AND s.score >= ?
           ORDER BY s.score DESC""", (organisation, measure, ws.analysis.threshold()))]


def test_rejecting_one_suggestion_does_not_make_a_cell_low(demo_copy):
    """Three states: niet beoordeeld until the organisation's queue is worked through; then geen
    bewijs gevonden (naming what was searched), which counts as laag."""
    with Workspace.open(demo_copy) as ws:
        org, mid, candidates = next((o, m.id, c) for o in ("Gemeente Dijkwaard", "Gemeente Heemvoort")
                                    for m in BOOK.measures for c in [_above_threshold(ws, o, m.id)] if len(c) >= 2)
        ws.decisions.record(candidates[0], mid, "Anna", False)
        cell = next(v for v in assess(ws, BOOK) if (v.organisation, v.measure_id) == (org, mid))
        assert cell.level == NOT_ASSESSED and cell.reviewed == 1
        assert "1 passage beoordeeld, nog geen relevant" in cell.reason and "open" in cell.reason
        for pid in candidates[1:]:
            ws.decisions.record(pid, mid, "Anna", False)
        cell = next(v for v in assess(ws, BOOK) if (v.organisation, v.measure_id) == (org, mid))
        documents = ws.conn.execute("SELECT count(*) FROM documents WHERE organisation = ?", (org,)).fetchone()[0]
    assert cell.level == NO_EVIDENCE and cell.counts_as == "laag" and not cell.provisional
    assert f"Gezocht in {documents} documenten (" in cell.reason and "2024" in cell.reason
    assert aggregate(mid, [cell]).counts["laag"] == 0 and aggregate(mid, [cell]).counts[NO_EVIDENCE] == 1


def _tiny_workspace(folder, per_org: dict[str, int], measure="2.2", threshold=0.3):
    """A workspace written at table level: per organisation ``n`` passages suggested for ``measure``."""
    import json

    from weerbaar.workspace.db import timestamp

    with Workspace.open(folder, create=True) as ws, ws.transaction() as conn:
        run = conn.execute("INSERT INTO analysis_runs (config_key, config, started_at, finished_at, passages) "
                           "VALUES ('t', ?, ?, ?, 0)", (json.dumps({"threshold": threshold}), timestamp(), timestamp())).lastrowid
        for d, (org, n) in enumerate(per_org.items()):
            doc = conn.execute(
                """INSERT INTO documents (path, filename, sha256, size_bytes, format, title, organisation, doc_type, year,
                   page_count, paginated, metadata_source, ingested_at)
                   VALUES (?, ?, ?, 0, 'txt', ?, ?, 'begroting', 2024, 1, 1, '{}', ?)""",
                (f"/t/{d}.txt", f"{d}.txt", f"{d:064x}", f"Begroting {org}", org, timestamp())).lastrowid
            sentences = [f"Zin {i} over de noodstroom van het gemeentehuis." for i in range(n)]
            text = " ".join(sentences)
            conn.execute("INSERT INTO pages (document_id, page_no, text) VALUES (?, 1, ?)", (doc, text))
            pos = 0
            for i, sentence in enumerate(sentences):
                pid = conn.execute("INSERT INTO passages (document_id, page_no, seq, start, end, text) VALUES (?, 1, ?, ?, ?, ?)",
                                   (doc, i, pos, pos + len(sentence), sentence)).lastrowid
                pos += len(sentence) + 1
                conn.execute("INSERT INTO passage_analysis (passage_id, config_key, run_id, stage, stage_cue, vulnerable_terms) "
                             "VALUES (?, 't', ?, 1, NULL, '[]')", (pid, run))
                conn.execute("INSERT INTO suggestions (passage_id, measure_id, score, lexical, semantic, elements) "
                             "VALUES (?, ?, ?, 0.5, 0.5, '{}')", (pid, measure, 0.9 - i / 100))
    return folder


def test_the_stop_suggestion_screens_the_queue_for_every_organisation(tmp_path):
    from weerbaar.review.active import STOP_AFTER_IRRELEVANT

    folder = _tiny_workspace(tmp_path / "ws", {"Gemeente A": STOP_AFTER_IRRELEVANT + 5, "Gemeente B": 3})
    with Workspace.open(folder) as ws:
        a_passages = [r[0] for r in ws.conn.execute(
            "SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id"
            " WHERE d.organisation = 'Gemeente A' ORDER BY p.id")]
        for pid in a_passages[:STOP_AFTER_IRRELEVANT - 1]:
            ws.decisions.record(pid, "2.2", "Anna", False)
        before = {v.organisation: v.level for v in assess(ws, BOOK) if v.measure_id == "2.2"}
        ws.decisions.record(a_passages[STOP_AFTER_IRRELEVANT - 1], "2.2", "Anna", False)
        after = {(v.organisation, v.measure_id): v.level for v in assess(ws, BOOK)}
    assert before == {"Gemeente A": NOT_ASSESSED, "Gemeente B": NOT_ASSESSED}
    assert after[("Gemeente A", "2.2")] == after[("Gemeente B", "2.2")] == NO_EVIDENCE
    assert after[("Gemeente A", "2.3")] == NOT_ASSESSED  # another measure's queue was not touched


def test_provisional_verdicts_name_what_was_searched(demo_copy):
    with Workspace.open(demo_copy) as ws:
        verdicts = assess(ws, BOOK, include_suggestions=True)
    assert all(v.provisional for v in verdicts)
    empty = [v for v in verdicts if v.level == NO_EVIDENCE]
    assert empty and all("boven de drempel" in v.reason and "Gezocht in" in v.reason for v in empty)
    assert all(v.level != NOT_ASSESSED for v in verdicts)  # after an analysis every cell has a provisional state


def test_a_huge_title_is_never_carried_per_passage(reviewed_demo):
    """An unpaginated text file whose whole text became its title (1 MB) costs nothing per passage."""
    with Workspace.open(reviewed_demo) as ws:
        ws.conn.execute("UPDATE documents SET title = ?", ("Raadsvergadering " + "x" * 1_000_000,))
        ws.conn.commit()
        verdicts = assess(ws, BOOK, include_suggestions=True)
    evidence = [e for v in verdicts for e in v.evidence]
    assert evidence and all(len(e.title) <= TITLE_CHARS for e in evidence)
    assert len({id(e.title) for e in evidence}) <= len({e.document_id for e in evidence})  # one string per document


def test_quotes_are_centred_on_the_deciding_sentence():
    filler = [f"Dit is inleidende zin nummer {i} over het college en de begroting van dit jaar." for i in range(12)]
    deciding = "Alle wijken hebben sinds juni 2024 elk een noodsteunpunt met een aggregaat en een draaiboek."
    text = " ".join(filler[:8] + [deciding] + filler[8:])
    start, end = focus(text, cue="hebben sinds juni 2024")
    quote = text[start:end]
    assert deciding in quote and len(quote) <= QUOTE_CHARS and text[start:end] == quote
    assert 0 < start and end < len(text)  # cut on both sides: the report shows "…" there
    start, end = focus(text, cue=None, terms=["noodsteunpunt", "aggregaat"])
    assert deciding in text[start:end]
    one_long = "woord " * 300 + "noodsteunpunt in de wijk " + "woord " * 300
    start, end = focus(one_long, terms=["noodsteunpunt"])
    assert "noodsteunpunt" in one_long[start:end] and end - start <= QUOTE_CHARS


def test_the_quote_shows_the_stage_cue_even_where_another_sentence_has_more_terms():
    filler = [f"Zin {i} gaat over de begroting en het college van dit jaar, zonder meer." for i in range(10)]
    cue_sentence = "In 2023 is het draaiboek vastgesteld."
    busy = "Het noodsteunpunt, het aggregaat, de noodstroom en het noodsteunpunt in de kern staan op de lijst."
    text = " ".join([cue_sentence] + filler + [busy])
    start, end = focus(text, cue="is het draaiboek vastgesteld", terms=["noodsteunpunt", "aggregaat", "noodstroom"])
    assert len(text) > QUOTE_CHARS and cue_sentence in text[start:end]


def test_demo_quotes_contain_their_cue(reviewed_demo):
    from weerbaar.assess.summary import summarise

    with Workspace.open(reviewed_demo) as ws:
        verdicts = assess(ws, BOOK)
    checked = 0
    for v in verdicts:
        for s in summarise(v, BOOK.measure(v.measure_id)):
            e = s.evidence
            assert e.quote in e.text and len(e.quote) <= QUOTE_CHARS
            if e.cue and e.cue.lower() in e.text.lower() and len(e.text) > QUOTE_CHARS:
                assert e.cue.lower() in e.quote.lower()
            checked += 1
    assert checked >= 20


def test_verdict_cache_recomputes_only_what_changed_and_equals_a_full_run(reviewed_demo):
    from weerbaar.assess.cache import VerdictCache

    cache = VerdictCache()
    with Workspace.open(reviewed_demo) as ws:
        for provisional in (False, True):
            cache.verdicts(ws, BOOK, include_suggestions=provisional)
        candidates = ws.conn.execute(
            """SELECT s.passage_id, s.measure_id FROM suggestions s WHERE NOT EXISTS (SELECT 1 FROM decisions d
               WHERE d.passage_id = s.passage_id AND d.measure_id = s.measure_id) ORDER BY s.score DESC LIMIT 3""").fetchall()
        for step, (pid, mid) in enumerate(candidates):
            ws.decisions.record(pid, mid, "Bram", step != 1, stage=3)
            for provisional in (False, True):
                full = {(v.organisation, v.measure_id): (v.level, v.reason)
                        for v in assess(ws, BOOK, include_suggestions=provisional)}
                cached = {(v.organisation, v.measure_id): (v.level, v.reason)
                          for v in cache.verdicts(ws, BOOK, include_suggestions=provisional)}
                assert cached == full
        ws.decisions.undo_last("Bram")
        full = {(v.organisation, v.measure_id): v.level for v in assess(ws, BOOK)}
        assert {(v.organisation, v.measure_id): v.level for v in cache.verdicts(ws, BOOK)} == full


def test_evidence_counts_for_the_body_a_passage_speaks_for(tmp_path, embedder):
    """A council bundle quoting the safety region's budget: that evidence is the region's, not the
    municipality's; a reviewer can correct whom a passage speaks for (issue #10)."""
    from weerbaar.classify.pipeline import analyse_workspace
    from weerbaar.ingest.pipeline import ingest_paths

    folder = tmp_path / "gemeente-helmond"
    folder.mkdir()
    region = ("De Veiligheidsregio Brabant-Zuidoost heeft in alle gemeenten noodsteunpunten aangewezen en ingericht; "
              "het algemeen bestuur stelde de ontwerpbegroting vast na de zienswijzen van de deelnemende gemeenten.")
    own = "Wij hebben in onze gemeente vijf noodsteunpunten aangewezen waar inwoners bij stroomuitval terecht kunnen."
    (folder / "notulen-raad-2021.txt").write_text(region + "\n\f" + own + "\n", encoding="utf-8")  # two pages
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        ingest_paths(ws, [folder])
        analyse_workspace(ws, BOOK, embedder=embedder)
        subjects = dict(ws.conn.execute(
            "SELECT p.text, a.subject_name FROM passages p JOIN passage_analysis a ON a.passage_id = p.id"))
        assert subjects[region] == "Veiligheidsregio Brabant-Zuidoost" and subjects[own] == "Gemeente Helmond"
        verdicts = {(v.organisation, v.measure_id): v for v in assess(ws, BOOK, include_suggestions=True)}
        for org, text in (("Veiligheidsregio Brabant-Zuidoost", region), ("Gemeente Helmond", own)):
            assert [e.text for e in verdicts[(org, "2.2")].evidence] == [text]
        # The reviewer says the region's passage is about the municipality after all: it moves.
        pid = ws.conn.execute("SELECT id FROM passages WHERE text = ?", (region,)).fetchone()[0]
        ws.decisions.record(pid, "2.2", "anna", True, stage=3, subject="Gemeente Helmond")
        verdicts = {(v.organisation, v.measure_id): v for v in assess(ws, BOOK)}
        assert [e.passage_id for e in verdicts[("Gemeente Helmond", "2.2")].evidence] == [pid]
        assert not verdicts[("Veiligheidsregio Brabant-Zuidoost", "2.2")].evidence
