"""A shared review server: accounts with hashed passwords, login and logout, the coordinator role,
refusing to go on the network without accounts, the Host check for network names, ::1 as loopback,
and the ``weerbaar gebruiker`` commands."""

from __future__ import annotations

import html
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.conftest import free_port
from tests.test_web_api import BOOK, shown, token
from weerbaar.cli.main import app as cli
from weerbaar.cli.review import is_loopback, network_host_names, url_host
from weerbaar.errors import WeerbaarError
from weerbaar.review import accounts
from weerbaar.web.app import create_app
from weerbaar.workspace import Workspace

PASSWORDS = {"Cora": "coordinator-wachtwoord", "Bas": "beoordelaar-wachtwoord"}


@pytest.fixture
def team(demo_copy):
    with Workspace.open(demo_copy) as ws:
        accounts.add_account(ws, "Cora", PASSWORDS["Cora"], accounts.COORDINATOR)
        accounts.add_account(ws, "Bas", PASSWORDS["Bas"], accounts.REVIEWER)
    return demo_copy


def client(folder, *, public=True) -> TestClient:
    return TestClient(create_app(folder, BOOK, allowed_hosts=["testserver"], public=public), follow_redirects=False)


def login(c: TestClient, name: str, password: str | None = None, terug: str = "/"):
    page = c.get("/inloggen")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)[1]
    return c.post("/inloggen", data={"naam": name, "wachtwoord": password or PASSWORDS[name], "csrf": csrf,
                                     "terug": terug})


def logged_in(folder, name: str, **kw) -> TestClient:
    c = client(folder, **kw)
    assert login(c, name).status_code == 303
    return c


def stored(folder):
    with Workspace.open(folder) as ws:
        return ws.decisions.all()


def test_beyond_loopback_without_accounts_the_app_refuses_to_start(demo_copy):
    with pytest.raises(WeerbaarError) as caught:
        create_app(demo_copy, BOOK, public=True)
    assert "nog geen accounts" in caught.value.message and "weerbaar gebruiker toevoegen" in caught.value.hint
    result = CliRunner().invoke(cli, ["review", "--werkruimte", str(demo_copy), "--adres", "0.0.0.0", "--geen-browser"])
    assert result.exit_code == 1
    assert "nog geen accounts" in result.output and "weerbaar gebruiker toevoegen" in result.output


def test_on_loopback_without_accounts_nothing_changes(demo_copy):
    c = client(demo_copy, public=False)
    assert c.get("/").status_code == 200 and "Wie beoordeelt?" in c.get("/").text
    assert c.get("/inloggen").status_code == 303  # nothing to log in to


def test_every_page_needs_a_login(team):
    c = client(team)
    for path in ("/", "/maatregel/2.2", "/team", "/documenten", "/oordelen", "/pagina/1/1.png", "/export/beslissingen.csv"):
        response = c.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/inloggen"), path
    assert c.get("/maatregel/2.2?organisatie=x").headers["location"] == "/inloggen?terug=/maatregel/2.2%3Forganisatie%3Dx"
    response = c.post("/beslissing", data={"passage_id": 1, "measure_id": "2.2", "besluit": "relevant",
                                           "csrf": token_of(c)})
    assert response.status_code == 401 and stored(team) == []
    assert c.get("/static/app.css").status_code == 200


def token_of(c: TestClient) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', c.get("/inloggen").text)[1]


def test_login_with_a_wrong_password_fails_in_dutch(team):
    c = client(team)
    response = login(c, "Cora", "verkeerd-wachtwoord")
    assert response.status_code == 401 and "Naam of wachtwoord klopt niet" in response.text
    assert login(c, "Niemand", "wat-dan-ook-123").status_code == 401
    assert c.get("/").status_code == 303


def test_login_starts_a_new_session_and_decisions_carry_the_account_name(team):
    c = client(team)
    c.get("/inloggen")
    before = c.cookies.get("weerbaar_sessie")
    response = login(c, "Bas", terug="/maatregel/2.2")
    assert response.status_code == 303 and response.headers["location"] == "/maatregel/2.2"
    after = c.cookies.get("weerbaar_sessie")
    assert after and after != before  # a planted cookie value never becomes a session
    c.cookies.set("weerbaar_beoordelaar", "Mallory")  # the old name cookie counts for nothing now
    assert "Ingelogd: <strong>Bas</strong>" in c.get("/").text
    passage = shown(c)
    response = c.post("/beslissing", data={"passage_id": passage, "measure_id": "2.2", "besluit": "relevant",
                                           "csrf": token(c), "terug": "/maatregel/2.2"})
    assert response.status_code == 303
    assert [(d.passage_id, d.reviewer) for d in stored(team)] == [(passage, "Bas")]
    response = c.post("/beoordelaar", data={"naam": "Mallory", "csrf": token(c)})
    assert response.status_code == 403


def test_only_a_coordinator_settles_configures_imports_and_exports(team):
    bas, cora = logged_in(team, "Bas"), logged_in(team, "Cora")
    passage = shown(bas)
    decision = {"passage_id": passage, "measure_id": "2.2", "besluit": "niet", "csrf": token(bas)}
    assert bas.post("/beslissing", data={**decision, "beslecht": "1"}).status_code == 403
    assert stored(team) == []
    assert bas.post("/conflict", data={**decision, "besluit": "relevant"}).status_code == 403
    assert bas.post("/instellingen", data={"dubbel": "50", "csrf": token(bas)}).status_code == 403
    assert bas.get("/export/beslissingen.jsonl").status_code == 403
    response = bas.post("/import", data={"csrf": token(bas)}, files={"bestand": ("b.jsonl", b"", "application/x-ndjson")})
    assert response.status_code == 403 and "Alleen een coördinator" in response.text
    team_page = bas.get("/team").text
    assert 'action="/import"' not in team_page and 'action="/instellingen"' not in team_page
    assert stored(team) == []

    assert bas.post("/beslissing", data=decision).status_code == 303
    cora_decision = {**decision, "besluit": "relevant", "csrf": token(cora)}
    assert cora.post("/beslissing", data=cora_decision).status_code == 303
    assert "Conflicten (1)" in cora.get("/team").text
    assert cora.post("/conflict", data=cora_decision).status_code == 303
    assert cora.post("/instellingen", data={"dubbel": "50", "csrf": token(cora)}).status_code == 303
    export = cora.get("/export/beslissingen.jsonl")
    assert export.status_code == 200 and export.content.count(b"\n") == 3
    assert [(d.reviewer, d.settles) for d in stored(team)] == [("Bas", False), ("Cora", False), ("Cora", True)]


def test_an_upload_by_a_reviewer_is_refused_before_its_body_is_read(team):
    from tests.robustness.test_web_hostile import Body

    bas = logged_in(team, "Bas")
    body = Body(20 * 1024 * 1024)
    response = bas.post("/import", content=body, headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert response.status_code == 403 and body.sent == 0


def test_logout_ends_the_session_for_good(team):
    c = logged_in(team, "Cora")
    old = c.cookies.get("weerbaar_sessie")
    assert c.post("/uitloggen", data={"csrf": token(c)}).headers["location"] == "/inloggen"
    assert c.get("/").status_code == 303
    replay = client(team)
    replay.cookies.set("weerbaar_sessie", old)
    assert replay.get("/").status_code == 303


def test_a_new_password_or_a_removed_account_ends_open_sessions(team):
    c = logged_in(team, "Bas")
    with Workspace.open(team) as ws:
        accounts.set_password(ws, "Bas", "een-heel-nieuw-wachtwoord")
    assert c.get("/").status_code == 303
    assert login(c, "Bas").status_code == 401
    assert login(c, "Bas", "een-heel-nieuw-wachtwoord").status_code == 303
    with Workspace.open(team) as ws:
        accounts.remove_account(ws, "Bas")
    assert c.get("/").status_code == 303


def test_guessing_is_slowed_down_per_name(team):
    c = client(team)
    for _ in range(5):
        assert login(c, "Cora", "fout-fout-fout").status_code == 401
    response = login(c, "Cora")  # even the right password waits now
    assert response.status_code == 429 and "Wacht een kwartier" in response.text
    assert login(c, "Bas").status_code == 303  # other names are not locked out


def test_passwords_are_stored_only_as_argon2_hashes(team):
    with Workspace.open(team) as ws:
        rows = ws.conn.execute("SELECT name, password_hash FROM accounts").fetchall()
        sessions = ws.conn.execute("SELECT token_hash FROM sessions").fetchall()
    for name, hashed in rows:
        assert hashed.startswith("$argon2id$") and PASSWORDS[name] not in hashed
    c = logged_in(team, "Cora")
    with Workspace.open(team) as ws:
        hashes = {r[0] for r in ws.conn.execute("SELECT token_hash FROM sessions")}
    assert c.cookies.get("weerbaar_sessie") not in hashes and len(hashes) == len(sessions) + 1


def test_accounts_validate_their_input(team):
    with Workspace.open(team) as ws:
        with pytest.raises(WeerbaarError, match="minstens 10 tekens"):
            accounts.add_account(ws, "Dirk", "kort")
        with pytest.raises(WeerbaarError, match="bestaat niet"):
            accounts.add_account(ws, "Dirk", "lang-genoeg-wachtwoord", "baas")
        with pytest.raises(WeerbaarError, match="al een account"):
            accounts.add_account(ws, "cora", "lang-genoeg-wachtwoord")  # names are case-insensitive
        assert accounts.authenticate(ws, "  Cora ", PASSWORDS["Cora"]).coordinator


def test_the_host_check_stays_on_beyond_loopback(team):
    hosts = network_host_names("0.0.0.0", ["beoordelen.intern"])
    assert {"127.0.0.1", "localhost", "[::1]", "beoordelen.intern", socket.gethostname().lower()} <= set(hosts)
    c = TestClient(create_app(team, BOOK, allowed_hosts=hosts, public=True), follow_redirects=False)
    assert c.get("/inloggen", headers={"Host": "beoordelen.intern:8765"}).status_code == 200
    assert c.get("/inloggen", headers={"Host": "attacker.example"}).status_code == 400
    assert c.get("/inloggen", headers={"Host": "[::1]:8765"}).status_code == 200


def test_ipv6_loopback_is_loopback_with_a_correct_url():
    assert is_loopback("::1") and is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and not is_loopback("192.168.1.5")
    assert url_host("::1") == "[::1]" and url_host("0.0.0.0") == "127.0.0.1" and url_host("127.0.0.1") == "127.0.0.1"


def test_review_on_ipv6_loopback_serves_without_accounts(demo_copy):
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "weerbaar", "review", "--werkruimte", str(demo_copy), "--adres",
                                "::1", "--poort", str(port), "--geen-browser"], stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()  # the first line printed is the address
        assert f"http://[::1]:{port}/" in line and "Let op" not in line
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://[::1]:{port}/", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.2)
        assert response.status_code == 200 and "Wie beoordeelt?" in response.text
    finally:
        process.terminate()
        process.wait(10)


def test_gebruiker_commands(demo_copy):
    runner = CliRunner()
    ws_args = ["--werkruimte", str(demo_copy)]
    result = runner.invoke(cli, ["gebruiker", "toevoegen", "Cora", "--rol", "coordinator", "--wachtwoord-stdin", *ws_args],
                           input="een-lang-wachtwoord\n")
    assert result.exit_code == 0 and "Account 'Cora' gemaakt (coordinator)" in result.output
    result = runner.invoke(cli, ["gebruiker", "toevoegen", "Bas", *ws_args], input="nog-een-wachtwoord\nnog-een-wachtwoord\n")
    assert result.exit_code == 0, result.output
    assert "nog-een-wachtwoord" not in result.output  # the prompt does not echo
    result = runner.invoke(cli, ["gebruiker", "toevoegen", "Dirk", "--wachtwoord-stdin", *ws_args], input="kort\n")
    assert result.exit_code == 1 and "minstens 10 tekens" in result.output
    result = runner.invoke(cli, ["gebruiker", "lijst", "--json", *ws_args])
    assert [(a["name"], a["role"]) for a in __import__("json").loads(result.output)["accounts"]] == [
        ("Bas", "beoordelaar"), ("Cora", "coordinator")]
    assert runner.invoke(cli, ["gebruiker", "rol", "Bas", "coordinator", *ws_args]).exit_code == 0
    result = runner.invoke(cli, ["gebruiker", "wachtwoord", "Bas", "--wachtwoord-stdin", *ws_args],
                           input="ander-lang-wachtwoord\n")
    assert result.exit_code == 0
    with Workspace.open(demo_copy) as ws:
        assert accounts.authenticate(ws, "Bas", "ander-lang-wachtwoord").coordinator
    assert runner.invoke(cli, ["gebruiker", "verwijder", "Bas", *ws_args]).exit_code == 0
    result = runner.invoke(cli, ["gebruiker", "verwijder", "Bas", *ws_args])
    assert result.exit_code == 1 and "geen account 'Bas'" in html.unescape(result.output)
