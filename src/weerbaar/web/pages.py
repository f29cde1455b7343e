"""Rendering a page: the template with what every page shows (reviewer, account, CSRF token,
stage labels, the codebook, the current address)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from weerbaar.web.auth import accounts_mode, current_account, may_coordinate, reviewer_of
from weerbaar.web.security import csrf_token
from weerbaar.web.state import app_state
from weerbaar.workspace.settings import secret


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    state = app_state(request)
    ws = state.workspace()
    context.update(request=request, reviewer=reviewer_of(request), csrf=csrf_token(secret(ws), request.state.browser),
                   accounts=accounts_mode(request), account=current_account(request),
                   coordinator=may_coordinate(request), stage_labels=state.codebook.scale.labels, codebook=state.codebook,
                   here=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)
