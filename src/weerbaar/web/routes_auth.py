"""Logging in and out (only when the app runs with accounts; see :mod:`weerbaar.web.auth`).

A login starts a new session with a fresh cookie value (an old, perhaps planted, value is never
promoted to a session). After five wrong passwords for one name within a quarter of an hour that
name must wait, which makes guessing over the network slow on top of Argon2.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from weerbaar.web.auth import accounts_mode
from weerbaar.web.deps import CSRF, ProjectDep
from weerbaar.web.pages import render
from weerbaar.web.security import browser_cookie, local_path

router = APIRouter()
MAX_FAILURES = 5
FAILURE_WINDOW = 15 * 60  # seconds
_failures: dict[tuple[int, str], list[float]] = {}


def _recent_failures(request: Request, name: str) -> list[float]:
    key = (id(request.app), name.casefold())
    now = time.monotonic()
    kept = _failures[key] = [t for t in _failures.get(key, []) if now - t < FAILURE_WINDOW]
    return kept


@router.get("/inloggen")
def login_page(request: Request, terug: str = "/"):
    if not accounts_mode(request):
        return RedirectResponse("/", status_code=303)
    return render(request, "inloggen.html", terug=local_path(terug), naam="", melding=None, filter_query="")


@router.post("/inloggen", dependencies=[CSRF])
def login(request: Request, project: ProjectDep, naam: str = Form(""), wachtwoord: str = Form(""),
          terug: str = Form("/")):
    if not accounts_mode(request):
        return RedirectResponse("/", status_code=303)
    naam = " ".join(naam.split())[:200]
    failures = _recent_failures(request, naam)
    if len(failures) >= MAX_FAILURES:
        return render(request, "inloggen.html", status_code=429, terug=local_path(terug), naam=naam, filter_query="",
                      melding="Te vaak een verkeerd wachtwoord voor deze naam. Wacht een kwartier en probeer het "
                              "opnieuw, of vraag de coördinator om een nieuw wachtwoord.")
    account = project.accounts.authenticate(naam, wachtwoord)
    if account is None:
        failures.append(time.monotonic())
        return render(request, "inloggen.html", status_code=401, terug=local_path(terug), naam=naam, filter_query="",
                      melding="Naam of wachtwoord klopt niet.")
    failures.clear()
    response = RedirectResponse(local_path(terug), status_code=303)
    response.headers.append("set-cookie", browser_cookie(project.accounts.start_session(account)))
    return response


@router.post("/uitloggen", dependencies=[CSRF])
def logout(request: Request, project: ProjectDep):
    import secrets

    project.accounts.end_session(request.state.browser)
    response = RedirectResponse("/inloggen", status_code=303)
    response.headers.append("set-cookie", browser_cookie(secrets.token_urlsafe(32)))
    return response
