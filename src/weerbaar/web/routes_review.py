"""Reviewing: the measures overview, the queue of one measure, decisions, undo, the source page."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from weerbaar.api import Project
from weerbaar.errors import WeerbaarError
from weerbaar.web.auth import REVIEWER_COOKIE, accounts_mode, may_coordinate
from weerbaar.web.deps import CSRF, DecidingReviewer, FilterQuery, Filters, ProjectDep, Reviewer, State, WorkspaceDep
from weerbaar.web.pages import render
from weerbaar.web.security import local_path
from weerbaar.web.state import app_state
from weerbaar.workspace.settings import double_review_share

router = APIRouter()
CONTEXT_CHARS = 700  # page text shown before and after the passage


def _measure(request: Request, measure_id: str):
    try:
        return app_state(request).codebook.measure(measure_id)
    except KeyError:
        raise HTTPException(404, f"Maatregel '{measure_id}' bestaat niet in het codeboek.") from None


_candidate_counts: dict[tuple, dict[str, int]] = {}


def _overview_counts(ws, threshold: float, filters) -> dict[str, dict]:
    """Per measure: candidates above the threshold (counted once per analysis run and filter), reviewed, relevant."""
    run = ws.evidence.latest_run()
    key = (str(ws.folder), run, threshold, filters.organisation, filters.doc_type, filters.year_from, filters.year_to)
    candidates = _candidate_counts.get(key)
    if candidates is None:
        candidates = _candidate_counts[key] = ws.evidence.candidates_per_measure(threshold, filters)
    decided = ws.decisions.counts_per_measure()  # one query, by the log's rule of the decision that counts
    return {m: {"candidates": candidates.get(m, 0), "reviewed": decided[m].reviewed if m in decided else 0,
                "relevant": decided[m].relevant if m in decided else 0}
            for m in {*candidates, *decided}}


@router.get("/")
def overview(request: Request, ws: WorkspaceDep, filters: Filters, filter_query: FilterQuery):
    threshold = ws.analysis.threshold()
    counts = _overview_counts(ws, threshold, filters) if threshold is not None else {}
    return render(request, "overzicht.html", counts=counts, analysed=threshold is not None,
                  filters=filters, filter_query=filter_query,
                  doc_types=ws.evidence.document_types())


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
    item = item.citation
    page = ws.evidence.page_text(item.document_id, item.page)
    before_start = max(0, item.start - CONTEXT_CHARS)
    after_end = min(len(page), item.end + CONTEXT_CHARS)
    return {"page_text": page, "before": page[before_start:item.start], "after": page[item.end:after_end],
            "cut_before": before_start > 0, "cut_after": after_end < len(page)}


def _item_view(project: Project, measure, passage_id: int) -> dict:
    """Everything the decision screen shows about a passage for a measure."""
    ws = project.workspace
    item = project.passage(measure.id, passage_id)  # also one analysis stored nothing for (search, document view)
    found = ws.evidence.document_file(item.citation.document_id) if item and item.citation.document_id is not None else None
    if item is None or found is None:  # no such passage, or its document removed meanwhile (a re-ingest)
        raise HTTPException(404, f"Passage {passage_id} bestaat niet in deze werkruimte.")
    doc_format, doc_path = found
    suggestions = ws.evidence.top_suggestions(passage_id)
    earlier = ws.decisions.on_passage(passage_id, measure.id)
    context = _passage_context(ws, item)
    subject = _subject_view(ws, passage_id, item.citation.organisation)
    boxes = project.passage_boxes(item, context["page_text"]) if doc_format == "pdf" else None
    return {"item": item, "measure": measure, "format": doc_format, "boxes": boxes,
            "source_exists": Path(doc_path).exists(), "suggestions": suggestions, "earlier": earlier,
            "subject": subject, "organisations": project.organisations(), "request_key": str(uuid.uuid4()), **context}


SUBJECT_LABELS = {"eigen": "de eigen organisatie", "veiligheidsregio": "veiligheidsregio", "ggd": "GGD of GHOR",
                  "andere_gemeente": "een andere gemeente", "rijk": "het Rijk", "ander": "een andere partij",
                  "algemeen": "algemeen"}


def _subject_view(ws, passage_id: int, document_organisation: str | None) -> dict:
    """Whom the passage speaks for: a reviewer's latest correction, else what analyseer found."""
    corrected = ws.decisions.subject_of(passage_id)
    kind, name, cue = ws.evidence.detected_subject(passage_id)
    if kind in (None, "eigen"):
        name = name or document_organisation
    if corrected:
        return {"kind": None, "name": corrected, "cue": None, "label": "", "corrected": True}
    return {"kind": kind, "name": name, "cue": cue, "label": SUBJECT_LABELS.get(kind or "", ""), "corrected": False}


@router.get("/maatregel/{measure_id}")
def measure_queue(request: Request, project: ProjectDep, reviewer: Reviewer, filters: Filters,
                  filter_query: FilterQuery, measure_id: str, passage: int | None = None):
    measure = _measure(request, measure_id)
    if not reviewer:
        return RedirectResponse(f"/?terug={quote(str(request.url.path))}", status_code=303)
    ws = project.workspace
    threshold = project.threshold()
    queue = project.review_queue(measure.id, filters)
    nxt = None
    if passage is None:
        nxt = queue.next_item(ws, reviewer, double_review_share(ws))
        passage = nxt.passage_id if nxt else None
    view = _item_view(project, measure, passage) if passage is not None else None
    last = ws.decisions.last_of(reviewer)
    return render(request, "wachtrij.html", measure=measure, view=view, progress=queue.progress(ws),
                  double_review=bool(nxt and nxt.double_review), last=last, filters=filters,
                  filter_query=filter_query, threshold=threshold)


@router.get("/passage/{passage_id}")
def passage_page(request: Request, project: ProjectDep, passage_id: int, maatregel: str | None = None):
    if not maatregel:
        best = project.workspace.evidence.top_suggestions(passage_id, 1)
        maatregel = best[0].measure_id if best else project.codebook.measures[0].id
    measure = _measure(request, maatregel)
    return render(request, "passage.html", measure=measure, view=_item_view(project, measure, passage_id),
                  filter_query="", last=None)


def _checked(value: str | None) -> bool:
    return value is not None and value not in ("", "0", "nee")


@router.post("/beslissing", dependencies=[CSRF])
def decide(request: Request, state: State, ws: WorkspaceDep, reviewer: DecidingReviewer,
           passage_id: int = Form(...), measure_id: str = Form(...), besluit: str = Form(...),
           citaat_klopt: str | None = Form(None), over_maatregel: str | None = Form(None),
           genoeg_context: str | None = Form(None), fase: str = Form(""), elementen: list[str] = Form([]),
           andere_maatregelen: str = Form(""), notitie: str = Form(""), beslecht: str | None = Form(None),
           betreft: str = Form(""), betreft_voorgesteld: str = Form(""), verzoek: str = Form(""),
           terug: str = Form("/")):
    measure = _measure(request, measure_id)
    if besluit not in ("relevant", "niet"):
        raise HTTPException(400, "Kies 'relevant' of 'niet relevant'.")
    settles = _checked(beslecht)
    if settles and not may_coordinate(request):
        raise HTTPException(403, "Alleen een coördinator mag een verschil tussen beoordelaars beslechten; "
                                 "er is niets opgeslagen.")
    stage = int(fase) if fase.strip().isdigit() and len(fase.strip()) < 3 else None
    if fase.strip() and stage is None:
        raise HTTPException(400, f"Fase '{fase.strip()[:20]}' bestaat niet; kies {state.codebook.scale.choices()}.")
    known = {e.id for e in measure.elements}
    # "Hoort (ook) bij": the same passage is evidence for other measures as well. Everything is
    # checked against the codebook before anything is written, and written in one transaction;
    # the form's request key makes a resent form (double click, retry) write nothing twice.
    also = [m.strip() for m in andere_maatregelen.replace(";", ",").split(",") if m.strip()]
    ws.decisions.decide(passage_id, measure.id, reviewer, besluit == "relevant", quote_correct=_checked(citaat_klopt),
                        about_measure=_checked(over_maatregel), enough_context=_checked(genoeg_context), stage=stage,
                        elements=[e for e in elementen if e in known], note=notitie.strip() or None, settles=settles,
                        also_for=also, codebook=state.codebook, request_key=verzoek.strip()[:100] or None,
                        subject=(betreft.strip()[:300] if betreft.strip() and betreft.strip() != betreft_voorgesteld.strip()
                                 else None))
    state.mark_stale([measure.id, *also])  # re-ranked in the background; this request does not wait
    return RedirectResponse(local_path(terug), status_code=303)


@router.post("/ongedaan", dependencies=[CSRF])
def undo(request: Request, ws: WorkspaceDep, reviewer: Reviewer, terug: str = Form("/")):
    undone = ws.decisions.undo_last(reviewer) if reviewer else None
    if undone is not None:
        app_state(request).mark_stale([undone.measure_id])
    target = local_path(terug)
    if undone is not None and undone.passage_id is not None and target.startswith("/maatregel/"):
        # Show the passage again, so the reviewer can decide anew.
        query = target.partition("?")[2]
        query = "&".join(p for p in query.split("&") if p and not p.startswith("passage="))
        target = f"/maatregel/{undone.measure_id}?passage={undone.passage_id}" + (f"&{query}" if query else "")
    return RedirectResponse(target, status_code=303)


@router.get("/pagina/{document_id}/{page_no}.png")
def page_image(request: Request, project: ProjectDep, document_id: int, page_no: int):
    try:
        png = project.page_image(document_id, page_no)
    except WeerbaarError as exc:  # no PDF for this document, or an UnreadableDocument
        raise HTTPException(404, str(exc)) from None
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
