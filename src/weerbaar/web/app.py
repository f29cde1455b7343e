"""The FastAPI application, assembled from the routes; error pages in Dutch.

Server-rendered pages (Jinja2, autoescaped) with plain HTML forms: every action works without
JavaScript; ``toetsen.js`` only adds the keyboard shortcuts. Each request gets the workspace
connection of its thread; decisions are committed before the response is sent, so whatever a
reviewer saw confirmed survives a closed browser, a killed server or a crash. Review queues are
re-ranked off the request path, by one background worker per app (:mod:`weerbaar.review.reranker`)
that the app's lifespan stops.

Every request first passes :class:`weerbaar.web.security.Guard` (Host, Origin, body size, browser
cookie, security headers); every page but the login page needs a login when the app runs with
accounts (:mod:`weerbaar.web.auth`). Every error is a Dutch page: a domain error, a bad
parameter (422), a number too large for the workspace (404) or a bug (500, logged).

What routes share lives below this module, so no route imports it: the state in
:mod:`weerbaar.web.state`, the dependencies (workspace, reviewer, filters, CSRF) in
:mod:`weerbaar.web.deps`, rendering in :mod:`weerbaar.web.pages`.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from weerbaar.api import Accounts
from weerbaar.codebook import Codebook
from weerbaar.errors import WeerbaarError
from weerbaar.web import routes_auth, routes_browse, routes_review, routes_team, routes_verdicts
from weerbaar.web.auth import LoginRequired, login_url, require_login
from weerbaar.web.pages import render
from weerbaar.web.security import MAX_FORM_BYTES, MAX_IMPORT_BYTES, Guard
from weerbaar.web.state import AppState
from weerbaar.workspace import Workspace

log = logging.getLogger(__name__)


_FIELD_PROBLEMS = {"int_parsing": "moet een geheel getal zijn", "float_parsing": "moet een getal zijn",
                   "missing": "ontbreekt", "less_than_equal": "is te groot", "greater_than_equal": "is te klein",
                   "less_than": "is te groot", "greater_than": "is te klein"}


def _validation_message(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        name = str(error.get("loc", ["", "?"])[-1])
        problems.append(f"'{name}' {_FIELD_PROBLEMS.get(error.get('type'), 'is ongeldig')}")
    return "Dit verzoek klopt niet: " + "; ".join(problems) + "."


def create_app(folder: Path, codebook: Codebook, *, reviewer: str | None = None, allowed_hosts: list[str] | None = None,
               public: bool = False, max_body: int = MAX_FORM_BYTES, max_upload: int = MAX_IMPORT_BYTES) -> FastAPI:
    """The review app on a workspace. ``public``: bound beyond loopback, so accounts are required
    (refused without any); ``allowed_hosts``: the Host names it answers to (None: any, for tests)."""
    with Workspace.open(folder) as ws:  # fail early, in Dutch, when there is no workspace
        if public and not Accounts(ws).exist():
            raise WeerbaarError(
                "De app zou bereikbaar zijn voor anderen in het netwerk, maar deze werkruimte heeft nog geen accounts.",
                hint="Maak eerst een account met een wachtwoord, bijvoorbeeld: weerbaar gebruiker toevoegen "
                     "'Uw naam' --rol coordinator (en voor elke beoordelaar: --rol beoordelaar). Of start zonder "
                     "--adres: dan is de app alleen op deze computer te gebruiken.")
    state = AppState(folder=folder, codebook=codebook, default_reviewer=reviewer, public=public)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        state.shared.close()  # the server stops: end the background re-ranking cleanly, free the model

    app = FastAPI(title="weerbaar", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.weerbaar = state
    templates = Jinja2Templates(directory=str(resources.files("weerbaar.web").joinpath("templates")))
    templates.env.filters["nl"] = lambda x, digits=2: f"{x:.{digits}f}".replace(".", ",")
    templates.env.filters["urlquote"] = lambda s: quote(str(s))
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(resources.files("weerbaar.web").joinpath("static"))), name="static")
    app.add_middleware(Guard, allowed_hosts=allowed_hosts, max_body=max_body, upload_paths={"/import": max_upload})

    @app.exception_handler(WeerbaarError)
    def weerbaar_error(request: Request, exc: WeerbaarError):
        return render(request, "fout.html", status_code=400, message=str(exc), hint=exc.hint)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else "Deze pagina bestaat niet."
        if exc.status_code == 405:
            message = "Deze pagina kan zo niet worden opgevraagd."
        return render(request, "fout.html", status_code=exc.status_code, message=message, hint=None)

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, exc: RequestValidationError):
        return render(request, "fout.html", status_code=422, message=_validation_message(exc), hint=None)

    @app.exception_handler(OverflowError)
    def too_large_number(request: Request, exc: OverflowError):
        # A number beyond what SQLite stores can name no passage, document or page of this workspace.
        return render(request, "fout.html", status_code=404, message="Dit nummer bestaat niet in deze werkruimte.",
                      hint=None)

    @app.exception_handler(LoginRequired)
    def login_required(request: Request, exc: LoginRequired):
        if request.method in ("GET", "HEAD"):
            return RedirectResponse(login_url(exc.target), status_code=303)
        return render(request, "fout.html", status_code=401, message="Log eerst in; uw sessie is verlopen.", hint=None)

    @app.exception_handler(Exception)
    def bug(request: Request, exc: Exception):
        log.exception("onverwachte fout bij %s %s", request.method, request.url.path)
        return HTMLResponse(
            '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Er ging iets mis – weerbaar</title>'
            '<link rel="stylesheet" href="/static/app.css"></head><body><main><h1>Er ging iets mis</h1>'
            '<p role="alert">Er ging iets mis in weerbaar zelf; uw eerder opgeslagen beslissingen zijn bewaard. '
            'Probeer het opnieuw, en meld het als het blijft gebeuren.</p><p><a href="/">Naar het overzicht</a></p>'
            '</main></body></html>', status_code=500)

    logged_in = [Depends(require_login)]
    app.include_router(routes_auth.router)
    app.include_router(routes_review.router, dependencies=logged_in)
    app.include_router(routes_browse.router, dependencies=logged_in)
    app.include_router(routes_team.router, dependencies=logged_in)
    app.include_router(routes_verdicts.router, dependencies=logged_in)
    return app
