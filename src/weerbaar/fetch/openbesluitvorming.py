"""OpenBesluitvorming, the successor of ORI: REST search, entity detail and the export feed.

- ``/api/search`` finds documents (``entityType=Document``, ``organization``, ``dateFrom``,
  ``dateTo``, ``offset``/``limit`` up to 100);
- ``/api/entities/{id}`` gives a document's ``downloadUrl``/``pdfUrl`` and ``markdownText``;
- ``/api/export/snapshot`` and ``/api/export/changes`` (NDJSON, ``X-Next-Cursor``,
  ``X-Has-More``, ``X-Changes-Cursor``) follow one organisation over time: the cursor is kept in
  the workspace, so the next run asks only for what changed;
- the rate limit (60 units a minute, ``RateLimit-*`` headers, ``429`` with ``Retry-After``) is
  honoured by :class:`~weerbaar.fetch.http.Http`.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from weerbaar.fetch.http import FetchError, Http, Unreachable
from weerbaar.fetch.pipeline import Candidate
from weerbaar.jsonl import JsonLineError, loads, read_lines
from weerbaar.organisations import normalise_organisation
from weerbaar.workspace import Workspace

DEFAULT_BASE = "https://openbesluitvorming.nl"
SOURCE = "openbesluitvorming"  # how fetch state names this source
PAGE_SIZE = 100


def sources(http: Http, base: str = DEFAULT_BASE) -> list[dict]:
    return http.get_json(f"{base}/api/sources").get("sources", [])


def _organisation(label: str | None, org_type: str | None) -> tuple[str | None, str | None]:
    if not label:
        return None, None
    kind = org_type if org_type in ("gemeente", "provincie", "waterschap") else None
    return normalise_organisation(label, kind)


def _candidate(http: Http, base: str, entity_id: str, fallback: dict) -> Candidate | None:
    detail = http.get_json(f"{base}/api/entities/{quote(entity_id, safe='')}")
    link = detail.get("pdfUrl") or detail.get("downloadUrl") or fallback.get("downloadUrl")
    text = detail.get("markdownText")
    if not link and not text:
        return None
    organisation, org_type = _organisation(detail.get("organization") or fallback.get("organization"),
                                           fallback.get("organizationType"))
    sort_date = detail.get("sortDate") or fallback.get("sortDate") or ""
    return Candidate(
        url=link or f"openbesluitvorming:{entity_id}", source=SOURCE, source_id=entity_id,
        version=fallback.get("content_hash") or sort_date or entity_id, organisation=organisation,
        organisation_type=org_type, title=detail.get("title") or fallback.get("title"),
        date=sort_date[:10] or None, content_type=detail.get("contentType"),
        fallback_pages=[text] if text else None,
        extra={"vergadering": detail.get("meetingId")} if detail.get("meetingId") else {},
    )


def search_candidates(http: Http, *, organization: str | None, query: str | None, date_from: str | None = None,
                      date_to: str | None = None, base: str = DEFAULT_BASE) -> Iterator[Candidate]:
    types = {s["key"]: s.get("organizationType") for s in sources(http, base)} if organization else {}
    if organization and organization not in types:
        raise FetchError(f"OpenBesluitvorming kent de bron '{organization}' niet; zie /api/sources.")
    offset = 0
    while True:
        params = {"entityType": "Document", "limit": PAGE_SIZE, "offset": offset, "sort": "date_asc"}
        params.update({k: v for k, v in (("query", query), ("organization", organization), ("dateFrom", date_from),
                                         ("dateTo", date_to)) if v})
        data = http.get_json(f"{base}/api/search", params=params)
        results = data.get("results", [])
        for r in results:
            r = {**r, "organizationType": types.get(organization)}
            candidate = _candidate(http, base, r["entityId"], r)
            if candidate:
                yield candidate
        if not data.get("hasMore") or not results:
            return
        offset += len(results)


def follow_candidates(ws: Workspace, http: Http, organization: str, *, base: str = DEFAULT_BASE) -> Iterator[Candidate]:
    """First the snapshot of a source, afterwards only its changes (the cursor is kept in the workspace)."""
    types = {s["key"]: s.get("organizationType") for s in sources(http, base)}
    if organization not in types:
        raise FetchError(f"OpenBesluitvorming kent de bron '{organization}' niet; zie /api/sources.")
    kept = ws.fetch_state.cursor(SOURCE, organization)
    endpoint, cursor, changes_cursor = ("changes", kept, None) if kept is not None else ("snapshot", None, None)
    while True:
        params = {"source": organization, "limit": 500, **({"cursor": cursor} if cursor else {})}
        response = http.request("GET", f"{base}/api/export/{endpoint}", params=params)
        if response.status_code >= 400:
            raise FetchError(f"Export antwoordt met fout {response.status_code}.", response.status_code)
        if endpoint == "snapshot" and changes_cursor is None:
            changes_cursor = response.headers.get("X-Changes-Cursor")
        for line in read_lines(response.content):  # by "\n" only: a U+2028 in a title is no line break
            try:
                if line.error or line.text is None:
                    raise JsonLineError(line.error or "geen UTF-8")
                record = loads(line.text)
                if not isinstance(record, dict):
                    raise JsonLineError("geen object")
                if record.get("op") != "delete" and record.get("entity_type") == "Document" \
                        and not isinstance(record.get("entity_id"), str):
                    raise JsonLineError("'entity_id' ontbreekt")
            except JsonLineError as exc:
                raise FetchError(f"De exportfeed van '{organization}' is beschadigd: regel {line.number} van een "
                                 f"pagina: {exc.reason}. De volgende run begint weer bij dezelfde positie.") from None
            if record.get("op") == "delete" or record.get("entity_type") != "Document":
                continue
            candidate = _candidate(http, base, record["entity_id"], {
                "organizationType": types.get(organization), "content_hash": record.get("content_hash"),
                "title": (record.get("payload") or {}).get("name")})
            if candidate:
                yield candidate
        cursor = response.headers.get("X-Next-Cursor") or cursor
        if response.headers.get("X-Has-More", "false").lower() != "true":
            break
    keep = changes_cursor if endpoint == "snapshot" else cursor
    if keep:
        ws.fetch_state.set_cursor(SOURCE, organization, keep)


def probe(http: Http, base: str = DEFAULT_BASE) -> tuple[bool, str]:
    try:
        found = sources(http, base)
        stats = http.get_json(f"{base}/api/stats")
    except Unreachable as exc:  # the network, not the API: say so
        return False, f"OpenBesluitvorming is niet te bereiken. {exc.message}"
    except FetchError as exc:
        return False, f"OpenBesluitvorming antwoordt niet zoals verwacht: {exc.message}"
    if not found:
        return False, "OpenBesluitvorming antwoordt, maar noemt geen bronnen."
    return True, (f"OpenBesluitvorming antwoordt: {len(found)} bronnen, "
                  f"{stats.get('documentCount', '?')} documenten.")
