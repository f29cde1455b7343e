"""Open Raadsinformatie (ORI "classic"): its Elasticsearch endpoint, paged with ``search_after``.

Indexes are per organisation (``ori_utrecht_20240101…``); documents are ``MediaObject`` records
with ``name``, ``original_url``, ``url``, ``content_type``, ``last_discussed_at`` and, when ORI
extracted the file, ``text_pages``/``md_text``. The API announced its own end on 1 November 2026
in favour of OpenBesluitvorming (see docs/ophalen.md); ``--proef`` tells whether it still answers.
"""

from __future__ import annotations

from collections.abc import Iterator

from weerbaar.fetch.http import Http
from weerbaar.fetch.pipeline import Candidate
from weerbaar.organisations import normalise_organisation

DEFAULT_BASE = "https://api.openraadsinformatie.nl/v1/elastic"
PAGE_SIZE = 100


def index_pattern(municipality: str) -> str:
    """'Den Haag' → 'ori_den_haag_*' (ORI names its indexes after the municipality)."""
    return "ori_" + "_".join(municipality.lower().replace("'", "").replace("-", " ").split()) + "_*"


def query(date_from: str | None, date_to: str | None, text: str | None, after: list | None) -> dict:
    must: list[dict] = [{"term": {"@type": "MediaObject"}}]
    if text:
        must.append({"simple_query_string": {"query": text, "fields": ["name", "text", "md_text"],
                                             "default_operator": "and"}})
    if date_from or date_to:
        must.append({"range": {"last_discussed_at": {k: v for k, v in (("gte", date_from), ("lte", date_to)) if v}}})
    body = {"size": PAGE_SIZE, "query": {"bool": {"filter": must}},
            "sort": [{"last_discussed_at": {"order": "asc", "missing": "_first"}}, {"_id": "asc"}],
            "_source": ["name", "original_url", "url", "content_type", "last_discussed_at", "text_pages", "md_text",
                        "was_generated_by", "@type"]}
    if after:
        body["search_after"] = after
    return body


def candidates(http: Http, municipality: str, *, date_from: str | None = None, date_to: str | None = None,
               text: str | None = None, base: str = DEFAULT_BASE) -> Iterator[Candidate]:
    """Every document of the municipality in the range, page after page."""
    organisation, org_type = normalise_organisation(f"gemeente {municipality}")
    url = f"{base.rstrip('/')}/{index_pattern(municipality)}/_search"
    after = None
    while True:
        data = http.post_json(url, query(date_from, date_to, text, after))
        hits = data.get("hits", {}).get("hits", [])
        for hit in hits:
            src = hit.get("_source", {})
            link = src.get("original_url") or src.get("url")
            pages = src.get("text_pages") or ([src["md_text"]] if src.get("md_text") else None)
            if not link and not pages:
                continue
            date = (src.get("last_discussed_at") or "")[:10] or None
            yield Candidate(
                url=link or f"ori:{hit.get('_id')}", source="ori", source_id=hit.get("_id"),
                version=src.get("last_discussed_at") or hit.get("_id"), organisation=organisation,
                organisation_type=org_type, title=src.get("name"), date=date, content_type=src.get("content_type"),
                fallback_pages=[p if isinstance(p, str) else p.get("text", "") for p in pages] if pages else None,
                extra={"ori_index": hit.get("_index")},
            )
        if len(hits) < PAGE_SIZE or not hits[-1].get("sort"):
            return
        after = hits[-1]["sort"]


def probe(http: Http, base: str = DEFAULT_BASE) -> tuple[bool, str]:
    """Does the live API answer as expected? (True, explanation) or (False, explanation)."""
    from weerbaar.fetch.http import FetchError, Unreachable

    try:
        query = {"size": 1, "query": {"term": {"@type": "MediaObject"}}}
        data = http.post_json(f"{base.rstrip('/')}/ori_*/_search", query)
    except Unreachable as exc:  # the network, not ORI: say so
        return False, f"ORI is niet te bereiken. {exc.message}"
    except FetchError as exc:
        return False, f"ORI antwoordt niet zoals verwacht: {exc.message}"
    hits = data.get("hits", {}).get("hits", [])
    if not hits or "_source" not in hits[0]:
        return False, "ORI antwoordt, maar zonder documenten."
    return True, f"ORI antwoordt; voorbeeld: {hits[0]['_source'].get('name', '(zonder naam)')}"
