"""Finding passages: full-text and semantic search, the document list, one document's passages."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from weerbaar.errors import QueryError
from weerbaar.web.deps import FilterQuery, Filters, ProjectDep, WorkspaceDep
from weerbaar.web.pages import render
from weerbaar.workspace.documents import list_documents

router = APIRouter()


@router.get("/zoek")
def search_page(request: Request, project: ProjectDep, filters: Filters, filter_query: FilterQuery,
                q: str = "", soort: str = "tekst"):
    hits, error = [], None
    if q.strip():
        try:
            hits = project.search(q, filters=filters, limit=30, semantic=soort == "betekenis")
        except QueryError as exc:
            error = str(exc)
    return render(request, "zoek.html", q=q, soort=soort, hits=hits, error=error, filters=filters,
                  filter_query=filter_query)


@router.get("/documenten")
def documents_page(request: Request, ws: WorkspaceDep, filters: Filters, filter_query: FilterQuery):
    return render(request, "documenten.html", documents=list_documents(ws, filters), filters=filters,
                  filter_query=filter_query)


@router.get("/document/{document_id}")
def document_page(request: Request, ws: WorkspaceDep, document_id: int):
    doc = ws.documents.find(document_id)
    if doc is None:
        raise HTTPException(404, f"Document {document_id} bestaat niet in deze werkruimte.")
    threshold = ws.analysis.threshold()
    threshold = 1.0 if threshold is None else threshold  # not analysed: no suggestions to show
    passages = ws.passages.of_document(document_id)
    suggested = ws.analysis.suggested_on_document(document_id, threshold)
    decided = ws.decisions.standing_on_document(document_id)
    return render(request, "document.html", doc=doc, passages=passages, suggested=suggested, decided=decided,
                  filter_query="")
