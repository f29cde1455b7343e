"""Working as a team: agreement and conflicts, the double-review setting, export and import.

With accounts, only a coordinator settles conflicts, changes the setting and moves decisions in or
out. An import that fails shows every problem the core found, per record, and stores nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from weerbaar.errors import WeerbaarError
from weerbaar.web.auth import require_coordinator
from weerbaar.web.deps import COORDINATOR, CSRF, CodebookDep, DecidingReviewer, ProjectDep, WorkspaceDep
from weerbaar.web.pages import render
from weerbaar.web.security import MAX_IMPORT_BYTES, check_csrf
from weerbaar.web.state import thread_project, workspace
from weerbaar.workspace.settings import DOUBLE_REVIEW_SHARE, double_review_share, secret, set_setting

router = APIRouter()
coordinator_only = [COORDINATOR]


def _team_context(ws) -> dict:
    return dict(agreement=ws.decisions.agreement(), conflicts=ws.decisions.conflicts(), share=double_review_share(ws),
                orphaned=ws.decisions.count_orphaned(), filter_query="", reviewers=ws.decisions.reviewers())


@router.get("/team")
def team_page(request: Request, ws: WorkspaceDep, melding: str = ""):
    return render(request, "team.html", melding=melding, **_team_context(ws))


@router.post("/instellingen", dependencies=[*coordinator_only, CSRF])
def settings(request: Request, ws: WorkspaceDep, dubbel: float = Form(0.0)):
    if not 0 <= dubbel <= 100:
        raise HTTPException(400, "Het percentage dubbele beoordeling ligt tussen 0 en 100.")
    set_setting(ws, DOUBLE_REVIEW_SHARE, str(dubbel / 100))
    return RedirectResponse("/team?melding=instelling", status_code=303)


@router.get("/export/beslissingen.{fmt}", dependencies=coordinator_only)
def export(request: Request, project: ProjectDep, fmt: str):
    if fmt not in ("jsonl", "csv"):
        raise HTTPException(404, "Kies .jsonl of .csv.")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"beslissingen.{fmt}"
        project.decisions.export(path)
        data = path.read_bytes()
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="weerbaar-beslissingen.{fmt}"'})


def _problems(exc: WeerbaarError) -> list[str]:
    """The per-record messages of a failed import (one per line of the message, or a list the error carries)."""
    listed = getattr(exc, "problems", None) or getattr(exc, "errors", None)
    if isinstance(listed, (list, tuple)) and listed:
        return [str(p) for p in listed]
    return [line for line in str(exc).splitlines() if line.strip()]


def _import(request: Request, csrf: str, name: str, data: bytes):
    check_csrf(request, secret(workspace(request)), csrf)
    suffix = Path(name).suffix.lower()
    if suffix not in (".jsonl", ".csv"):
        raise HTTPException(400, "Kies een bestand met beslissingen: .jsonl of .csv (zoals de export maakt).")
    project = thread_project(request)
    ws = project.workspace
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(name).name or f"import{suffix}")
        path.write_bytes(data)
        try:
            imported, present, unattached = project.decisions.import_(path)
        except WeerbaarError as exc:
            return render(request, "team.html", status_code=400, melding="", import_errors=_problems(exc),
                          import_name=Path(name).name, import_hint=exc.hint, **_team_context(ws))
    return RedirectResponse(f"/team?melding=import-{imported}-{present}-{unattached}", status_code=303)


@router.post("/import")
async def import_(request: Request):
    # FastAPI would read a declared body before any dependency runs; this route reads the body itself,
    # after the role check, so that an upload by someone who may not import is never spooled.
    # (Its size is limited by the Guard middleware while it streams in.)
    await run_in_threadpool(require_coordinator, request)
    async with request.form(max_files=1, max_fields=5) as form:
        upload = form.get("bestand")
        if not isinstance(upload, UploadFile):
            raise HTTPException(400, "Kies een bestand met beslissingen: .jsonl of .csv (zoals de export maakt).")
        data = await upload.read(MAX_IMPORT_BYTES + 1)
        csrf = str(form.get("csrf") or "")
        name = upload.filename or ""
    return await run_in_threadpool(_import, request, csrf, name, data)


@router.post("/conflict", dependencies=[*coordinator_only, CSRF])
def settle(request: Request, ws: WorkspaceDep, codebook: CodebookDep, reviewer: DecidingReviewer,
           passage_id: int = Form(...), measure_id: str = Form(...), besluit: str = Form(...), notitie: str = Form("")):
    if besluit not in ("relevant", "niet"):
        raise HTTPException(400, "Kies 'relevant' of 'niet relevant'.")
    ws.decisions.decide(passage_id, measure_id, reviewer, besluit == "relevant", note=notitie.strip() or None,
                        settles=True, codebook=codebook)
    return RedirectResponse("/team?melding=beslecht", status_code=303)
