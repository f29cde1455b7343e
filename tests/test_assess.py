"""Verdicts, aggregation, summaries and the report: rules on constructed cases, provenance of every
quote in every output, and that each report form opens."""

from __future__ import annotations

import csv
import json

import pytest

from weerbaar.assess.aggregate import aggregate
from weerbaar.assess.compare import compare
from weerbaar.assess.verdicts import NOT_ASSESSED, Verdict, assess, level_for
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
    ([], 0, 5, "laag"),         # reviewed, nothing relevant
    ([3], 0, 0, "hoog"),        # a measure without defined elements: execution suffices
])
def test_level_rule(stages, shown, total, level):
    assert level_for(stages, shown, total) == level


def _v(level):
    return Verdict("o", "2.2", level, "", "", False, [], {}, [], 1)


def test_aggregation_rules_with_ties_and_empty_cells():
    a = aggregate("2.2", [_v("hoog"), _v("laag")])  # half hoog: broad (tie goes up)
    assert a.verdict == "breed geïmplementeerd" and a.consistency == 0.5 and a.picture == "wisselend"
    a = aggregate("2.2", [_v("midden"), _v("laag"), _v("laag"), _v("hoog"), _v(NOT_ASSESSED)])
    assert a.verdict == "gedeeltelijk geïmplementeerd" and a.not_assessed == 1
    a = aggregate("2.2", [_v("laag")] * 3 + [_v("midden")])
    assert a.verdict == "nauwelijks geïmplementeerd" and a.picture == "eenduidig" and a.consistency == 0.75
    empty = aggregate("2.2", [_v(NOT_ASSESSED)] * 2)
    assert empty.verdict == "nauwelijks geïmplementeerd" and empty.consistency is None


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
    for key, sentences in report.summaries.items():
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
    assert wb.sheetnames == ["Matrix", "Cellen", "Passages", "Per maatregel"]
    passages = list(wb["Passages"].iter_rows(min_row=2, values_only=True))
    header = [c.value for c in wb["Passages"][1]]
    for row in passages:
        r = dict(zip(header, row))
        assert any(r["citaat"] == text[s:e] for (d, p), text in pages.items() for s, e in [(text.find(r["citaat"]), text.find(r["citaat"]) + len(r["citaat"]))] if s >= 0)
    for sentences in report.summaries.values():
        for s in sentences:
            assert s.evidence.quote.replace("&", "&amp;").replace('"', "&#34;").replace("'", "&#39;").replace("<", "&lt;") in html
    rows = list(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8-sig"), delimiter=";"))
    assert len(rows) == len(report.organisations) * len(BOOK.measures)
    assert "Veiligheidsregio Rijnvallei" in report.by_region


def test_pdf_report_renders_pages(reviewed_demo, tmp_path):
    import pypdfium2 as pdfium

    with Workspace.open(reviewed_demo) as ws:
        WRITERS["pdf"](collect(ws, BOOK), tmp_path / "r.pdf")
    doc = pdfium.PdfDocument(tmp_path / "r.pdf")
    assert len(doc) >= 2
    image = doc[0].render(scale=0.5).to_pil().convert("L")
    assert image.getextrema()[0] < 128  # something dark is drawn: text, not a blank page
    assert "Overzicht" in doc[0].get_textpage().get_text_range()


@pytest.mark.browser
def test_html_report_opens_without_console_errors(reviewed_demo, tmp_path, browser):
    with Workspace.open(reviewed_demo) as ws:
        WRITERS["html"](collect(ws, BOOK), tmp_path / "r.html")
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((tmp_path / "r.html").as_uri())
    assert page.locator("table.heatmap tbody tr").count() == 3
    assert errors == []
    page.close()


def test_compare_two_moments(reviewed_demo, demo_pristine):
    with Workspace.open(demo_pristine) as before_ws, Workspace.open(reviewed_demo) as after_ws:
        changes = compare(assess(before_ws, BOOK), assess(after_ws, BOOK))
    by = {(c.organisation, c.measure_id): c for c in changes}
    assert by[("Gemeente Dijkwaard", "2.2")].change == "nieuw beoordeeld" and by[("Gemeente Dijkwaard", "2.2")].new_evidence >= 3
    with Workspace.open(reviewed_demo) as ws:
        assert compare(assess(ws, BOOK), assess(ws, BOOK)) == []
        assert all(v.level == NOT_ASSESSED for v in assess(ws, BOOK, until="2000-01-01"))
