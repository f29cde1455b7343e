"""Protection for an app that holds unpublished judgements, on one computer or shared by a team.

- :class:`Guard`, an ASGI middleware every request passes before the app sees it:
  - Host header: only the names the app was started for (against DNS rebinding), IPv6 literals
    such as ``[::1]:8765`` included;
  - a form posted from another site (its Origin is not this app) is refused before its body is read;
  - request bodies are limited *before* anything is spooled: a Content-Length over the limit is
    answered 413 at once, and a body sent without one is counted as it streams in;
  - a random browser cookie (``weerbaar_sessie``): the per-browser key of the CSRF token, and,
    once someone logs in, the session token itself (the login sets a fresh one);
  - security headers on every response: no framing by other sites (CSP ``frame-ancestors
    'none'`` and X-Frame-Options), scripts and styles from this app only, nosniff, no referrer
    to other sites.
- CSRF: every state-changing form carries an HMAC of the browser cookie under a secret kept in the
  workspace, so a token is worth nothing in another browser, and open pages keep working after a
  server restart. The Origin header, when the browser sends one, must be this app's own.
- Redirect targets from forms must be local paths (no open redirect to another site).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
import secrets
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

BROWSER_COOKIE = "weerbaar_sessie"
BROWSER_COOKIE_DAYS = 365
_COOKIE_VALUE = re.compile(r"[A-Za-z0-9_-]{32,128}")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_FORM_BYTES = 2 * 1024 * 1024  # a decision form with a long note fits many times over
MAX_IMPORT_BYTES = 200 * 1024 * 1024  # a decisions file (import)

CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                           "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def csrf_token(secret: str, browser: str) -> str:
    return hmac.new(secret.encode(), f"weerbaar-formulier:{browser}".encode(), hashlib.sha256).hexdigest()


def _same_origin(request_or_headers) -> bool:
    headers = request_or_headers.headers if hasattr(request_or_headers, "headers") else request_or_headers
    origin = headers.get("origin")
    if not origin or origin == "null":
        return True
    return urlsplit(origin).netloc.lower() == (headers.get("host") or "").lower()


def check_csrf(request: Request, secret: str, submitted: str | None) -> None:
    browser = getattr(request.state, "browser", "")
    if not submitted or not browser or not hmac.compare_digest(submitted, csrf_token(secret, browser)):
        raise HTTPException(403, "Het formulier is verlopen of komt niet van deze app. Laad de pagina opnieuw.")
    if not _same_origin(request):
        raise HTTPException(403, "Dit verzoek komt van een andere website en is geweigerd.")


def local_path(target: str | None, default: str = "/") -> str:
    """A redirect target from a form: only a path on this site."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def host_name(host_header: str) -> str:
    """The name part of a Host header: ``[::1]:8765`` → ``[::1]``, ``Example.org:80`` → ``example.org``."""
    host = host_header.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end > 0 else ""
    return host.rsplit(":", 1)[0] if ":" in host else host


def _page(status: int, title: str, message: str) -> bytes:
    return (f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{html.escape(title)} – weerbaar'
            f'</title><link rel="stylesheet" href="/static/app.css"></head><body><main><h1>{html.escape(title)}</h1>'
            f'<p role="alert">{html.escape(message)}</p><p><a href="/">Naar het overzicht</a></p></main></body></html>'
            ).encode()


def too_large_message(limit: int) -> str:
    return f"Dit verzoek is groter dan {max(1, limit // (1024 * 1024))} MB en is geweigerd; er is niets opgeslagen."


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; an HTTPException, so FastAPI's body parsing passes it on as it is."""

    def __init__(self, limit: int):
        super().__init__(413, too_large_message(limit))


class Guard:
    """See the module docstring. ``allowed_hosts`` None: no Host check (only for tests of other things)."""

    def __init__(self, app, *, allowed_hosts: list[str] | None, max_body: int, upload_paths: dict[str, int]):
        self.app = app
        self.allowed_hosts = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}
        self.max_body = max_body
        self.upload_paths = upload_paths  # path → its own (larger) limit, e.g. the import of decisions

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.allowed_hosts is not None and host_name(headers.get("host", "")) not in self.allowed_hosts:
            return await self._refuse(send, 400, "Ongeldige host",
                                      "Deze app is niet gestart voor deze servernaam. Gebruik het adres dat bij het "
                                      "starten werd getoond.")
        method = scope["method"]
        if method in UNSAFE_METHODS and not _same_origin(headers):
            return await self._refuse(send, 403, "Geweigerd", "Dit verzoek komt van een andere website en is geweigerd.")
        limit = self.upload_paths.get(scope["path"], self.max_body)
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return await self._refuse(send, 400, "Ongeldig verzoek", "De lengte van het verzoek klopt niet.")
            if int(length) > limit:
                return await self._too_large(send, limit)
        browser = self._browser(headers.get("cookie", ""))
        new_cookie = browser is None
        if method in UNSAFE_METHODS:
            upload = scope["path"] in self.upload_paths
            if not upload and headers.get("content-type", "").lower().startswith("multipart/"):
                # Only an upload route takes files; elsewhere a multipart body would be spooled for nothing.
                return await self._refuse(send, 415, "Niet ondersteund", "Hier kan geen bestand worden verstuurd.")
            if upload and new_cookie:
                # Every real upload form comes from a page of this app, which set the browser cookie;
                # without it the CSRF check would fail anyway, so refuse before the body is read.
                return await self._refuse(send, 403, "Geweigerd", "Het formulier is verlopen of komt niet van deze "
                                                                  "app. Laad de pagina opnieuw.")
        if browser is None:
            browser = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["browser"] = browser
        received = 0
        started = False

        async def counted_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                out = list(message.get("headers", []))
                present = {k.lower() for k, _ in out}
                out += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                sets_cookie = any(k.lower() == b"set-cookie" and v.startswith(f"{BROWSER_COOKIE}=".encode()) for k, v in out)
                if new_cookie and not sets_cookie:
                    out.append((b"set-cookie", browser_cookie(browser).encode()))
                message = {**message, "headers": out}
            await send(message)

        try:
            await self.app(scope, counted_receive if method in UNSAFE_METHODS else receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await self._too_large(send, limit)

    @staticmethod
    def _browser(cookie_header: str) -> str | None:
        try:
            cookies = SimpleCookie(cookie_header)
        except Exception:  # a malformed Cookie header: treat as a browser without our cookie
            return None
        morsel = cookies.get(BROWSER_COOKIE)
        return morsel.value if morsel is not None and _COOKIE_VALUE.fullmatch(morsel.value) else None

    async def _too_large(self, send, limit: int):
        await self._refuse(send, 413, "Te groot", too_large_message(limit))

    @staticmethod
    async def _refuse(send, status: int, title: str, message: str):
        body = _page(status, title, message)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close"), *SECURITY_HEADERS]})
        await send({"type": "http.response.body", "body": body})


def browser_cookie(value: str, max_age: int = BROWSER_COOKIE_DAYS * 24 * 3600) -> str:
    return f"{BROWSER_COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax"
