"""Protection for a local app that holds unpublished judgements.

- CSRF: every state-changing form carries a token derived from a secret kept in the workspace
  (so open pages keep working after a server restart); a page on another site cannot read it.
  The Origin header, when the browser sends one, must be this app's own.
- Redirect targets from forms must be local paths (no open redirect to another site).
- Host header: only the names the app was started for (against DNS rebinding).
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from fastapi import HTTPException, Request


def csrf_token(secret: str) -> str:
    return hmac.new(secret.encode(), b"weerbaar-formulier", hashlib.sha256).hexdigest()


def check_csrf(request: Request, secret: str, submitted: str | None) -> None:
    if not submitted or not hmac.compare_digest(submitted, csrf_token(secret)):
        raise HTTPException(403, "Het formulier is verlopen of komt niet van deze app. Laad de pagina opnieuw.")
    origin = request.headers.get("origin")
    if origin and origin != "null":
        if urlsplit(origin).netloc != request.headers.get("host"):
            raise HTTPException(403, "Dit verzoek komt van een andere website en is geweigerd.")


def local_path(target: str | None, default: str = "/") -> str:
    """A redirect target from a form: only a path on this site."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
