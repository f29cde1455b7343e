"""Fetching against a real HTTP server on 127.0.0.1 (no test reaches the internet)."""

import json

import pytest
from typer.testing import CliRunner

from tests.conftest import PROSE, write_pdf
from tests.fetch_server import FakeSources, Server
from tests.test_json_contract import validate
from weerbaar.cli.main import app
from weerbaar.errors import WeerbaarError
from weerbaar.fetch import openbesluitvorming as obv
from weerbaar.fetch import ori
from weerbaar.fetch.http import FetchError, Http, HttpSettings
from weerbaar.fetch.pipeline import fetch_candidates
from weerbaar.fetch.urllist import read_url_list
from weerbaar.fetch.website import Crawler, CrawlSettings
from weerbaar.regions import load_region_mapping
from weerbaar.workspace.documents import list_documents

runner = CliRunner()


@pytest.fixture
def pdfs(tmp_path):
    def pdf(name, text):
        return write_pdf(tmp_path / name, [text]).read_bytes()

    return {"begroting-2025.pdf": pdf("a.pdf", PROSE[0]), "jaarverslag-2024.pdf": pdf("b.pdf", PROSE[1]),
            "menu.pdf": pdf("c.pdf", PROSE[2]), "groot.pdf": b"%PDF-1.4\n" + b"0" * 3_000_000,
            "intern-jaarverslag.pdf": pdf("d.pdf", PROSE[2])}


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def http(sleeps):
    client = Http(HttpSettings(retries=3, backoff=0.5, delay=0.0), sleep=sleeps.append)
    yield client
    client.close()


def test_retries_with_backoff_then_succeeds_and_429_waits_for_retry_after(pdfs, http, sleeps):
    state = FakeSources(pdfs)
    state.flaky["/files/begroting-2025.pdf"] = 2
    state.rate_limited_once.add("/api/stats")
    with Server(state) as server:
        assert http.request("GET", server.url + "/files/begroting-2025.pdf").status_code == 200
        assert sleeps[:2] == [0.5, 1.0]  # exponential backoff after two 500s
        assert http.get_json(server.url + "/api/stats") == {"documentCount": 0, "organizationCount": 1}
        assert 0.0 in sleeps[2:]  # Retry-After: 0 honoured, then the request went through


def test_rate_limit_headers_pause_and_requests_to_one_host_are_spaced(pdfs, sleeps):
    state = FakeSources(pdfs)
    now = [1000.0]

    def sleep(seconds):  # a clock that moves only when we wait, so the test does not depend on speed
        sleeps.append(seconds)
        now[0] += seconds

    polite = Http(HttpSettings(delay=0.25), sleep=sleep, clock=lambda: now[0])
    with Server(state) as server:
        polite.get_json(server.url + "/api/pauze")  # RateLimit-Remaining: 0, RateLimit-Reset: 5
        polite.get_json(server.url + "/api/stats")
        polite.get_json(server.url + "/api/stats")
    polite.close()
    assert sleeps == [5.0, 0.25]  # waited for the bucket to refill, then only the politeness delay


def test_persistent_server_errors_become_a_clear_failure(pdfs, http):
    state = FakeSources(pdfs)
    state.flaky["/files/menu.pdf"] = 99
    with Server(state) as server, pytest.raises(FetchError) as info:
        http.request("GET", server.url + "/files/menu.pdf")
    assert info.value.message == "De server antwoordt met fout 500 (na 4 pogingen)."


def ori_doc(i, name, url=None, pages=None, date="2025-01-0"):
    return {"_index": "ori_testdorp_20250101", "_id": f"doc{i}", "_source": {
        "@type": "MediaObject", "name": name, "original_url": url, "url": url, "content_type": "application/pdf",
        "last_discussed_at": f"{date}{i}T10:00:00", **({"text_pages": pages} if pages else {})}}


def test_ori_pages_with_search_after_downloads_and_falls_back_to_page_texts(ws, pdfs, http, monkeypatch):
    monkeypatch.setattr(ori, "PAGE_SIZE", 2)
    state = FakeSources(pdfs)
    with Server(state) as server:
        state.ori_docs = [
            ori_doc(1, "Programmabegroting 2025", server.url + "/files/begroting-2025.pdf"),
            ori_doc(2, "Jaarverslag 2024", server.url + "/files/jaarverslag-2024.pdf"),
            ori_doc(3, "Raadsinformatiebrief noodsteunpunten", server.url + "/files/weg.pdf",
                    pages=["De gemeente Testdorp heeft noodsteunpunten aangewezen in alle wijken van de stad.",
                           "Tweede pagina van de brief over de noodsteunpunten en de informatie aan inwoners."]),
            ori_doc(4, "Kapotte bijlage", server.url + "/files/ook-weg.pdf"),
        ]
        report = fetch_candidates(ws, http, ori.candidates(http, "Testdorp", base=server.url + "/v1/elastic"))
        searches = [p for m, p in state.log if m == "POST"]
        assert searches == ["/v1/elastic/ori_testdorp_*/_search"] * 3  # 2 + 2 + 0 hits
        assert [i.status for i in report.items] == ["nieuw", "nieuw", "nieuw", "fout"]
        assert report.failures[0].message == "De bron antwoordt met 404."
        docs = {d["title"]: d for d in list_documents(ws)}
        brief = docs["Raadsinformatiebrief noodsteunpunten"]
        assert brief["organisation"] == "Gemeente Testdorp" and brief["date"] == "2025-01-03"
        assert brief["page_count"] == 2 and brief["source_info"]["bron"] == "ori"
        assert "tekst van de bron gebruikt" in brief["source_info"]["tekst_van_bron"]
        assert docs["Programmabegroting 2025"]["source_info"]["url"].endswith("/files/begroting-2025.pdf")

        # A second run fetches only what is new or failed before.
        requests_before = len(state.log)
        again = fetch_candidates(ws, http, ori.candidates(http, "Testdorp", base=server.url + "/v1/elastic"))
        assert [i.status for i in again.items] == ["ongewijzigd", "ongewijzigd", "ongewijzigd", "fout"]
        file_requests = [p for _, p in state.log[requests_before:] if p.startswith("/files/")]
        assert file_requests == ["/files/ook-weg.pdf"]


def obv_doc(i, title, url, source="testdorp", text=None):
    return {"entityId": f"document:notubiz:gemeente:{source}:{i}", "source": source, "organization": "Testdorp",
            "date": f"{i} maart 2025", "sortDate": f"2025-03-0{i} 00:00:00", "title": title, "downloadUrl": url,
            "markdownText": text, "hash": str(i)}


def test_openbesluitvorming_search_with_rate_limit_and_entity_detail(ws, pdfs, http, sleeps, monkeypatch):
    monkeypatch.setattr(obv, "PAGE_SIZE", 2)
    state = FakeSources(pdfs)
    with Server(state) as server:
        state.obv_docs = [obv_doc(1, "Begroting 2025", server.url + "/files/begroting-2025.pdf"),
                          obv_doc(2, "Jaarverslag 2024", server.url + "/files/jaarverslag-2024.pdf"),
                          obv_doc(3, "Memo zonder bestand", None, text="# Memo\n\nDe gemeente oefent met stroomuitval.")]
        state.rate_limited_once.add("/api/search")
        report = fetch_candidates(ws, http, obv.search_candidates(http, organization="testdorp", query="begroting",
                                                                  base=server.url))
        assert [i.status for i in report.items] == ["nieuw", "nieuw", "nieuw"]
        assert 0.0 in sleeps  # the 429 was waited out, not reported
        searches = [p for _, p in state.log if p.startswith("/api/search")]
        assert len(searches) == 3 and "offset=2" in searches[-1]
        docs = {d["title"]: d for d in list_documents(ws)}
        assert docs["Begroting 2025"]["organisation"] == "Gemeente Testdorp"
        assert docs["Begroting 2025"]["source_info"]["bron_id"] == "document:notubiz:gemeente:testdorp:1"
        assert docs["Memo zonder bestand"]["format"] == "txt"

        with pytest.raises(FetchError, match="kent de bron 'nergens' niet"):
            list(obv.search_candidates(http, organization="nergens", query=None, base=server.url))


def test_openbesluitvorming_follow_snapshot_then_only_changes(ws, pdfs, http):
    state = FakeSources(pdfs)
    with Server(state) as server:
        docs = [obv_doc(1, "Begroting 2025", server.url + "/files/begroting-2025.pdf"),
                obv_doc(2, "Jaarverslag 2024", server.url + "/files/jaarverslag-2024.pdf"),
                obv_doc(3, "Menu", server.url + "/files/menu.pdf")]
        state.obv_docs = docs
        first = fetch_candidates(ws, http, obv.follow_candidates(ws, http, "testdorp", base=server.url))
        assert first.count("nieuw") == 3
        assert [p.split("?")[0] for _, p in state.log if "/api/export/" in p] == ["/api/export/snapshot"] * 2
        cursor = ws.conn.execute("SELECT cursor FROM fetch_cursors").fetchone()[0]
        assert cursor == "c0"

        state.obv_changes = [state.export_record({**docs[1], "hash": "2b", "title": "Jaarverslag 2024 (gewijzigd)"}, 4)]
        state.log.clear()
        second = fetch_candidates(ws, http, obv.follow_candidates(ws, http, "testdorp", base=server.url))
        assert [p.split("?")[0] for _, p in state.log if "/api/export/" in p] == ["/api/export/changes"]
        assert [i.candidate.title for i in second.items] == ["Jaarverslag 2024"]
        assert ws.conn.execute("SELECT cursor FROM fetch_cursors").fetchone()[0] == "c1"


def test_website_crawl_respects_robots_follows_sitemap_filters_and_limits_size(ws, pdfs, http):
    state = FakeSources(pdfs)
    with Server(state) as server:
        u = server.url
        state.site = {
            "/robots.txt": ("text/plain", f"User-agent: *\nDisallow: /intern/\nSitemap: {u}/sitemap.xml\n"),
            "/sitemap.xml": ("application/xml", '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/'
                             f'schemas/sitemap/0.9"><sitemap><loc>{u}/sitemap-1.xml</loc></sitemap></sitemapindex>'),
            "/sitemap-1.xml": ("application/xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/'
                               f'schemas/sitemap/0.9"><url><loc>{u}/documenten</loc></url></urlset>'),
            "/": ("text/html", '<a href="/over-ons">Over ons</a> <a href="https://elders.example/x.pdf">extern</a>'),
            "/over-ons": ("text/html", '<a href="/files/menu.pdf">Menukaart kantine</a>'
                          '<a href="/intern/geheim">intern</a>'),
            "/documenten": ("text/html", '<a href="/files/begroting-2025.pdf">Begroting 2025</a>'
                            '<a href="/files/groot.pdf">Jaarverslag (groot)</a>'
                            '<a href="/intern/jaarverslag-intern.pdf">Jaarverslag intern</a>'),
            "/intern/geheim": ("text/html", '<a href="/files/jaarverslag-2024.pdf">Jaarverslag</a>'),
        }
        crawler = Crawler(http, u + "/", CrawlSettings(depth=2, max_pages=20), "VR Haaglanden")
        report = fetch_candidates(ws, http, crawler.candidates(), max_mb=1)
        fetched = {i.candidate.url.rsplit("/", 1)[-1]: i.status for i in report.items}
        assert fetched == {"begroting-2025.pdf": "nieuw", "groot.pdf": "fout"}
        assert report.failures[0].message.startswith("Bestand te groot")
        assert not any(p.startswith("/intern/") for _, p in state.log)  # robots.txt: never asked
        assert not any("elders.example" in p for _, p in state.log)
        assert ("GET", "/sitemap-1.xml") in state.log
        (doc,) = list_documents(ws)
        assert doc["organisation"] == "Veiligheidsregio Haaglanden" and doc["title"] == "Begroting 2025"

        # A second crawl asks with If-None-Match: nothing is downloaded again until a file changes.
        again = fetch_candidates(ws, http, Crawler(http, u + "/", CrawlSettings(depth=2, max_pages=20)).candidates(),
                                 max_mb=1)
        assert {i.candidate.url.rsplit("/", 1)[-1]: i.status for i in again.items} == {
            "begroting-2025.pdf": "ongewijzigd", "groot.pdf": "fout"}
        state.files["begroting-2025.pdf"] = pdfs["jaarverslag-2024.pdf"]
        changed = fetch_candidates(ws, http, Crawler(http, u + "/", CrawlSettings(depth=2, max_pages=20)).candidates(),
                                   max_mb=1)
        assert changed.items[0].status == "gewijzigd"
        assert len(list_documents(ws)) == 1  # the changed file replaced its old version


def test_url_list_with_metadata_and_validation(ws, pdfs, http, tmp_path):
    state = FakeSources(pdfs)
    with Server(state) as server:
        lst = tmp_path / "lijst.csv"
        lst.write_text("url;organisatie;documenttype;jaar\n"
                       f"{server.url}/files/jaarverslag-2024.pdf;VRBZO;jaarverslag;2024\n"
                       f"{server.url}/files/weg.pdf;VRBZO;;\n", encoding="utf-8")
        report = fetch_candidates(ws, http, read_url_list(lst))
        assert [i.status for i in report.items] == ["nieuw", "fout"]
        (doc,) = list_documents(ws)
        assert (doc["organisation"], doc["doc_type"], doc["year"]) == ("Veiligheidsregio Brabant-Zuidoost", "jaarverslag", 2024)
    bad = tmp_path / "fout.csv"
    bad.write_text("url,jaar\nhttps://x.example/a.pdf,ooit\n", encoding="utf-8")
    with pytest.raises(WeerbaarError, match="regel 2: jaar 'ooit' is geen jaartal"):
        read_url_list(bad)


def test_region_mapping_file(tmp_path):
    path = tmp_path / "regio.csv"
    path.write_text("gemeente;veiligheidsregio\nWassenaar;Haaglanden\nHelmond;VRBZO\nDijkwaard;Rijnvallei\n", "utf-8")
    with pytest.raises(WeerbaarError, match="'Rijnvallei' is geen veiligheidsregio"):
        load_region_mapping(path)
    mapping, warnings = load_region_mapping(path, allow_unknown=True)
    assert mapping == {"Gemeente Wassenaar": "Veiligheidsregio Haaglanden",
                       "Gemeente Helmond": "Veiligheidsregio Brabant-Zuidoost",
                       "Gemeente Dijkwaard": "Veiligheidsregio Rijnvallei"}
    assert warnings == ["regel 4: 'Rijnvallei' is geen van de 25 veiligheidsregio's"]


def test_cli_haal_lijst_and_proef(tmp_path, pdfs):
    state = FakeSources(pdfs)
    with Server(state) as server:
        lst = tmp_path / "lijst.csv"
        lst.write_text(f"url,organisatie\n{server.url}/files/begroting-2025.pdf,Gemeente Testdorp\n", "utf-8")
        ws = tmp_path / "ws"
        result = runner.invoke(app, ["haal", "lijst", str(lst), "--werkruimte", str(ws), "--wachttijd", "0", "--json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        validate("fetch", data)
        assert data["counts"] == {"new": 1, "changed": 0, "unchanged": 0, "failed": 0}
        assert data["items"][0]["status"] == "nieuw" and data["items"][0]["organisation"] == "Gemeente Testdorp"
        ok = runner.invoke(app, ["haal", "openbesluitvorming", "--proef", "--api", server.url])
        assert ok.exit_code == 0 and "In orde" in ok.stdout
        down = runner.invoke(app, ["haal", "ori", "--proef", "--api", server.url + "/bestaat-niet"])
        assert down.exit_code == 1 and "ORI antwoordt niet zoals verwacht" in down.stderr
