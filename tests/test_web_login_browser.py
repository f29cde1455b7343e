"""A shared review server in a real browser (Debian's Chromium via Playwright): logging in with the
keyboard only, reviewing under the account's name, logging out; and no other site can show the app
in a frame (so no click can be stolen through one)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import ReviewServer
from tests.test_web_browser import decisions_in, press, shown_passage
from weerbaar.review import accounts
from weerbaar.workspace import Workspace

pytestmark = pytest.mark.browser


@pytest.fixture
def team_server(demo_copy):
    with Workspace.open(demo_copy) as ws:
        accounts.add_account(ws, "Bas de Boer", "beoordelaar-wachtwoord", accounts.REVIEWER)
    srv = ReviewServer(demo_copy).start()
    yield srv
    srv.stop()


def test_keyboard_only_login_review_and_logout(team_server, page, demo_copy):
    page.goto(team_server.url + "/maatregel/2.2")
    assert page.url.startswith(team_server.url + "/inloggen")
    page.keyboard.type("Bas de Boer")  # the name field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type("verkeerd wachtwoord")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Naam of wachtwoord klopt niet" in page.locator('[role="alert"]').inner_text()
    assert page.evaluate("document.activeElement.id") == "naam"
    page.keyboard.press("Tab")
    page.keyboard.type("beoordelaar-wachtwoord")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == team_server.url + "/maatregel/2.2"  # back where the reviewer wanted to go
    assert "Bas de Boer" in page.locator("header").inner_text()

    first = shown_passage(page)
    press(page, "j")
    assert [(d.passage_id, d.reviewer) for d in decisions_in(demo_copy)] == [(first, "Bas de Boer")]

    with page.expect_navigation():
        page.get_by_role("button", name="Uitloggen").click()
    page.goto(team_server.url + "/maatregel/2.2")
    assert page.url.startswith(team_server.url + "/inloggen")
    # Only the refused login itself (answered 401) may show up in the console: no CSP violation, no script error.
    assert [e for e in page.console_errors if "status of 401" not in e] == []


class _FramingSite(BaseHTTPRequestHandler):
    target = ""

    def do_GET(self):  # noqa: N802 (http.server's name)
        body = (f'<!doctype html><html lang="nl"><title>andere site</title><body><h1>Een andere site</h1>'
                f'<iframe id="f" src="{self.target}" width="800" height="600"></iframe></body></html>').encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_another_site_cannot_show_the_app_in_a_frame(demo_copy, page):
    server = ReviewServer(demo_copy).start()
    handler = type("Handler", (_FramingSite,), {"target": server.url + "/team"})
    other = ThreadingHTTPServer(("127.0.0.1", 0), handler)  # another port: another origin
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        page.context.add_cookies([{"name": "weerbaar_beoordelaar", "value": "Anna", "url": server.url}])
        page.goto(f"http://127.0.0.1:{other.server_address[1]}/")
        page.wait_for_timeout(1500)
        frame = page.frame_locator("#f")
        assert frame.locator("text=Samen beoordelen").count() == 0
        assert frame.locator("form[action='/ongedaan'], form[action='/import']").count() == 0
        [child] = page.main_frame.child_frames
        assert not child.url.startswith(server.url)  # blocked: Chromium shows its own error page instead
    finally:
        other.shutdown()
        server.stop()
