"""Reviewing: the measures overview, the queue of one measure, decisions, undo, the source page."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from weerbaar.assess.verdicts import organisations_of
from weerbaar.classify.ranking import analysed_threshold, latest_threshold, ranked_passage
from weerbaar.errors import WeerbaarError
from weerbaar.review import decisions as store
from weerbaar.review.source import passage_boxes, page_png
from weerbaar.web.auth import REVIEWER_COOKIE, accounts_mode, may_coordinate
from weerbaar.web.deps import CSRF, DecidingReviewer, FilterQuery, Filters, Reviewer, State, WorkspaceDep
from weerbaar.web.pages import render
from weerbaar.web.security import local_path
from weerbaar.workspace.settings import double_review_share

router = APIRouter()
CONTEXT_CHARS = 700  # page text shown before and after the passage


def _state(request: Request):
    return request.app.state.weerbaar


def _measure(request: Request, measure_id: str):
    try:
        return _state(request).codebook.measure(measure_id)
    except KeyError:
        raise HTTPException(404, f"Maatregel '{measure_id}' bestaat niet in het codeboek.") from None


_candidate_counts: dict[tuple, dict[str, int]] = {}


def _overview_counts(ws, threshold: float, filters) -> dict[str, dict]:
    """Per measure: candidates above the threshold (counted once per analysis run and filter), reviewed, relevant."""
    run = ws.conn.execute("SELECT max(id) FROM analysis_runs WHERE finished_at IS NOT NULL").fetchone()[0]
    key = (str(ws.folder), run, threshold, filters.organisation, filters.doc_type, filters.year_from, filters.year_to)
    candidates = _candidate_counts.get(key)
    if candidates is None:
        conditions, args = filters.where("d")
        where = " AND ".join(["s.score >= ?", *conditions])
        candidates = _candidate_counts[key] = dict(ws.conn.execute(
            f"""SELECT s.measure_id, count(*) FROM suggestions s JOIN passages p ON p.id = s.passage_id
                JOIN documents d ON d.id = p.document_id WHERE {where} GROUP BY s.measure_id""", [threshold, *args]).fetchall())
    reviewed: dict[str, int] = {}
    relevant: dict[str, int] = {}
    for item, decision in store.final_labels(ws).items():
        reviewed[item[-1]] = reviewed.get(item[-1], 0) + 1
        relevant[item[-1]] = relevant.get(item[-1], 0) + decision.relevant
    return {m: {"candidates": candidates.get(m, 0), "reviewed": reviewed.get(m, 0), "relevant": relevant.get(m, 0)}
            for m in {*candidates, *reviewed}}


@router.get("/")
def overview(request: Request, ws: WorkspaceDep, filters: Filters, filter_query: FilterQuery):
    threshold = analysed_threshold(ws)
    counts = _overview_counts(ws, threshold, filters) if threshold is not None else {}
    return render(request, "overzicht.html", counts=counts, analysed=threshold is not None,
                  filters=filters, filter_query=filter_query,
                  doc_types=[r[0] for r in ws.conn.execute("SELECT DISTINCT doc_type FROM documents ORDER BY 1")])


@router.post("/beoordelaar", dependencies=[CSRF])
def set_reviewer(request: Request, naam: str = Form(""), terug: str = Form("/")):
    if accounts_mode(request):
        raise HTTPException(403, "Met accounts komt uw naam van uw account; log in onder uw eigen naam.")
    naam = " ".join(naam.split())[:80]
    if not naam:
        raise HTTPException(400, "Vul uw naam in; elke beslissing wordt met de naam van de beoordelaar bewaard.")
    response = RedirectResponse(local_path(terug), status_code=303)
    response.set_cookie(REVIEWER_COOKIE, quote(naam), httponly=True, samesite="strict", max_age=60 * 60 * 24 * 365)
    return response


def _passage_context(ws, item) -> dict:
    page = ws.conn.execute("SELECT text FROM pages WHERE document_id = ? AND page_no = ?",
                           (item.document_id, item.page_no)).fetchone()[0]
    before_start = max(0, item.start - CONTEXT_CHARS)
    after_end = min(len(page), item.end + CONTEXT_CHARS)
    return {"page_text": page, "before": page[before_start:item.start], "after": page[item.end:after_end],
            "cut_before": before_start > 0, "cut_after": after_end < len(page)}


def _item_view(request: Request, measure, passage_id: int) -> dict:
    """Everything the decision screen shows about a passage for a measure."""
    ws = _state(request).workspace()
    item = ranked_passage(ws, _state(request).codebook, measure.id, passage_id)
    if item is None:  # a passage analysis stored nothing for (search, document view): show it all the same
        row = ws.conn.execute(
            """SELECT p.*, d.organisation, d.doc_type, d.year, d.title, d.filename, d.paginated, a.stage, a.stage_cue,
                      a.vulnerable_terms FROM passages p JOIN documents d ON d.id = p.document_id
               LEFT JOIN passage_analysis a ON a.passage_id = p.id WHERE p.id = ?""", (passage_id,)).fetchone()
        if row is None:
            raise HTTPException(404, f"Passage {passage_id} bestaat niet in deze werkruimte.")
        from weerbaar.classify.ranking import RankedPassage

        item = RankedPassage(passage_id=row["id"], measure_id=measure.id, score=0.0, above_threshold=False,
                             stage=row["stage"] or 0, stage_cue=row["stage_cue"], elements_found={},
                             elements_missing=[e.id for e in measure.elements],
                             vulnerable_terms=json.loads(row["vulnerable_terms"] or "[]"),
                             organisation=row["organisation"], doc_type=row["doc_type"], year=row["year"],
                             title=row["title"], filename=row["filename"], document_id=row["document_id"],
                             page_no=row["page_no"], paginated=bool(row["paginated"]), start=row["start"],
                             end=row["end"], text=row["text"])
    doc = ws.conn.execute("SELECT format, path FROM documents WHERE id = ?", (item.document_id,)).fetchone()
    suggestions = ws.conn.execute("SELECT measure_id, score FROM suggestions WHERE passage_id = ? ORDER BY score DESC LIMIT 6",
                                  (passage_id,)).fetchall()
    earlier = ws.conn.execute(
        """SELECT reviewer, relevant, stage, note, decided_at, settles FROM decisions
           WHERE passage_id = ? AND measure_id = ? AND undone_at IS NULL ORDER BY id""", (passage_id, measure.id)).fetchall()
    context = _passage_context(ws, item)
    subject = _subject_view(ws, passage_id, item.organisation)
    boxes = None
    if doc["format"] == "pdf":
        try:
            boxes = passage_boxes(Path(doc["path"]), item.page_no, context["page_text"], item.start, item.end)
        except WeerbaarError:
            boxes = None
    return {"item": item, "measure": measure, "format": doc["format"], "boxes": boxes,
            "source_exists": Path(doc["path"]).exists(), "suggestions": suggestions, "earlier": earlier,
            "subject": subject, "organisations": organisations_of(ws), **context}


SUBJECT_LABELS = {"eigen": "de eigen organisatie", "veiligheidsregio": "veiligheidsregio", "ggd": "GGD of GHOR",
                  "andere_gemeente": "een andere gemeente", "rijk": "het Rijk", "ander": "een andere partij",
                  "algemeen": "algemeen"}


def _subject_view(ws, passage_id: int, document_organisation: str | None) -> dict:
    """Whom the passage speaks for: a reviewer's latest correction, else what analyseer found."""
    corrected = ws.conn.execute("SELECT subject FROM decisions WHERE passage_id = ? AND subject IS NOT NULL "
                                "AND undone_at IS NULL ORDER BY id DESC LIMIT 1", (passage_id,)).fetchone()
    row = ws.conn.execute("SELECT subject_kind, subject_name, subject_cue FROM passage_analysis WHERE passage_id = ?",
                          (passage_id,)).fetchone()
    kind, name, cue = (row["subject_kind"], row["subject_name"], row["subject_cue"]) if row else (None, None, None)
    if kind in (None, "eigen"):
        name = name or document_organisation
    if corrected:
        return {"kind": None, "name": corrected[0], "cue": None, "label": "", "corrected": True}
    return {"kind": kind, "name": name, "cue": cue, "label": SUBJECT_LABELS.get(kind or "", ""), "corrected": False}


@router.get("/maatregel/{measure_id}")
def measure_queue(request: Request, state: State, ws: WorkspaceDep, reviewer: Reviewer, filters: Filters,
                  filter_query: FilterQuery, measure_id: str, passage: int | None = None):
    measure = _measure(request, measure_id)
    if not reviewer:
        return RedirectResponse(f"/?terug={quote(str(request.url.path))}", status_code=303)
    threshold = latest_threshold(ws)
    queue = state.queue(measure_id, filters, threshold)
    nxt = None
    if passage is None:
        nxt = queue.next_item(ws, reviewer, double_review_share(ws))
        passage = nxt.passage_id if nxt else None
    view = _item_view(request, measure, passage) if passage is not None else None
    last = ws.conn.execute("SELECT * FROM decisions WHERE reviewer = ? AND undone_at IS NULL ORDER BY id DESC LIMIT 1",
                           (reviewer,)).fetchone()
    return render(request, "wachtrij.html", measure=measure, view=view, progress=queue.progress(ws),
                  double_review=bool(nxt and nxt.double_review), last=last, filters=filters,
                  filter_query=filter_query, threshold=threshold)


@router.get("/passage/{passage_id}")
def passage_page(request: Request, ws: WorkspaceDep, passage_id: int, maatregel: str | None = None):
    if not maatregel:
        row = ws.conn.execute("SELECT measure_id FROM suggestions WHERE passage_id = ? ORDER BY score DESC LIMIT 1",
                              (passage_id,)).fetchone()
        maatregel = row[0] if row else _state(request).codebook.measures[0].id
    measure = _measure(request, maatregel)
    return render(request, "passage.html", measure=measure, view=_item_view(request, measure, passage_id),
                  filter_query="", last=None)


def _checked(value: str | None) -> bool:
    return value is not None and value not in ("", "0", "nee")


@router.post("/beslissing", dependencies=[CSRF])
def decide(request: Request, state: State, ws: WorkspaceDep, reviewer: DecidingReviewer, passage_id: int = Form(...), measure_id: str = Form(...), besluit: str = Form(...),
           citaat_klopt: str | None = Form(None), over_maatregel: str | None = Form(None),
           genoeg_context: str | None = Form(None), fase: str = Form(""), elementen: list[str] = Form([]),
           andere_maatregelen: str = Form(""), notitie: str = Form(""), beslecht: str | None = Form(None),
           betreft: str = Form(""), betreft_voorgesteld: str = Form(""), terug: str = Form("/")):
    measure = _measure(request, measure_id)
    if besluit not in ("relevant", "niet"):
        raise HTTPException(400, "Kies 'relevant' of 'niet relevant'.")
    settles = _checked(beslecht)
    if settles and not may_coordinate(request):
        raise HTTPException(403, "Alleen een coördinator mag een verschil tussen beoordelaars beslechten; "
                                 "er is niets opgeslagen.")
    stage = int(fase) if fase.strip().isdigit() and len(fase.strip()) < 3 else None
    if fase.strip() and stage is None:
        raise HTTPException(400, f"Fase '{fase.strip()[:20]}' bestaat niet; kies 0 tot en met 4.")
    known = {e.id for e in measure.elements}
    # "Hoort (ook) bij": the same passage is evidence for other measures as well. Everything is
    # checked before anything is written, and written in one transaction.
    also = [m.strip() for m in andere_maatregelen.replace(";", ",").split(",") if m.strip()]
    store.decide(ws, passage_id, measure.id, reviewer, besluit == "relevant", quote_correct=_checked(citaat_klopt),
                 about_measure=_checked(over_maatregel), enough_context=_checked(genoeg_context), stage=stage,
                 elements=[e for e in elementen if e in known], note=notitie.strip() or None, settles=settles,
                 also_for=also, known_measures={m.id for m in state.codebook.measures},
                 subject=betreft.strip()[:300] if betreft.strip() and betreft.strip() != betreft_voorgesteld.strip() else None)
    return RedirectResponse(local_path(terug), status_code=303)


@router.post("/ongedaan", dependencies=[CSRF])
def undo(request: Request, ws: WorkspaceDep, reviewer: Reviewer, terug: str = Form("/")):
    undone = store.undo_last(ws, reviewer) if reviewer else None
    target = local_path(terug)
    if undone is not None and undone.passage_id is not None and target.startswith("/maatregel/"):
        # Show the passage again, so the reviewer can decide anew.
        query = target.partition("?")[2]
        query = "&".join(p for p in query.split("&") if p and not p.startswith("passage="))
        target = f"/maatregel/{undone.measure_id}?passage={undone.passage_id}" + (f"&{query}" if query else "")
    return RedirectResponse(target, status_code=303)


@router.get("/pagina/{document_id}/{page_no}.png")
def page_image(request: Request, ws: WorkspaceDep, document_id: int, page_no: int):
    row = ws.conn.execute("SELECT path, format FROM documents WHERE id = ?", (document_id,)).fetchone()
    if row is None or row["format"] != "pdf":
        raise HTTPException(404, "Geen PDF-pagina voor dit document.")
    try:
        png = page_png(Path(row["path"]), page_no)
    except WeerbaarError as exc:  # also UnreadableDocument
        raise HTTPException(404, str(exc)) from None
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
