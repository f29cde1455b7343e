"""The review app in a real browser (Debian's Chromium via Playwright): keyboard-only review with
undo and reload, a killed server, accessibility (axe-core) and escaping of document text."""

from __future__ import annotations

import pytest

from tests.conftest import ReviewServer
from weerbaar.workspace import Workspace

pytestmark = pytest.mark.browser


@pytest.fixture
def server(demo_copy):
    srv = ReviewServer(demo_copy).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def viewing_server(demo_pristine, tmp_path_factory):
    """One server on one copy of the demo for the pages that are only looked at (no decisions)."""
    import shutil

    folder = tmp_path_factory.mktemp("bekijken") / "demo"
    shutil.copytree(demo_pristine, folder)
    srv = ReviewServer(folder).start()
    yield srv
    srv.stop()


def decisions_in(folder):
    with Workspace.open(folder) as ws:
        return ws.decisions.all()


def shown_passage(page) -> int:
    return int(page.locator('input[name="passage_id"]').get_attribute("value"))


def press(page, key: str) -> None:
    """Press a decision key and wait until the next page is there."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_keyboard_only_review_with_undo_survives_reload(server, page, demo_copy):
    page.goto(server.url + "/")
    page.keyboard.type("Anna de Vries")  # the name field has the focus
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Anna de Vries" in page.locator("header").inner_text()
    page.goto(server.url + "/maatregel/2.2")

    first = shown_passage(page)
    press(page, "j")  # relevant, all three checks as ticked
    second = shown_passage(page)
    assert second != first
    page.keyboard.press("c")  # the quote is not right
    page.keyboard.press("1")  # stage: intention
    press(page, "n")
    third = shown_passage(page)
    assert third not in (first, second)
    press(page, "j")
    press(page, "z")  # undo the last one: that passage comes back
    assert shown_passage(page) == third

    page.reload()
    assert shown_passage(page) == third
    assert f"Opgeslagen: passage {second}" in page.locator(".laatste").inner_text()

    ds = decisions_in(demo_copy)
    active = [d for d in ds if d.undone_at is None]
    assert [(d.passage_id, d.relevant) for d in active] == [(first, True), (second, False)]
    assert active[0].quote_correct and active[0].about_measure and active[0].enough_context
    assert active[1].quote_correct is False and active[1].stage == 1
    assert {d.reviewer for d in ds} == {"Anna de Vries"}
    undone = [d for d in ds if d.undone_at]
    assert [(d.passage_id, d.relevant) for d in undone] == [(third, True)]  # kept, marked undone
    assert page.console_errors == []


def test_a_killed_server_loses_nothing(demo_copy, page):
    server = ReviewServer(demo_copy).start()
    page.context.add_cookies([{"name": "weerbaar_beoordelaar", "value": "Bram", "url": server.url}])
    page.goto(server.url + "/maatregel/2.2")
    decided = []
    for key in ("j", "n"):
        decided.append(shown_passage(page))
        press(page, key)
    server.kill()  # like a crash: no shutdown, no flush

    restarted = ReviewServer(demo_copy, port=server.port).start()
    try:
        assert [d.passage_id for d in decisions_in(demo_copy)] == decided
        page.reload()
        assert shown_passage(page) not in decided
        decided.append(shown_passage(page))
        press(page, "j")  # the open page's form still works after the restart
        assert [d.passage_id for d in decisions_in(demo_copy)] == decided
    finally:
        restarted.stop()


@pytest.mark.parametrize("path", ["/", "/maatregel/2.2", "/zoek?q=noodsteunpunt", "/documenten", "/document/1",
                                  "/team", "/passage/1?maatregel=3.2"])
def test_no_serious_accessibility_violations(viewing_server, page, path):
    from axe_playwright_python.sync_playwright import Axe

    server = viewing_server
    page.context.add_cookies([{"name": "weerbaar_beoordelaar", "value": "Anna", "url": server.url}])
    page.goto(server.url + path)
    page.wait_for_load_state("networkidle")
    result = Axe().run(page)
    serious = [(v["id"], v["impact"], len(v["nodes"])) for v in result.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert page.console_errors == []


def test_document_text_is_shown_as_text_not_run(demo_copy, tmp_path, page, embedder):
    from weerbaar.classify.pipeline import analyse_workspace
    from weerbaar.codebook import load_codebook
    from weerbaar.ingest.pipeline import ingest_paths

    doc = tmp_path / "in" / "gemeente-scriptdorp-raadsinformatiebrief-2025.txt"
    doc.parent.mkdir()
    doc.write_text("Gemeente Scriptdorp richt noodsteunpunten in. <script>window.pwned = 1</script> "
                   "<img src=x onerror=\"window.pwned = 2\"> De locaties zijn aangewezen.\n", "utf-8")
    with Workspace.open(demo_copy) as ws:
        ingest_paths(ws, [doc])
        analyse_workspace(ws, load_codebook(), embedder=embedder)
        passage, document = ws.conn.execute(
            "SELECT p.id, p.document_id FROM passages p WHERE p.text LIKE '%<script>%'").fetchone()
    server = ReviewServer(demo_copy).start()
    try:
        page.context.add_cookies([{"name": "weerbaar_beoordelaar", "value": "Anna", "url": server.url}])
        for path in (f"/passage/{passage}?maatregel=2.2", f"/document/{document}", "/zoek?q=scriptdorp"):
            page.goto(server.url + path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("window.pwned") is None
            assert "<script>window.pwned = 1</script>" in page.locator("main").inner_text()
    finally:
        server.stop()
