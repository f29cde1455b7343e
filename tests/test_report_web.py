"""The verdicts pages over HTTP: three states, coverage, a cell's quotes, and that the cached
verdicts follow every decision and undo."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from weerbaar.codebook import load_codebook
from weerbaar.demo import demo_decisions
from weerbaar.review.decisions import import_decisions
from weerbaar.web.app import create_app
from weerbaar.workspace import Workspace

BOOK = load_codebook()


def client_for(folder) -> TestClient:
    client = TestClient(create_app(folder, BOOK, allowed_hosts=["testserver"]), follow_redirects=False)
    client.cookies.set("weerbaar_beoordelaar", "Anna")
    return client


def cell_state(html: str, org: str, measure: str) -> str:
    return re.search(rf'aria-label="{re.escape(org)}, maatregel {re.escape(measure)}: ([^"(]+?)(?: \(voorlopig\))?"', html)[1]


def test_dashboard_follows_decisions_and_undo(demo_copy):
    client = client_for(demo_copy)
    html = client.get("/oordelen").text
    assert cell_state(html, "Gemeente Dijkwaard", "2.2") == "niet beoordeeld"
    with Workspace.open(demo_copy) as ws:
        pid = ws.conn.execute(
            """SELECT s.passage_id FROM suggestions s JOIN passages p ON p.id = s.passage_id JOIN documents d
               ON d.id = p.document_id WHERE d.organisation = 'Gemeente Dijkwaard' AND s.measure_id = '2.2'
               ORDER BY s.score DESC LIMIT 1""").fetchone()[0]
        ws.decisions.record(pid, "2.2", "Anna", True, stage=3)
    html = client.get("/oordelen").text
    assert cell_state(html, "Gemeente Dijkwaard", "2.2") in ("hoog", "midden")
    assert "1/3" in html  # coverage beside the measure
    with Workspace.open(demo_copy) as ws:
        ws.decisions.undo_last("Anna")
    assert cell_state(client.get("/oordelen").text, "Gemeente Dijkwaard", "2.2") == "niet beoordeeld"


def test_cell_page_shows_quotes_reason_and_what_was_searched(demo_copy):
    with Workspace.open(demo_copy) as ws:
        import_decisions(ws, demo_decisions())
    client = client_for(demo_copy)
    page = client.get("/oordelen/cel", params={"organisatie": "Gemeente Dijkwaard", "maatregel": "2.2"})
    assert page.status_code == 200
    assert "hoog" in page.text and "Gezocht in 3 documenten" in page.text and "<blockquote" in page.text
    provisional = client.get("/oordelen/cel", params={"organisatie": "Gemeente Heemvoort", "maatregel": "1.1",
                                                      "voorlopig": "true"})
    assert provisional.status_code == 200
    assert client.get("/oordelen/cel", params={"organisatie": "Niemand", "maatregel": "2.2"}).status_code == 404
    assert client.get("/oordelen/cel", params={"organisatie": "Gemeente Dijkwaard", "maatregel": "9.9"}).status_code == 404
    assert "te weinig beoordeeld" in client.get("/oordelen").text


def test_dashboard_follows_a_corrected_organisation(demo_copy):
    from weerbaar.workspace.documents import correct_document

    client = client_for(demo_copy)
    assert "Gemeente Heemvoort" in client.get("/oordelen").text
    with Workspace.open(demo_copy) as ws:
        ids = [r[0] for r in ws.conn.execute("SELECT id FROM documents WHERE organisation = 'Gemeente Heemvoort'")]
        for doc_id in ids:  # the same length as the old name: a length-based fingerprint would miss it
            correct_document(ws, doc_id, {"organisation": "Gemeente Heemvoorx"})
    html = client.get("/oordelen").text
    assert "Gemeente Heemvoorx" in html and "Gemeente Heemvoort" not in html
