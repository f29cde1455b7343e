"""Working as a team: agreement and conflicts, the double-review setting, export and import."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from weerbaar.review import decisions as store
from weerbaar.web.app import render, reviewer_of
from weerbaar.web.security import check_csrf
from weerbaar.workspace.settings import DOUBLE_REVIEW_SHARE, double_review_share, secret, set_setting

router = APIRouter()
MAX_IMPORT_BYTES = 200 * 1024 * 1024


@router.get("/team")
def team_page(request: Request, melding: str = ""):
    ws = request.app.state.weerbaar.workspace()
    open_conflicts = store.conflicts(ws)
    reviewers = ws.conn.execute(
        """SELECT reviewer, count(*) AS n, sum(relevant) AS relevant, max(decided_at) AS last FROM decisions
           WHERE undone_at IS NULL GROUP BY reviewer ORDER BY reviewer""").fetchall()
    return render(request, "team.html", agreement=store.agreement(ws), conflicts=open_conflicts, reviewers=reviewers,
                  share=double_review_share(ws), orphaned=len(store.orphaned(ws)), melding=melding, filter_query="")


@router.post("/instellingen")
def settings(request: Request, dubbel: float = Form(0.0), csrf: str = Form("")):
    ws = request.app.state.weerbaar.workspace()
    check_csrf(request, secret(ws), csrf)
    if not 0 <= dubbel <= 100:
        raise HTTPException(400, "Het percentage dubbele beoordeling ligt tussen 0 en 100.")
    set_setting(ws, DOUBLE_REVIEW_SHARE, str(dubbel / 100))
    return RedirectResponse("/team?melding=instelling", status_code=303)


@router.get("/export/beslissingen.{fmt}")
def export(request: Request, fmt: str):
    if fmt not in ("jsonl", "csv"):
        raise HTTPException(404, "Kies .jsonl of .csv.")
    ws = request.app.state.weerbaar.workspace()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"beslissingen.{fmt}"
        store.export_decisions(ws, path)
        data = path.read_bytes()
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
    return Response(data, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="weerbaar-beslissingen.{fmt}"'})


@router.post("/import")
async def import_(request: Request, bestand: UploadFile, csrf: str = Form("")):
    state = request.app.state.weerbaar
    ws = state.workspace()
    check_csrf(request, secret(ws), csrf)
    suffix = Path(bestand.filename or "").suffix.lower()
    if suffix not in (".jsonl", ".csv"):
        raise HTTPException(400, "Kies een bestand met beslissingen: .jsonl of .csv (zoals de export maakt).")
    data = await bestand.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise HTTPException(400, "Het bestand is groter dan 200 MB.")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"import{suffix}"
        path.write_bytes(data)
        imported, present, unattached = store.import_decisions(ws, path)
    return RedirectResponse(f"/team?melding=import-{imported}-{present}-{unattached}", status_code=303)


@router.post("/conflict")
def settle(request: Request, passage_id: int = Form(...), measure_id: str = Form(...), besluit: str = Form(...),
           notitie: str = Form(""), csrf: str = Form("")):
    ws = request.app.state.weerbaar.workspace()
    check_csrf(request, secret(ws), csrf)
    reviewer = reviewer_of(request)
    if not reviewer:
        raise HTTPException(400, "Vul eerst uw naam in op de startpagina.")
    store.record(ws, passage_id, measure_id, reviewer, besluit == "relevant", note=notitie.strip() or None, settles=True)
    return RedirectResponse("/team?melding=beslecht", status_code=303)
