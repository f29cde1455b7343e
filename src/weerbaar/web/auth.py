"""Who is asking and what they may do, as FastAPI dependencies.

Two modes, decided per request (accounts added while the server runs take effect at once):

- **Accounts** (the server is bound beyond loopback, or the workspace has accounts): every page
  needs a login; the reviewer's name is the account's; only a coordinator settles conflicts,
  changes team settings and imports or exports decisions.
- **This computer only** (loopback, no accounts): as before, the reviewer types a name in the
  browser, and everyone may do everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from fastapi import Form, HTTPException, Request

from weerbaar.api import Accounts
from weerbaar.web.security import check_csrf
from weerbaar.web.state import app_state, workspace
from weerbaar.workspace.settings import secret

if TYPE_CHECKING:
    from weerbaar.api import Account

REVIEWER_COOKIE = "weerbaar_beoordelaar"


class LoginRequired(Exception):
    """Raised by :func:`require_login`; the app answers with the login page (or a redirect to it)."""

    def __init__(self, target: str):
        self.target = target


def accounts_mode(request: Request) -> bool:
    if not hasattr(request.state, "accounts_mode"):
        request.state.accounts_mode = app_state(request).public or Accounts(workspace(request)).exist()
    return request.state.accounts_mode


def current_account(request: Request) -> Account | None:
    if not hasattr(request.state, "account"):
        browser = getattr(request.state, "browser", None)
        request.state.account = Accounts(workspace(request)).of_session(browser) if accounts_mode(request) else None
    return request.state.account


def reviewer_of(request: Request) -> str | None:
    """The name decisions are stored under: the account's, or the one typed in this browser."""
    if accounts_mode(request):
        account = current_account(request)
        return account.name if account else None
    name = request.cookies.get(REVIEWER_COOKIE)
    return unquote(name) if name else app_state(request).default_reviewer


def may_coordinate(request: Request) -> bool:
    if not accounts_mode(request):
        return True
    account = current_account(request)
    return account is not None and account.coordinator


def require_login(request: Request) -> None:
    if accounts_mode(request) and current_account(request) is None:
        target = str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)


def require_coordinator(request: Request) -> None:
    require_login(request)
    if not may_coordinate(request):
        raise HTTPException(403, "Alleen een coördinator mag dit: conflicten beslechten, teaminstellingen wijzigen "
                                 "en beslissingen importeren of exporteren.")


def csrf_checked(request: Request, csrf: str = Form("")) -> None:
    """For every form that changes something: the token of this browser, from this app."""
    check_csrf(request, secret(workspace(request)), csrf)


def login_url(target: str) -> str:
    return "/inloggen" + (f"?terug={quote(target)}" if target and target != "/" else "")
