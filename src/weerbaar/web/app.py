"""The FastAPI application: state shared by all pages, and the pieces every route needs.

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
"""

from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from weerbaar.errors import WeerbaarError
from weerbaar.index.semantic import SemanticIndex
from weerbaar.review.accounts import has_accounts
from weerbaar.review.queue import MeasureQueue
from weerbaar.review.reranker import Reranker
from weerbaar.web.auth import (REVIEWER_COOKIE, LoginRequired, accounts_mode, current_account, login_url,  # noqa: F401
                               may_coordinate, require_login, reviewer_of)
from weerbaar.web.security import Guard, csrf_token
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import DocumentFilters
from weerbaar.workspace.settings import secret

log = logging.getLogger(__name__)
MAX_FORM_BYTES = 2 * 1024 * 1024  # a decision form with a long note fits many times over
MAX_IMPORT_BYTES = 200 * 1024 * 1024  # a decisions file (import)
MAX_YEAR = 9999
STAGE_LABELS = {0: "context", 1: "intentie", 2: "planning", 3: "uitvoering", 4: "getest of geborgd"}


@dataclass
class AppState:
    folder: Path
    codebook: object
    default_reviewer: str | None = None
    public: bool = False  # bound beyond loopback: accounts required
    queues: dict = field(default_factory=dict)
    # Per app, not per class: two apps in one process (tests, scripts) must not share connections.
    local: threading.local = field(default_factory=threading.local)
    lock: threading.Lock = field(default_factory=threading.Lock)
    semantic: SemanticIndex = field(default_factory=SemanticIndex)
    reranker: Reranker | None = None  # re-ranks review queues off the request path

    def __post_init__(self):
        if self.reranker is None:
            self.reranker = Reranker(self.folder)

    def workspace(self) -> Workspace:
        ws = getattr(self.local, "ws", None)
        if ws is None:
            ws = self.local.ws = Workspace.open(self.folder)
        return ws

    def queue(self, measure_id: str, filters: DocumentFilters, threshold: float) -> MeasureQueue:
        key = (measure_id, filters.organisation, filters.doc_type, filters.year_from, filters.year_to)
        with self.lock:
            queue = self.queues.get(key)
            if queue is None or queue.threshold != threshold:
                queue = self.queues[key] = MeasureQueue(measure_id, filters, threshold, reranker=self.reranker)
            return queue

    def mark_stale(self, measure_ids) -> None:
        """Decisions on these measures changed: their queues (every filter) get re-ranked in the
        background; the request that changed them does not wait."""
        wanted = set(measure_ids)
        with self.lock:
            queues = [q for q in self.queues.values() if q.measure_id in wanted]
        for queue in queues:
            queue.mark_stale()


def filters_from(request: Request) -> DocumentFilters:
    q = request.query_params
    years = (q.get("jaar") or "").strip()
    year_from = year_to = None
    if years:
        parts = [p for p in years.replace("–", "-").split("-") if p.strip()]
        try:
            year_from, year_to = int(parts[0]), int(parts[-1])
            if not (0 <= year_from <= MAX_YEAR and 0 <= year_to <= MAX_YEAR):
                raise ValueError
        except (ValueError, IndexError):
            raise HTTPException(400, f"'{years}' is geen jaar of reeks zoals 2024 of 2020-2024.") from None
    return DocumentFilters(organisation=(q.get("organisatie") or "").strip() or None,
                           doc_type=(q.get("type") or "").strip() or None, year_from=year_from, year_to=year_to)


def filter_query(request: Request) -> str:
    """The filter part of the current query string, to carry along in links and forms."""
    kept = {k: v for k, v in request.query_params.items() if k in ("organisatie", "type", "jaar") and v}
    return urlencode(kept)


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    state: AppState = request.app.state.weerbaar
    ws = state.workspace()
    context.update(request=request, reviewer=reviewer_of(request), csrf=csrf_token(secret(ws), request.state.browser),
                   accounts=accounts_mode(request), account=current_account(request),
                   coordinator=may_coordinate(request), stage_labels=STAGE_LABELS, codebook=state.codebook,
                   here=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


_FIELD_PROBLEMS = {"int_parsing": "moet een geheel getal zijn", "float_parsing": "moet een getal zijn",
                   "missing": "ontbreekt", "less_than_equal": "is te groot", "greater_than_equal": "is te klein",
                   "less_than": "is te groot", "greater_than": "is te klein"}


def _validation_message(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        name = str(error.get("loc", ["", "?"])[-1])
        problems.append(f"'{name}' {_FIELD_PROBLEMS.get(error.get('type'), 'is ongeldig')}")
    return "Dit verzoek klopt niet: " + "; ".join(problems) + "."


def create_app(folder: Path, codebook, *, reviewer: str | None = None, allowed_hosts: list[str] | None = None,
               public: bool = False, max_body: int = MAX_FORM_BYTES, max_upload: int = MAX_IMPORT_BYTES) -> FastAPI:
    """The review app on a workspace. ``public``: bound beyond loopback, so accounts are required
    (refused without any); ``allowed_hosts``: the Host names it answers to (None: any, for tests)."""
    with Workspace.open(folder) as ws:  # fail early, in Dutch, when there is no workspace
        if public and not has_accounts(ws):
            raise WeerbaarError(
                "De app zou bereikbaar zijn voor anderen in het netwerk, maar deze werkruimte heeft nog geen accounts.",
                hint="Maak eerst een account met een wachtwoord, bijvoorbeeld: weerbaar gebruiker toevoegen "
                     "'Uw naam' --rol coordinator (en voor elke beoordelaar: --rol beoordelaar). Of start zonder "
                     "--adres: dan is de app alleen op deze computer te gebruiken.")
    state = AppState(folder=folder, codebook=codebook, default_reviewer=reviewer, public=public)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        state.reranker.stop()  # the server stops: end the background re-ranking cleanly

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

    from weerbaar.web import routes_auth, routes_browse, routes_review, routes_team, routes_verdicts

    logged_in = [Depends(require_login)]
    app.include_router(routes_auth.router)
    app.include_router(routes_review.router, dependencies=logged_in)
    app.include_router(routes_browse.router, dependencies=logged_in)
    app.include_router(routes_team.router, dependencies=logged_in)
    app.include_router(routes_verdicts.router, dependencies=logged_in)
    return app
