"""The report as people see it: every measure on the first PDF pages and nothing clipped, the HTML
and the web matrix within 1280 px in a real browser, quotes in provisional reports, labels instead
of codes, and spreadsheet cells that cannot become formulas."""

from __future__ import annotations

import csv

import pytest

from weerbaar.codebook import load_codebook
from weerbaar.demo import demo_decisions
from weerbaar.report.build import WRITERS, collect
from weerbaar.review.decisions import import_decisions
from weerbaar.workspace import Workspace

BOOK = load_codebook()


@pytest.fixture
def reviewed_demo(demo_copy):
    with Workspace.open(demo_copy) as ws:
        import_decisions(ws, demo_decisions())
    return demo_copy


@pytest.fixture
def hostile_demo(reviewed_demo):
    """Names and titles that a spreadsheet would run as formulas."""
    with Workspace.open(reviewed_demo) as ws:
        ws.conn.execute("UPDATE documents SET organisation = '=HYPERLINK(\"http://example.org\",\"klik\")' "
                        "WHERE organisation = 'Gemeente Heemvoort'")
        ws.conn.execute("UPDATE documents SET title = '=1+2' WHERE id = (SELECT min(id) FROM documents "
                        "WHERE organisation = 'Gemeente Dijkwaard')")
        ws.conn.execute("UPDATE decisions SET reviewer = '@SUM(1)' WHERE reviewer = (SELECT min(reviewer) FROM decisions)")
        ws.conn.commit()
    return reviewed_demo


def test_names_starting_with_a_formula_sign_stay_text(hostile_demo, tmp_path):
    from openpyxl import load_workbook

    with Workspace.open(hostile_demo) as ws:
        report = collect(ws, BOOK, charts=False)
    for fmt in ("xlsx", "csv"):
        WRITERS[fmt](report, tmp_path / f"r.{fmt}")
    wb = load_workbook(tmp_path / "r.xlsx")
    risky = [c for sheet in wb.worksheets for row in sheet.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))]
    values = {c.value for c in risky}
    assert '=HYPERLINK("http://example.org","klik")' in values and "=1+2" in values
    assert any(v.startswith("@SUM(1)") for v in values)
    assert risky and all(c.data_type == "s" for c in risky)  # data, never a formula
    rows = list(csv.reader((tmp_path / "r.csv").open(encoding="utf-8-sig"), delimiter=";"))
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert any(row[0] == "'=HYPERLINK(\"http://example.org\",\"klik\")" for row in rows)


def test_exports_show_labels_not_codes(reviewed_demo, tmp_path):
    with Workspace.open(reviewed_demo) as ws:
        report = collect(ws, BOOK, charts=False)
    WRITERS["csv"](report, tmp_path / "r.csv")
    rows = list(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8-sig"), delimiter=";"))
    codes = {e.id for m in BOOK.measures for e in m.elements if "_" in e.id}
    shown = " ".join(r["aangetoonde_elementen"] + " " + r["ontbrekende_elementen"] for r in rows)
    assert codes and not [c for c in codes if c in shown.split("; ")]
    assert any(e.label in shown for m in BOOK.measures for e in m.elements)
    assert {r["oordeel"] for r in rows} <= {"hoog", "midden", "laag", "geen bewijs gevonden", "niet beoordeeld"}


def test_dutch_reads_well(reviewed_demo, tmp_path):
    with Workspace.open(reviewed_demo) as ws:
        report = collect(ws, BOOK, charts=False)
    WRITERS["html"](report, tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text("utf-8")
    assert "passage(s)" not in html and "van 1 organisaties" not in html and "beoordelaar(s)" not in html
    # The rule of a level is written once, in the method section, not in every cell.
    assert html.count(report.method["rules"]["hoog"].replace("’", "&#39;")) <= 1


def test_provisional_report_shows_quotes_marked_provisional(demo_copy, tmp_path):
    with Workspace.open(demo_copy) as ws:  # nothing reviewed
        report = collect(ws, BOOK, include_suggestions=True, charts=False)
        pages = {(r[0], r[1]): r[2] for r in ws.conn.execute("SELECT document_id, page_no, text FROM pages")}
    WRITERS["html"](report, tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text("utf-8")
    sentences = [s for ss in report.summaries.values() for s in ss]
    assert sentences and all(s.provisional for s in sentences)
    assert html.count('class="voorlopig-citaat"') == len(sentences)
    for s in sentences:
        e = s.evidence
        assert e.quote in pages[(e.document_id, e.page_no)][e.start:e.end]


def _pdf(folder, tmp_path, **kwargs):
    with Workspace.open(folder) as ws:
        WRITERS["pdf"](collect(ws, BOOK, **kwargs), tmp_path / "r.pdf")
    return tmp_path / "r.pdf"


def test_pdf_matrix_shows_every_measure_on_the_first_pages_and_nothing_is_clipped(reviewed_demo, tmp_path):
    import pypdfium2 as pdfium

    path = _pdf(reviewed_demo, tmp_path)
    doc = pdfium.PdfDocument(path)
    first = " ".join(doc[i].get_textpage().get_text_range() for i in range(2)).split()
    missing = [m.id for m in BOOK.measures if m.id not in first]
    assert missing == []
    for i in range(len(doc)):
        page = doc[i]
        width, height = page.get_size()
        text = page.get_textpage()
        for c in range(text.count_chars()):
            left, bottom, right, top = text.get_charbox(c)
            assert -0.5 <= left and right <= width + 0.5 and -0.5 <= bottom and top <= height + 0.5, (i, c)
    # Rendered as a picture: the right margin of the first two pages (where a clipped matrix ran off) is blank.
    for i in range(2):  # PDFium renders as pdftoppm would, at 50 dpi
        image = doc[i].render(scale=50 / 72).to_pil().convert("L")
        strip = image.crop((image.width - int(0.9 / 2.54 * 50), 0, image.width, image.height))
        assert strip.getextrema()[0] > 240, f"page {i + 1}"


@pytest.fixture
def many_organisations(reviewed_demo):
    """Twelve organisations with long names, as a region has: the matrix must still fit."""
    with Workspace.open(reviewed_demo) as ws:
        ids = [r[0] for r in ws.conn.execute("SELECT id FROM documents ORDER BY id")]
        for i, doc in enumerate(ids):
            ws.conn.execute("UPDATE documents SET organisation = ? WHERE id = ?",
                            (f"Gemeente Sint-Oedenrode-Nuenen en Omstreken {i}", doc))
        ws.conn.commit()
    return reviewed_demo


@pytest.mark.browser
def test_html_report_fits_1280_px_without_horizontal_scrolling(many_organisations, tmp_path, browser):
    with Workspace.open(many_organisations) as ws:
        WRITERS["html"](collect(ws, BOOK), tmp_path / "r.html")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((tmp_path / "r.html").as_uri())
    assert page.locator("table.matrix").count() >= 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    overflowing = page.evaluate("""[...document.querySelectorAll('table, img')].filter(
        el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length""")
    assert overflowing == 0
    headers = page.locator("table.matrix thead th[scope=col]:not(.org)")
    box = headers.first.bounding_box()
    assert box["width"] >= box["height"] * 0.8  # horizontal headers, not rotated columns of text
    assert page.locator("img.grafiek").count() >= 2 and errors == []
    context.close()


@pytest.mark.browser
def test_web_verdicts_page_fits_1280_px(many_organisations, browser):
    from tests.conftest import ReviewServer

    server = ReviewServer(many_organisations).start()
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(server.url + "/oordelen")
        assert page.locator("table.heatmap").count() >= 2
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        page.keyboard.press("Tab")
        link = page.locator("table.heatmap td a").first
        link.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "/oordelen/cel" in page.url and page.locator("h1").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        context.close()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def reviewed_server(demo_pristine, tmp_path_factory):
    """One review server on one reviewed copy of the demo, for the verdict pages that are only looked at."""
    import shutil

    from tests.conftest import ReviewServer

    folder = tmp_path_factory.mktemp("oordelen") / "demo"
    shutil.copytree(demo_pristine, folder)
    with Workspace.open(folder) as ws:
        import_decisions(ws, demo_decisions())
    server = ReviewServer(folder).start()
    yield server
    server.stop()


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/oordelen", "/oordelen?voorlopig=true",
                                  "/oordelen/cel?organisatie=Gemeente%20Dijkwaard&maatregel=2.2"])
def test_verdict_pages_have_no_serious_accessibility_violations(reviewed_server, browser, path):
    from axe_playwright_python.sync_playwright import Axe

    server = reviewed_server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server.url + path)
    result = Axe().run(page)
    serious = [(v["id"], len(v["nodes"])) for v in result.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    context.close()


def test_pdf_quotes_the_strongest_cells_and_names_the_others(demo_copy, tmp_path, monkeypatch):
    """With many organisations the PDF quotes a few cells per measure and names the rest per level,
    saying where their quotes are; the HTML still quotes every cell."""
    import pypdfium2 as pdfium

    from weerbaar.report import build

    monkeypatch.setattr(build, "PDF_QUOTED_CELLS", 1)
    with Workspace.open(demo_copy) as ws:
        report = collect(ws, BOOK, include_suggestions=True, charts=False)
    crowded = [m.id for m in BOOK.measures if len([o for o in report.organisations if report.verdicts[(o, m.id)].evidence]) > 1]
    assert crowded
    quoted, named = report.pdf_cells(crowded[0])
    assert len(quoted) == 1 and sum(len(orgs) for orgs in named.values()) >= 1
    assert quoted[0].organisation not in [o for orgs in named.values() for o in orgs]
    WRITERS["pdf"](report, tmp_path / "r.pdf")
    WRITERS["html"](report, tmp_path / "r.html")
    doc = pdfium.PdfDocument(tmp_path / "r.pdf")
    text = " ".join(" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc)))
    assert "ten hoogste 1 organisaties" in text and "Ook met bewijs" in text and "rapport.xlsx" in text
    cells_with_evidence = sum(1 for v in report.verdicts.values() if v.evidence)
    html = (tmp_path / "r.html").read_text("utf-8")
    assert html.count('class="voorlopig-citaat"') == len([s for ss in report.summaries.values() for s in ss])
    measures_with_evidence = sum(
        1 for m in BOOK.measures if any(report.verdicts[(o, m.id)].evidence for o in report.organisations))
    assert html.count('<div class="cel ') == cells_with_evidence > measures_with_evidence
    assert build.render_html(report, for_pdf=True).count('<div class="cel ') == measures_with_evidence


def test_report_forms_are_written_side_by_side(reviewed_demo, tmp_path, monkeypatch):
    """'weerbaar rapport' (a real process, single-threaded, so the PDF is written in a forked one
    beside the other forms) writes every form; a PDF that fails is an error after the others."""
    import subprocess
    import sys

    import pypdfium2 as pdfium

    from weerbaar.errors import WeerbaarError
    from weerbaar.report.write import write_forms

    done = subprocess.run([sys.executable, "-m", "weerbaar", "rapport", "-w", str(reviewed_demo), "--naar",
                           str(tmp_path / "a")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("Geschreven:") == 5
    assert all((tmp_path / "a" / f"rapport.{fmt}").stat().st_size > 0 for fmt in ("html", "pdf", "xlsx", "csv", "json"))
    assert len(pdfium.PdfDocument(tmp_path / "a" / "rapport.pdf")) >= 2

    def broken(report, path):
        raise WeerbaarError("kapot")

    with Workspace.open(reviewed_demo) as ws:
        report = collect(ws, BOOK, charts=False)
    monkeypatch.setitem(WRITERS, "pdf", broken)
    with pytest.raises(WeerbaarError, match="kapot"):
        write_forms(report, tmp_path / "b", ["pdf", "csv"])
    assert (tmp_path / "b" / "rapport.csv").exists()
