"""The review app against hostile or odd requests (HTTP level): a decision with an unknown "hoort
ook bij" measure, numbers beyond SQLite, framing and sniffing headers, forged and borrowed CSRF
tokens, LIKE wildcards, oversized bodies and broken imports."""

from __future__ import annotations

import html
import json
import re
import socket
import tempfile

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ReviewServer
from tests.test_web_api import BOOK, client_for, decide, shown, token
from weerbaar.errors import WeerbaarError
from weerbaar.web.app import create_app
from weerbaar.workspace import Workspace
from weerbaar.workspace.decisions import DecisionLog
from weerbaar.workspace.documents import DocumentFilters, list_documents

HUGE = "9" * 30  # far beyond SQLite's 64-bit integers


def stored(folder) -> list:
    with Workspace.open(folder) as ws:
        return ws.decisions.all()


# --- "hoort ook bij": validated before anything is written --------------------------------------

def test_unknown_extra_measure_stores_nothing(demo_copy):
    client = client_for(demo_copy, "Anna")
    response = decide(client, shown(client), andere_maatregelen="3.2, 9.9")
    assert response.status_code == 400
    assert "'9.9' bestaat niet in het codeboek; er is niets opgeslagen" in html.unescape(response.text)
    assert stored(demo_copy) == []


def test_known_extra_measures_are_stored_with_the_decision(demo_copy):
    client = client_for(demo_copy, "Anna")
    passage = shown(client)
    assert decide(client, passage, andere_maatregelen="3.2; 2.2, 5.1").status_code == 303
    assert sorted((d.passage_id, d.measure_id, d.relevant) for d in stored(demo_copy)) == [
        (passage, "2.2", True), (passage, "3.2", True), (passage, "5.1", True)]


def test_decide_writes_all_or_nothing(demo_copy, monkeypatch):
    with Workspace.open(demo_copy) as ws:
        passage = ws.conn.execute("SELECT min(id) FROM passages").fetchone()[0]
        with pytest.raises(WeerbaarError, match="bestaat niet in het codeboek"):
            ws.decisions.decide(passage, "2.2", "Anna", True, also_for=["3.2", "x"], known_measures={"2.2", "3.2"})
        real_insert, calls = DecisionLog._insert, []

        def failing_insert(conn, d):  # the disk fails while the second row is written
            calls.append(d.measure_id)
            if len(calls) == 2:
                raise OSError("schijf vol")
            return real_insert(conn, d)

        monkeypatch.setattr(DecisionLog, "_insert", staticmethod(failing_insert))
        with pytest.raises(OSError):
            ws.decisions.decide(passage, "2.2", "Anna", True, also_for=["3.2"])
        assert calls == ["2.2", "3.2"] and ws.decisions.all() == []
        monkeypatch.undo()
        assert [d.measure_id for d in ws.decisions.decide(passage, "2.2", "Anna", True, also_for=["3.2"])] == ["2.2", "3.2"]
        assert ws.decisions.record(passage, "5.1", "Anna", False).measure_id == "5.1"  # record still works
        assert len(ws.decisions.all()) == 3


# --- integers beyond SQLite ----------------------------------------------------------------------

@pytest.mark.parametrize("path", [f"/passage/{HUGE}", f"/passage/{HUGE}?maatregel=2.2", f"/document/{HUGE}",
                                  f"/pagina/{HUGE}/1.png", f"/pagina/{{pdf}}/{HUGE}.png",
                                  f"/maatregel/2.2?passage={HUGE}", f"/passage/-{HUGE}?maatregel=2.2"])
def test_huge_ids_are_not_found_not_a_crash(demo_copy, path):
    with Workspace.open(demo_copy) as ws:
        pdf = ws.conn.execute("SELECT min(id) FROM documents WHERE format = 'pdf'").fetchone()[0]
    response = client_for(demo_copy, "Anna").get(path.format(pdf=pdf))
    assert response.status_code in (404, 422)
    assert "bestaat niet" in response.text and response.headers["content-type"].startswith("text/html")


def test_huge_ids_in_forms_and_filters(demo_copy):
    client = client_for(demo_copy, "Anna")
    response = decide(client, HUGE)
    assert response.status_code == 404 and "bestaat niet in deze werkruimte" in response.text
    response = client.post("/conflict", data={"passage_id": HUGE, "measure_id": "2.2", "besluit": "relevant",
                                              "csrf": token(client)})
    assert response.status_code == 404
    response = client.get(f"/documenten?jaar={HUGE}")
    assert response.status_code == 400 and "geen jaar" in response.text
    response = decide(client, shown(client), fase=HUGE)
    assert response.status_code == 400 and "bestaat niet" in response.text
    assert stored(demo_copy) == []


def test_a_malformed_parameter_gets_a_dutch_page(demo_copy):
    response = client_for(demo_copy, "Anna").get("/document/twaalf")
    assert response.status_code == 422 and "'document_id' moet een geheel getal zijn" in html.unescape(response.text)
    assert 'lang="nl"' in response.text


def test_an_unexpected_error_is_a_dutch_page_not_a_traceback(demo_copy, monkeypatch):
    from weerbaar.web import routes_browse

    def broken(*args, **kwargs):
        raise RuntimeError("geheime interne details")

    monkeypatch.setattr(routes_browse, "list_documents", broken)
    client = TestClient(create_app(demo_copy, BOOK), raise_server_exceptions=False)
    response = client.get("/documenten")
    assert response.status_code == 500 and "Er ging iets mis" in response.text
    assert "geheime" not in response.text and "Traceback" not in response.text


# --- headers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/maatregel/2.2", "/team", "/static/app.css", "/pagina/1/1.png", "/bestaat-niet"])
def test_every_response_forbids_framing_and_sniffing(demo_copy, path):
    response = client_for(demo_copy, "Anna").get(path)
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "object-src 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_refusals_carry_the_headers_too(demo_copy):
    client = client_for(demo_copy, "Anna")
    response = client.get("/", headers={"Host": "attacker.example"})
    assert response.status_code == 400 and response.headers["x-frame-options"] == "DENY"


# --- CSRF per browser ------------------------------------------------------------------------------

def test_a_form_token_works_only_in_the_browser_it_was_given_to(demo_copy):
    anna, mallory = client_for(demo_copy, "Anna"), client_for(demo_copy, "Mallory")
    passage = shown(anna)
    anna_token, mallory_token = token(anna), token(mallory)
    assert anna_token != mallory_token
    data = {"passage_id": passage, "measure_id": "2.2", "besluit": "relevant"}
    assert mallory.post("/beslissing", data={**data, "csrf": anna_token}).status_code == 403
    fresh = client_for(demo_copy, "Mallory")  # no browser cookie at all
    assert fresh.post("/beslissing", data={**data, "csrf": anna_token}).status_code == 403
    assert stored(demo_copy) == []
    assert anna.post("/beslissing", data={**data, "csrf": anna_token}).status_code == 303
    assert token(anna) == anna_token  # stable for the browser: open pages keep working


def test_browser_cookie_is_http_only_and_same_site(demo_copy):
    response = client_for(demo_copy).get("/")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("weerbaar_sessie=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- LIKE wildcards --------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern", ["%", "_", "%%", "_ijkw%", "\\"])
def test_wildcards_in_the_organisation_filter_match_only_themselves(demo_copy, pattern):
    with Workspace.open(demo_copy) as ws:
        assert list_documents(ws, DocumentFilters(organisation=pattern)) == []
        assert list_documents(ws, DocumentFilters(organisation="ijkw"))  # a plain part still matches
    page = client_for(demo_copy, "Anna").get("/documenten", params={"organisatie": pattern}).text
    assert 'href="/document/' not in page


def test_wildcards_match_literally_when_the_name_has_them(demo_copy):
    with Workspace.open(demo_copy) as ws, ws.transaction() as conn:
        conn.execute("UPDATE documents SET organisation = 'Gemeente 100%_Zeker' WHERE id = 1")
    with Workspace.open(demo_copy) as ws:
        assert [d["id"] for d in list_documents(ws, DocumentFilters(organisation="100%_z"))] == [1]
        assert list_documents(ws, DocumentFilters(organisation="10%z")) == []


# --- request bodies --------------------------------------------------------------------------------

class Body:
    """A lazily produced request body that counts what the app actually read."""

    def __init__(self, total: int, chunk: int = 1024 * 1024):
        self.total, self.chunk, self.sent = total, chunk, 0

    def __iter__(self):
        while self.sent < self.total:
            n = min(self.chunk, self.total - self.sent)
            self.sent += n
            yield b"x" * n


@pytest.fixture
def spool(tmp_path, monkeypatch):
    """Where Python would spool uploads: empty afterwards means nothing was written."""
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_gigabyte_upload_is_refused_before_it_is_read(demo_copy, spool):
    client = client_for(demo_copy, "Anna")
    csrf = token(client)
    body = Body(1024 ** 3)
    response = client.post(f"/import?csrf={csrf}", content=body,
                           headers={"Content-Length": str(1024 ** 3), "Content-Type": "multipart/form-data; boundary=x"})
    assert response.status_code == 413 and "groter dan 200 MB" in response.text
    assert body.sent == 0 and list(spool.iterdir()) == []


def test_a_body_without_length_is_counted_as_it_streams(demo_copy, spool):
    client = TestClient(create_app(demo_copy, BOOK, max_upload=1024 * 1024, max_body=64 * 1024), follow_redirects=False)
    client.cookies.set("weerbaar_beoordelaar", "Anna")
    token(client)  # loads a page, which sets the browser cookie
    payload = b"--x\r\nContent-Disposition: form-data; name=\"bestand\"; filename=\"b.jsonl\"\r\n\r\n" + b"{}\n" * 700_000
    response = client.post("/import", content=iter([payload[i:i + 65536] for i in range(0, len(payload), 65536)]),
                           headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert response.status_code == 413 and list(spool.iterdir()) == []
    response = client.post("/beslissing", content=iter([b"notitie=" + b"a" * 100_000]),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert stored(demo_copy) == []
    assert decide(client, shown(client), notitie="kort").status_code == 303  # normal forms pass


def test_a_cross_site_upload_is_refused_before_its_body_is_read(demo_copy, spool):
    client = client_for(demo_copy, "Anna")
    body = Body(50 * 1024 * 1024)
    response = client.post("/import", content=body, headers={"Origin": "http://evil.example",
                                                            "Content-Type": "multipart/form-data; boundary=x"})
    assert response.status_code == 403 and body.sent == 0


def test_uploads_without_the_browser_cookie_or_to_other_routes_are_refused_unread(demo_copy, spool):
    body = Body(50 * 1024 * 1024)
    fresh = client_for(demo_copy, "Anna")  # never loaded a page: no browser cookie
    response = fresh.post("/import", content=body, headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert response.status_code == 403 and body.sent == 0
    client = client_for(demo_copy, "Anna")
    csrf = token(client)
    response = client.post("/beslissing", data={"csrf": csrf, "passage_id": "1", "measure_id": "2.2", "besluit": "niet"},
                           files={"bijlage": ("x.bin", b"x" * 1_500_000, "application/octet-stream")})
    assert response.status_code == 415 and list(spool.iterdir()) == [] and stored(demo_copy) == []


def test_a_real_server_answers_413_without_waiting_for_the_body(demo_copy):
    server = ReviewServer(demo_copy).start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(b"POST /import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                      b"Content-Length: 1073741824\r\n\r\n" + b"x" * 65536)
            reply = s.recv(4096).decode("latin-1")
        assert reply.startswith("HTTP/1.1 413")
    finally:
        server.stop()


# --- import errors ---------------------------------------------------------------------------------

def test_a_broken_import_lists_the_records_in_dutch_and_stores_nothing(demo_copy, demo_pristine, tmp_path):
    import shutil

    source = client_for(demo_copy, "Anna")
    decide(source, shown(source))
    lines = source.get("/export/beslissingen.jsonl").content.decode().splitlines()
    record = json.loads(lines[0])
    broken = [lines[0], json.dumps({k: v for k, v in record.items() if k not in ("reviewer", "text")})]
    other = tmp_path / "ander"
    shutil.copytree(demo_pristine, other)
    receiver = client_for(other, "Carla")
    response = receiver.post("/import", data={"csrf": token(receiver)},
                             files={"bestand": ("beslissingen.jsonl", "\n".join(broken).encode(), "application/x-ndjson")})
    assert response.status_code == 400
    assert "Er is niets ingelezen uit beslissingen.jsonl" in response.text
    assert re.search(r"<li>[^<]*regel 2[^<]*reviewer", response.text)  # file and line, then the field
    response = receiver.post("/import", data={"csrf": token(receiver)},
                             files={"bestand": ("b.jsonl", b"{niet json\n", "application/x-ndjson")})
    assert response.status_code == 400 and "regel 1" in response.text
    assert stored(other) == []
