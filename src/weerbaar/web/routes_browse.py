"""Finding passages: full-text and semantic search, the document list, one document's passages."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from weerbaar.classify.ranking import analysed_threshold
from weerbaar.errors import QueryError
from weerbaar.index.search import search
from weerbaar.web.app import filter_query, filters_from, render
from weerbaar.workspace.documents import list_documents

router = APIRouter()


@router.get("/zoek")
def search_page(request: Request, q: str = "", soort: str = "tekst"):
    state = request.app.state.weerbaar
    ws = state.workspace()
    filters = filters_from(request)
    hits, error = [], None
    if q.strip():
        try:
            hits = state.semantic.search(ws, q, filters, limit=30) if soort == "betekenis" else search(ws, q, filters, limit=30)
        except QueryError as exc:
            error = str(exc)
    return render(request, "zoek.html", q=q, soort=soort, hits=hits, error=error, filters=filters,
                  filter_query=filter_query(request))


@router.get("/documenten")
def documents_page(request: Request):
    ws = request.app.state.weerbaar.workspace()
    filters = filters_from(request)
    return render(request, "documenten.html", documents=list_documents(ws, filters), filters=filters,
                  filter_query=filter_query(request))


@router.get("/document/{document_id}")
def document_page(request: Request, document_id: int):
    ws = request.app.state.weerbaar.workspace()
    doc = ws.documents.find(document_id)
    if doc is None:
        raise HTTPException(404, f"Document {document_id} bestaat niet in deze werkruimte.")
    threshold = analysed_threshold(ws)
    threshold = 1.0 if threshold is None else threshold  # not analysed: no suggestions to show
    passages = ws.passages.of_document(document_id)
    suggested = ws.analysis.suggested_on_document(document_id, threshold)
    decided = ws.decisions.standing_on_document(document_id)
    return render(request, "document.html", doc=doc, passages=passages, suggested=suggested, decided=decided,
                  filter_query="")
