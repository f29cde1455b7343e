"""Ingesting files into a workspace: idempotent, resumable, and never stopped by one bad file.

Every document is written in one transaction (document, pages, passages, index rows). A run
that is interrupted (Ctrl-C, a killed process, a power cut) leaves only whole documents behind,
so the next run simply continues: files whose content hash is already stored are skipped,
changed files are replaced, moved files keep their passages.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from weerbaar.errors import UnreadableDocument, WeerbaarError
from weerbaar.index.analysis import index_text
from weerbaar.ingest.manifest import COLUMNS, ManifestFinder
from weerbaar.ingest.metadata import DocumentMeta, infer_metadata
from weerbaar.ingest.passages import split_passages
from weerbaar.ingest.readers import ExtractedDocument, read_document, reader_for
from weerbaar.review.decisions import reattach
from weerbaar.workspace import Workspace
from weerbaar.workspace.db import DB_FILENAME, timestamp

DEFAULT_MAX_MB = 250


@dataclass
class IngestOptions:
    max_mb: float = DEFAULT_MAX_MB
    overrides: dict[str, str] = field(default_factory=dict)  # metadata for every file of this run
    manifest: Path | None = None
    source_info: dict[str, str] = field(default_factory=dict)


@dataclass
class FileOutcome:
    path: Path
    status: str  # nieuw, gewijzigd, ongewijzigd, verplaatst, overgeslagen
    document_id: int | None = None
    pages: int = 0
    passages: int = 0
    reason: str | None = None  # a key of SKIP_REASONS when skipped
    message: str | None = None
    hint: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    outcomes: list[FileOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def skipped(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "overgeslagen"]

    @property
    def pages(self) -> int:
        return sum(o.pages for o in self.outcomes)

    @property
    def passages(self) -> int:
        return sum(o.passages for o in self.outcomes)


ProgressCallback = Callable[[Path, int], None]  # (file just handled, its size in bytes)



def _is_hidden(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts if path != root else ()
    return any(p.startswith((".", "~$")) or p in ("__pycache__", "Thumbs.db") for p in parts)


def collect_files(paths: Iterable[Path], workspace_folder: Path | None = None) -> list[tuple[Path, Path]]:
    """(file, root it was found under) for every file in the given files and folders, sorted."""
    found: dict[Path, Path] = {}
    excluded = workspace_folder.resolve() if workspace_folder else None
    for given in paths:
        given = Path(given)
        if not given.exists():
            raise WeerbaarError(f"'{given}' bestaat niet.", hint="Controleer het pad en probeer het opnieuw.")
        root = given.resolve()
        if root.is_file():
            found.setdefault(root, root.parent)
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            folder = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and (folder / d) != excluded)
            for name in sorted(filenames):
                file = folder / name
                if not _is_hidden(file, root) and name != DB_FILENAME:
                    found.setdefault(file, root)
    return sorted(found.items())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _corrections(ws: Workspace, path: str) -> dict[str, str]:
    rows = ws.conn.execute("SELECT field, value FROM metadata_corrections WHERE path = ?", (path,))
    return {r["field"]: r["value"] for r in rows}


def build_metadata(
    ws: Workspace, path: Path, root: Path, doc: ExtractedDocument, options: IngestOptions, manifests: ManifestFinder
) -> tuple[DocumentMeta, dict[str, str]]:
    """Inferred values, then manifest, then command line, then a person's corrections."""
    meta = infer_metadata(path, doc.pages, doc.title, root)
    source_info = dict(options.source_info)
    found = manifests.values_for(path, root)
    if found:
        values, manifest_path = found
        meta.apply({f: values[c] for c, f in COLUMNS.items() if c in values}, "manifest")
        if values.get("bron"):
            source_info["url"] = values["bron"]
        source_info["manifest"] = str(manifest_path)
    meta.apply(options.overrides, "opdrachtregel")
    meta.apply(_corrections(ws, str(path)), "handmatig")
    return meta, source_info


def _store(ws: Workspace, path: Path, sha: str, size: int, doc: ExtractedDocument, meta: DocumentMeta,
           source_info: dict, replace_id: int | None) -> tuple[int, int]:
    """Write one document in the current transaction; returns (document id, passages)."""
    conn = ws.conn
    if replace_id is not None:
        delete_document(ws, replace_id)
    cur = conn.execute(
        """INSERT INTO documents (path, filename, sha256, size_bytes, format, title, organisation,
               organisation_type, doc_type, year, date, page_count, paginated, metadata_source,
               source_info, notes, ingested_at)
           VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
        (str(path), path.name, sha, size, doc.format, meta.title, meta.organisation, meta.organisation_type,
         meta.doc_type, meta.year, meta.date, len(doc.pages), int(doc.paginated),
         json.dumps(meta.source, ensure_ascii=False), json.dumps(source_info, ensure_ascii=False),
         json.dumps(doc.notes, ensure_ascii=False), timestamp()),
    )
    doc_id = cur.lastrowid
    conn.executemany(
        "INSERT INTO pages (document_id, page_no, text) VALUES (?,?,?)",
        [(doc_id, no, text) for no, text in enumerate(doc.pages, 1)],
    )
    # Explicit ids, so the index rows can share them without a round trip per passage.
    # sqlite_sequence holds the highest id ever used, also after deletes.
    used = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'passages'").fetchone()
    next_id = (used[0] if used else 0) + 1
    passage_rows = []
    for page_no, text in enumerate(doc.pages, 1):
        for span in split_passages(text):
            passage_rows.append((next_id + len(passage_rows), doc_id, page_no, len(passage_rows),
                                 span.start, span.end, text[span.start : span.end]))
    conn.executemany(
        "INSERT INTO passages (id, document_id, page_no, seq, start, end, text) VALUES (?,?,?,?,?,?,?)",
        passage_rows,
    )
    conn.executemany(
        "INSERT INTO passages_fts (rowid, stems) VALUES (?, ?)", [(row[0], index_text(row[6])) for row in passage_rows]
    )
    conn.execute("DELETE FROM skipped_files WHERE path = ?", (str(path),))
    reattach(ws, doc_id)  # decisions on the previous version find their passage again
    return doc_id, len(passage_rows)


def delete_document(ws: Workspace, doc_id: int) -> None:
    """Remove a document with its pages, passages and index rows (inside a transaction)."""
    ws.conn.execute(
        "DELETE FROM passages_fts WHERE rowid IN (SELECT id FROM passages WHERE document_id = ?)", (doc_id,)
    )
    ws.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))


def _skip(ws: Workspace, path: Path, exc: UnreadableDocument, record: bool = True) -> FileOutcome:
    if record:
        with ws.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO skipped_files (path, reason, message, attempted_at) VALUES (?,?,?,?)",
                (str(path), exc.code, exc.message, timestamp()),
            )
    return FileOutcome(path, "overgeslagen", reason=exc.code, message=exc.message, hint=exc.hint)


def ingest_file(ws: Workspace, path: Path, root: Path, options: IngestOptions, manifests: ManifestFinder) -> FileOutcome:
    try:
        reader_for(path)
    except UnreadableDocument as exc:
        return _skip(ws, path, exc, record=False)
    size = path.stat().st_size
    if size > options.max_mb * 1024 * 1024:
        return _skip(ws, path, UnreadableDocument(
            "te-groot",
            f"Het bestand is {size / 1024 / 1024:.0f} MB; de grens is {options.max_mb:g} MB.",
            hint="Verhoog de grens met --max-mb als het bestand echt zo groot is.",
        ))
    if size == 0:
        return _skip(ws, path, UnreadableDocument("leeg", "Het bestand is leeg (0 bytes)."))
    sha = sha256_of(path)
    conn = ws.conn
    same_content = conn.execute("SELECT id, path FROM documents WHERE sha256 = ?", (sha,)).fetchone()
    same_path = conn.execute("SELECT id, sha256 FROM documents WHERE path = ?", (str(path),)).fetchone()
    if same_content and same_content["path"] == str(path):
        return FileOutcome(path, "ongewijzigd", document_id=same_content["id"])
    if same_content and not same_path:
        if Path(same_content["path"]).exists():
            return _skip(ws, path, UnreadableDocument(
                "dubbel", f"Zelfde inhoud als '{same_content['path']}', dat al is ingelezen."), record=False)
        with ws.transaction() as c:  # the file was moved or renamed: keep its passages and corrections
            c.execute("UPDATE documents SET path = ?, filename = ? WHERE id = ?",
                      (str(path), path.name, same_content["id"]))
            c.execute("UPDATE metadata_corrections SET path = ? WHERE path = ?", (str(path), same_content["path"]))
        return FileOutcome(path, "verplaatst", document_id=same_content["id"])
    try:
        doc = read_document(path)
    except UnreadableDocument as exc:
        return _skip(ws, path, exc)
    except MemoryError:
        return _skip(ws, path, UnreadableDocument("te-groot", "Het bestand is te groot om in het geheugen te lezen."))
    except Exception as exc:  # noqa: BLE001 - one malformed file must not stop a batch of hundreds
        return _skip(ws, path, UnreadableDocument(
            "beschadigd", f"Het bestand kon niet worden gelezen ({type(exc).__name__}: {exc})."))
    meta, source_info = build_metadata(ws, path, root, doc, options, manifests)
    with ws.transaction():
        doc_id, n_passages = _store(ws, path, sha, size, doc, meta, source_info,
                                    same_path["id"] if same_path else None)
    return FileOutcome(path, "gewijzigd" if same_path else "nieuw", document_id=doc_id,
                       pages=len(doc.pages), passages=n_passages, notes=doc.notes)


def ingest_paths(ws: Workspace, paths: Iterable[Path], options: IngestOptions | None = None,
                 progress: ProgressCallback | None = None,
                 files: list[tuple[Path, Path]] | None = None) -> IngestReport:
    """Ingest files and folders (recursively). ``files`` may be passed when already collected."""
    options = options or IngestOptions()
    manifests = ManifestFinder(options.manifest)
    files = files if files is not None else collect_files(paths, ws.folder)
    report = IngestReport()
    for path, root in files:
        if manifests.is_manifest(path):
            continue
        outcome = ingest_file(ws, path, root, options, manifests)
        report.outcomes.append(outcome)
        if progress:
            progress(path, path.stat().st_size if path.exists() else 0)
    return report
