"""From candidate items to ingested documents: download (or use the source's text), record, ingest.

Shared by every source. An item already fetched with the same version is skipped, so a second
run fetches only what is new or changed; a failed item is reported and retried next time.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from weerbaar.fetch.http import FetchError, Http
from weerbaar.ingest.pipeline import IngestOptions, ingest_paths
from weerbaar.workspace import Workspace

DEFAULT_MAX_MB = 100
FOLDER = "bronnen"
_SAFE = re.compile(r"[^\w.\-]+")
_TYPES = {"application/pdf": ".pdf", "text/html": ".html", "text/plain": ".txt", "text/markdown": ".md",
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
          "application/vnd.oasis.opendocument.text": ".odt"}


@dataclass
class Candidate:
    url: str
    source: str
    source_id: str | None = None
    version: str | None = None
    organisation: str | None = None
    organisation_type: str | None = None
    title: str | None = None
    date: str | None = None
    year: int | None = None
    doc_type: str | None = None
    content_type: str | None = None
    fallback_pages: list[str] | None = None  # the source's own text, when the file cannot be had
    extra: dict = field(default_factory=dict)


@dataclass
class ItemResult:
    candidate: Candidate
    status: str  # nieuw, gewijzigd, ongewijzigd, fout
    message: str | None = None
    path: Path | None = None
    document_id: int | None = None


@dataclass
class FetchReport:
    items: list[ItemResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def failures(self) -> list[ItemResult]:
        return [i for i in self.items if i.status == "fout"]



def _safe(text: str, limit: int = 80) -> str:
    return (_SAFE.sub("-", text).strip("-._") or "document")[:limit]


def target_path(ws: Workspace, c: Candidate) -> Path:
    """bronnen/<source>/<organisation>/<name>-<hash>.<ext>: stable per URL, readable for people."""
    url_path = PurePosixPath(unquote(urlsplit(c.url).path))
    suffix = _TYPES.get((c.content_type or "").split(";")[0].strip().lower()) or url_path.suffix.lower()
    if suffix not in {".pdf", ".html", ".htm", ".txt", ".md", ".docx", ".odt"}:
        suffix = mimetypes.guess_extension((c.content_type or "").split(";")[0]) or ".pdf"
    name = _safe(c.title or url_path.stem or "document", 60)
    digest = hashlib.sha1(c.url.encode()).hexdigest()[:8]
    return ws.folder / FOLDER / _safe(c.source) / _safe(c.organisation or "onbekend") / f"{name}-{digest}{suffix}"


def _record(ws: Workspace, c: Candidate, status: str, path: Path | None, message: str | None) -> None:
    ws.fetch_state.record(c.url, source=c.source, source_id=c.source_id, version=c.version,
                          path=str(path.relative_to(ws.folder)) if path else None, status=status, message=message)


def fetch_candidates(ws: Workspace, http: Http, candidates, *, max_mb: float = DEFAULT_MAX_MB,
                     regions: dict[str, str] | None = None,
                     progress: Callable[[ItemResult], None] | None = None) -> FetchReport:
    """Fetch and ingest every candidate (an iterable: sources page lazily). ``regions`` maps a
    municipality to its safety region, recorded with each document."""
    report = FetchReport()
    for c in candidates:
        if regions and c.organisation in regions:
            c.extra["veiligheidsregio"] = regions[c.organisation]
        result = fetch_one(ws, http, c, max_mb=max_mb)
        report.items.append(result)
        if progress:
            progress(result)
    return report


def _conditional_headers(version: str | None) -> dict[str, str]:
    if version and version.startswith("etag:"):
        return {"If-None-Match": version[5:]}
    if version and version.startswith("lm:"):
        return {"If-Modified-Since": version[3:]}
    return {}


def _version_of(response, path: Path) -> str:
    """What tells a later run whether the file changed: ETag, else Last-Modified, else its hash."""
    if response.headers.get("ETag"):
        return "etag:" + response.headers["ETag"]
    if response.headers.get("Last-Modified"):
        return "lm:" + response.headers["Last-Modified"]
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_one(ws: Workspace, http: Http, c: Candidate, *, max_mb: float = DEFAULT_MAX_MB) -> ItemResult:
    """Fetch one item unless we have it already. A source that gives no version (a website) is
    asked with a conditional request, so an unchanged file is not downloaded again."""
    known = ws.fetch_state.known(c.url)
    kept = ws.folder / known.path if known is not None and known.status == "ok" and known.path else None
    have = kept is not None and kept.exists()
    known_version = known.version if known is not None else None
    if have and c.version is not None and known_version == c.version:
        return ItemResult(c, "ongewijzigd", path=kept)
    # A URL we have keeps its file: a re-run with other options must not create a second copy.
    path = kept if have and kept is not None else target_path(ws, c)
    headers = _conditional_headers(known_version) if have and c.version is None else {}
    try:
        response = http.request("GET", c.url, stream_to=path, max_bytes=int(max_mb * 2**20), headers=headers)
        if response.status_code == 304:
            return ItemResult(c, "ongewijzigd", path=path)
        if response.status_code != 200:
            raise FetchError(f"De bron antwoordt met {response.status_code}.", response.status_code)
        if not c.content_type:
            c.content_type = response.headers.get("Content-Type")
        if c.version is None:
            c.version = _version_of(response, path)
            if have and c.version == known_version:
                return ItemResult(c, "ongewijzigd", path=path)
    except FetchError as exc:
        if not c.fallback_pages:
            _record(ws, c, "fout", None, exc.message)
            return ItemResult(c, "fout", exc.message)
        path = path.with_suffix(".md")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\f".join(c.fallback_pages), encoding="utf-8")
        c.extra["tekst_van_bron"] = f"bestand niet beschikbaar ({exc.message}); tekst van de bron gebruikt"
    document_id, message = _ingest(ws, path, c)
    if document_id is None:
        _record(ws, c, "fout", path, message)
        return ItemResult(c, "fout", message, path)
    _record(ws, c, "ok", path, c.extra.get("tekst_van_bron"))
    return ItemResult(c, "nieuw" if not have else "gewijzigd", c.extra.get("tekst_van_bron"), path, document_id)


def _ingest(ws: Workspace, path: Path, c: Candidate) -> tuple[int | None, str | None]:
    given = {"organisation": c.organisation, "organisation_type": c.organisation_type, "title": c.title,
             "date": c.date, "year": c.year, "doc_type": c.doc_type}
    overrides = {k: v for k, v in given.items() if v}
    if overrides.get("organisation_type") and not overrides.get("organisation"):
        overrides.pop("organisation_type")
    info = {"url": c.url, "bron": c.source, **({"bron_id": c.source_id} if c.source_id else {}), **c.extra}
    report = ingest_paths(ws, [path], IngestOptions(overrides=overrides, source_info=info))
    outcome = report.outcomes[0]
    if outcome.document_id is None:
        return None, f"niet ingelezen: {outcome.message}"
    return outcome.document_id, None
