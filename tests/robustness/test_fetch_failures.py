"""Fetching when things go wrong: every download failed, some failed, no network at all, --proef.

Everything runs against tests/fetch_server.py on 127.0.0.1, and "no network" is a loopback port
that nobody listens on; no test reaches another address.
"""

import json

import httpx
import pytest
from typer.testing import CliRunner

from tests.conftest import PROSE, free_port, write_pdf
from tests.fetch_server import FakeSources, Server
from weerbaar.cli.main import app
from weerbaar.fetch.http import FetchError, Http, HttpSettings, Unreachable

runner = CliRunner()
FAST = ["--wachttijd", "0", "--pogingen", "0"]


@pytest.fixture
def pdfs(tmp_path):
    return {"begroting-2025.pdf": write_pdf(tmp_path / "a.pdf", [PROSE[0]]).read_bytes(),
            "jaarverslag-2024.pdf": write_pdf(tmp_path / "b.pdf", [PROSE[1]]).read_bytes()}


def _list(tmp_path, urls):
    path = tmp_path / "lijst.csv"
    path.write_text("url;organisatie\n" + "".join(f"{u};Gemeente Testdorp\n" for u in urls), "utf-8")
    return path


def _haal(*args):
    return runner.invoke(app, ["haal", *args], catch_exceptions=False)


def _dead() -> str:
    return f"http://127.0.0.1:{free_port()}"


def test_lijst_exits_nonzero_when_every_download_failed_and_counts_failures_otherwise(tmp_path, pdfs):
    with Server(FakeSources(pdfs)) as server:
        ws = tmp_path / "ws"
        all_bad = _list(tmp_path, [f"{server.url}/files/weg-{i}.pdf" for i in range(3)])
        result = _haal("lijst", str(all_bad), "-w", str(ws), *FAST)
        assert result.exit_code == 1
        assert "mislukt: 3 van 3" in result.stderr and "alle 3 downloads zijn mislukt" in result.stderr
        as_json = _haal("lijst", str(all_bad), "-w", str(ws), *FAST, "--json")
        assert as_json.exit_code == 1 and json.loads(as_json.stdout)["counts"]["failed"] == 3

        some_bad = _list(tmp_path, [f"{server.url}/files/begroting-2025.pdf", f"{server.url}/files/weg.pdf",
                                    f"{server.url}/files/jaarverslag-2024.pdf"])
        result = _haal("lijst", str(some_bad), "-w", str(ws), *FAST)
        assert result.exit_code == 0
        assert "Nieuw opgehaald en ingelezen: 2" in result.stderr and "mislukt: 1 van 3" in result.stderr


def test_no_network_is_said_as_such_for_downloads(tmp_path):
    dead = _dead()
    result = _haal("lijst", str(_list(tmp_path, [f"{dead}/a.pdf", f"{dead}/b.pdf"])), "-w", str(tmp_path / "ws"), *FAST)
    assert result.exit_code == 1
    assert "Kan de server niet bereiken" in result.stderr and "weigert de verbinding" in result.stderr
    assert "antwoordt niet zoals verwacht" not in result.stderr
    assert "alle 2 downloads zijn mislukt" in result.stderr
    as_json = _haal("lijst", str(_list(tmp_path, [f"{dead}/a.pdf", f"{dead}/b.pdf"])), "-w", str(tmp_path / "ws"),
                    "--wachttijd", "0", "--pogingen", "1", "--json")
    first, second = (i["message"] for i in json.loads(as_json.stdout)["items"])
    assert first.endswith("(na 2 pogingen).")  # retried once, then known to be out of reach …
    assert second.endswith("(eerder in deze run; niet opnieuw geprobeerd).")  # … so the next URL does not wait again


def test_website_without_network_or_with_only_failing_documents_exits_nonzero(tmp_path, pdfs):
    result = _haal("website", _dead() + "/", "-w", str(tmp_path / "ws"), *FAST)
    assert result.exit_code == 1 and "Kan de server niet bereiken" in result.stderr
    assert "Traceback" not in result.stderr

    state = FakeSources(pdfs)
    with Server(state) as server:
        state.site = {"/": ("text/html", '<a href="/files/begroting-2026.pdf">Begroting 2026</a>'
                                         '<a href="/files/jaarverslag-2025.pdf">Jaarverslag 2025</a>')}
        result = _haal("website", server.url + "/", "-w", str(tmp_path / "ws"), *FAST)
        assert result.exit_code == 1 and "alle 2 downloads zijn mislukt" in result.stderr
        state.site["/"] = ("text/html", '<a href="/files/begroting-2025.pdf">Begroting 2025</a>'
                                        '<a href="/files/jaarverslag-2025.pdf">Jaarverslag 2025</a>')
        result = _haal("website", server.url + "/", "-w", str(tmp_path / "ws"), *FAST)
        assert result.exit_code == 0 and "mislukt: 1 van 2" in result.stderr

        del state.site["/"]  # the start page is gone: say so, do not report "nothing found"
        result = _haal("website", server.url + "/", "-w", str(tmp_path / "ws2"), *FAST)
        assert result.exit_code == 1 and f"De beginpagina {server.url}/ antwoordt met 404" in result.stderr
        state.site["/"] = ("text/html", '<a href="/over">Over ons</a>')  # reachable, but no documents
        result = _haal("website", server.url + "/", "-w", str(tmp_path / "ws2"), *FAST)
        assert result.exit_code == 0 and "Niets gevonden om op te halen" in result.stderr


def test_proef_for_every_source_and_no_network_is_not_a_wrong_answer(tmp_path, pdfs):
    state = FakeSources(pdfs)
    with Server(state) as server:
        state.site = {"/": ("text/html", '<a href="/files/begroting-2025.pdf">Begroting</a><a href="/over">Over</a>')}
        state.ori_docs = [{"_id": "d1", "_index": "ori_testdorp_1", "_source": {
            "@type": "MediaObject", "name": "Begroting 2025", "last_discussed_at": "2025-01-01",
            "original_url": f"{server.url}/files/begroting-2025.pdf"}}]
        ws = tmp_path / "ws"
        ok = {
            "website": _haal("website", server.url + "/", "--proef", "-w", str(ws), "--wachttijd", "0"),
            "lijst": _haal("lijst", str(_list(tmp_path, [f"{server.url}/files/begroting-2025.pdf"])), "--proef",
                           "-w", str(ws), "--wachttijd", "0"),
            "openbesluitvorming": _haal("openbesluitvorming", "--proef", "--api", server.url),
            "ori": _haal("ori", "--proef", "--api", server.url + "/v1/elastic"),
        }
        for source, result in ok.items():
            assert result.exit_code == 0 and "In orde" in result.stdout, (source, result.output)
        assert "2 links, waarvan 1 naar documenten" in ok["website"].stdout
        assert "Alle 1 adressen antwoorden" in ok["lijst"].stdout
        assert not ws.exists()  # a probe stores nothing
        assert ("GET", "/files/begroting-2025.pdf") in state.log  # asked without HEAD support, body not stored

        missing = _haal("lijst", str(_list(tmp_path, [f"{server.url}/files/begroting-2025.pdf",
                                                     f"{server.url}/files/weg.pdf"])), "--proef", "--wachttijd", "0")
        assert missing.exit_code == 1 and "1 van de 2 adressen zijn niet op te halen" in missing.stderr
        assert "weg.pdf: antwoordt met 404" in missing.stderr

    dead = _dead()
    for args, name, retries in ((["website", dead + "/"], "De website", []),  # the default: one retry after 1 s
                                (["ori", "--api", dead], "ORI", ["--pogingen", "0"]),
                                (["openbesluitvorming", "--api", dead], "OpenBesluitvorming", ["--pogingen", "0"])):
        result = _haal(*args, "--proef", *retries)
        assert result.exit_code == 1, result.output
        assert f"{name} is niet te bereiken" in result.stderr and "weigert de verbinding" in result.stderr
        assert "antwoordt niet zoals verwacht" not in result.stderr
    result = _haal("lijst", str(_list(tmp_path, [dead + "/a.pdf"])), "--proef", "--pogingen", "0")
    assert result.exit_code == 1 and "Kan de server niet bereiken" in result.stderr


@pytest.mark.parametrize("retries, asked", [([], 2), (["--pogingen", "0"], 1)])
def test_proef_retries_a_server_error_as_often_as_asked(retries, asked):
    state = FakeSources({})
    with Server(state) as server:
        state.flaky["/api/sources"] = 10  # answers 500 throughout
        result = _haal("openbesluitvorming", "--proef", "--api", server.url, *retries)
        assert result.exit_code == 1 and "antwoordt niet zoals verwacht" in result.stderr
        assert state.log.count(("GET", "/api/sources")) == asked


def test_api_sources_without_network_stop_with_that_reason(tmp_path):
    dead = _dead()
    for args in (["ori", "Testdorp", "--api", dead], ["openbesluitvorming", "testdorp", "--api", dead]):
        result = _haal(*args, "-w", str(tmp_path / "ws"), *FAST)
        assert result.exit_code == 1 and "Kan de server niet bereiken" in result.stderr, result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize("error, expected", [
    (httpx.ConnectError("[Errno -2] Name or service not known"), "Geen netwerk of onbekend adres"),
    (httpx.ConnectError("[Errno -3] Temporary failure in name resolution"), "Geen netwerk of onbekend adres"),
    (httpx.ConnectError("[Errno 101] Network is unreachable"), "Geen netwerk: er is geen verbinding"),
    (httpx.ConnectTimeout("timed out"), "Kan de server niet bereiken"),
])
def test_dns_failure_and_an_unreachable_network_are_no_network(error, expected):
    """The OS's wording for a failed name lookup, as httpx reports it (a transport that raises it,
    so no name is ever looked up)."""
    def fail(request):
        raise error

    http = Http(HttpSettings(retries=0, delay=0))
    http._client = httpx.Client(transport=httpx.MockTransport(fail))
    with pytest.raises(Unreachable) as info:
        http.get_json("http://bron.invalid/api/stats")
    assert info.value.message.startswith(expected) and "bron.invalid" in info.value.message
    http = Http(HttpSettings(retries=0, delay=0))
    http._client = httpx.Client(transport=httpx.MockTransport(lambda r: (_ for _ in ()).throw(httpx.ReadError("x"))))
    with pytest.raises(FetchError) as other:  # a broken connection is not "no network"
        http.get_json("http://bron.invalid/api/stats")
    assert not isinstance(other.value, Unreachable)


def test_openbesluitvorming_feed_with_raw_line_separators_in_a_record(ws, pdfs):
    """JSON allows U+2028/U+2029/U+0085 unescaped inside strings; the NDJSON feed is split by "\\n" only."""
    from tests.test_fetch import obv_doc
    from weerbaar.fetch import openbesluitvorming as obv
    from weerbaar.fetch.pipeline import fetch_candidates

    state = FakeSources(pdfs)
    state.ndjson_ascii = False
    http = Http(HttpSettings(retries=0, delay=0))
    with Server(state) as server:
        state.obv_docs = [obv_doc(1, "Begroting\u2028 2025\x85", server.url + "/files/begroting-2025.pdf"),
                          obv_doc(2, "Jaarverslag\u2029 2024", server.url + "/files/jaarverslag-2024.pdf")]
        report = fetch_candidates(ws, http, obv.follow_candidates(ws, http, "testdorp", base=server.url))
        assert report.count("nieuw") == 2
        for broken, reason in (([{"seq": 3, "op": "delete", "entity_type": "Document"}, "kapot"],
                                "regel 2 van een pagina: geen object"),
                               ([{"seq": 3, "op": "upsert", "entity_type": "Document"}],
                                "regel 1 van een pagina: 'entity_id' ontbreekt")):
            state.obv_changes = broken  # a broken feed is the source's fault: a clear error, no traceback
            with pytest.raises(FetchError, match=f"De exportfeed van 'testdorp' is beschadigd: {reason}"):
                list(obv.follow_candidates(ws, http, "testdorp", base=server.url))
    http.close()
