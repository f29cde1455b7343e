"""Ingesting files into a workspace: idempotent, resumable, and never stopped by one bad file.

Every document is written in one transaction (document, pages, passages, index rows). A run
that is interrupted (Ctrl-C, a killed process, a power cut) leaves only whole documents behind,
so the next run simply continues: files whose content hash is already stored are skipped,
changed files are replaced, moved files keep their passages.

One odd file never stops a run: a file that cannot be opened (a broken or looping link, no
permission, a FIFO), a name that is not UTF-8 or a folder that cannot be listed becomes a
skipped file with a Dutch reason, and the rest of the folder is read. Limits on file size,
unpacked size (zip bombs) and passages per document keep one hostile file from taking all
memory; unpaginated text is stored in pseudo-pages of bounded size (see ``pseudopages``).

Every core: :func:`extract_file` does all the work that needs no workspace (checks, hashing,
reading, screening, splitting, stemming, inferred metadata) and runs in worker processes
(``workers``); :func:`write_file`, in this process only, decides what the file is to the
workspace and stores it, in the order of :func:`work_order` (biggest first, whatever the
number of processes), so the result does not depend on the number of processes.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable, Generator, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from weerbaar.errors import UnreadableDocument, WeerbaarError
from weerbaar.index.analysis import index_text
from weerbaar.ingest.manifest import COLUMNS, ManifestFinder
from weerbaar.ingest.metadata import DocumentMeta, infer_metadata
from weerbaar.ingest.passages import split_passages
from weerbaar.ingest.pseudopages import DEFAULT_MAX_PAGE_CHARS, PseudoPage, split_pseudo_pages
from weerbaar.ingest.readers import ExtractedDocument, ReadLimits, read_document, reader_for
from weerbaar.ingest.readers.archive import DEFAULT_MAX_UNPACKED_MB
from weerbaar.processes import cores
from weerbaar.workspace import Workspace
from weerbaar.workspace.db import DB_FILENAME

DEFAULT_MAX_MB = 250
DEFAULT_MAX_PASSAGES = 20_000  # a 1,000-page report has about 4,000
# A file up to this size is read into memory once, and hashed and parsed from those bytes. Bigger
# ones (up to --max-mb) are hashed as a stream and parsed from disk, to keep a worker's memory bounded.
IN_MEMORY_MAX_MB = 64


@dataclass
class IngestOptions:
    max_mb: float = DEFAULT_MAX_MB
    max_unpacked_mb: float = DEFAULT_MAX_UNPACKED_MB  # DOCX/ODT, unpacked (zip bombs)
    max_passages: int = DEFAULT_MAX_PASSAGES  # per document
    max_page_chars: int = DEFAULT_MAX_PAGE_CHARS  # size of a pseudo-page of unpaginated text
    overrides: dict[str, str | int] = field(default_factory=dict)  # metadata for every file of this run
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

    @property
    def display(self) -> str:
        """The path as it can be printed and stored (a non-UTF-8 name shows its bytes as \\xNN)."""
        return display_path(self.path)

    @property
    def display_name(self) -> str:
        return display_path(Path(self.path.name))


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



def display_path(path: Path | str) -> str:
    """``path`` as valid text: bytes of a name that is not UTF-8 are shown as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def _is_hidden(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts if path != root else ()
    return any(p.startswith((".", "~$")) or p in ("__pycache__", "Thumbs.db") for p in parts)


@dataclass
class Problem:
    """A file or folder found while collecting that cannot be read, with the reason."""

    path: Path
    error: UnreadableDocument


def _os_reason(exc: OSError, what: str = "Het bestand", path: Path | None = None) -> UnreadableDocument:
    if exc.errno == errno.ENOENT and path is not None and not os.path.islink(path):
        return UnreadableDocument("ontoegankelijk", f"{what} bestaat niet meer (verwijderd tijdens het inlezen?).")
    if exc.errno == errno.ENOENT:
        return UnreadableDocument("ontoegankelijk", f"{what} is een snelkoppeling naar iets dat niet bestaat.",
                                  hint="Verwijder de snelkoppeling of herstel het doel.")
    if exc.errno == errno.ELOOP:
        return UnreadableDocument("ontoegankelijk", f"{what} is een snelkoppeling die naar zichzelf terugverwijst.",
                                  hint="Verwijder de snelkoppeling of herstel het doel.")
    if exc.errno == errno.ENAMETOOLONG:
        return UnreadableDocument("ontoegankelijk", f"{what} heeft een te lang pad om te openen.",
                                  hint="Verplaats het naar een map met een korter pad.")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return UnreadableDocument("ontoegankelijk", f"{what} mag niet worden gelezen (geen leesrechten).",
                                  hint="Geef leesrechten (chmod) of lees het in als een gebruiker die het mag lezen.")
    return UnreadableDocument("ontoegankelijk", f"{what} kan niet worden geopend ({exc.strerror or exc}).")


def check_file(path: Path) -> UnreadableDocument | None:
    """Why ``path`` cannot be read as a file, or None. Never opens it (a FIFO would block)."""
    try:
        os.fsencode(path).decode("utf-8")
    except UnicodeDecodeError:
        return UnreadableDocument(
            "bestandsnaam", "De naam van het bestand (of van een map erboven) is geen geldige UTF-8.",
            hint="Hernoem het bestand, bijvoorbeeld met 'convmv -f latin1 -t utf8 --notest', en lees opnieuw in.")
    try:
        info = path.stat()
    except OSError as exc:
        return _os_reason(exc, path=path)
    if not stat.S_ISREG(info.st_mode):
        return UnreadableDocument("ontoegankelijk", "Dit is geen gewoon bestand (maar een pijp, apparaat of socket).")
    if not os.access(path, os.R_OK):
        return _os_reason(PermissionError(errno.EACCES, "Permission denied"))
    return None


def collect_files(paths: Iterable[Path], workspace_folder: Path | None = None,
                  problems: list[Problem] | None = None) -> list[tuple[Path, Path]]:
    """(file, root it was found under) for every file in the given files and folders, sorted.

    Folders that cannot be listed are added to ``problems`` (when given) instead of being
    passed over in silence; files are checked later, one by one, by :func:`extract_file`.
    """
    found: dict[Path, Path] = {}
    excluded = workspace_folder.resolve() if workspace_folder else None
    for given in paths:
        given = Path(given)
        if not os.path.lexists(given):
            raise WeerbaarError(f"'{display_path(given)}' bestaat niet.", hint="Controleer het pad en probeer het opnieuw.")
        if not given.is_dir():  # a file, or a link that leads nowhere: checked with the others
            file = given.resolve() if given.exists() else Path(os.path.abspath(given))
            found.setdefault(file, file.parent)
            continue
        root = given.resolve()

        def unlisted(exc: OSError, root: Path = root) -> None:
            if problems is not None:
                folder = Path(exc.filename) if exc.filename else root
                reason = _os_reason(exc, "De map")
                problems.append(Problem(folder, UnreadableDocument(
                    reason.code, reason.message + " De bestanden erin zijn niet ingelezen.", hint=reason.hint)))

        for dirpath, dirnames, filenames in os.walk(root, onerror=unlisted):
            folder = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and (folder / d) != excluded)
            for d in dirnames:  # os.walk does not follow them (a link to '..' would never end): say so
                if problems is not None and os.path.islink(folder / d):  # False, not an error, on a too-long path
                    problems.append(Problem(folder / d, UnreadableDocument(
                        "ontoegankelijk", "Dit is een snelkoppeling naar een map; die wordt niet gevolgd.",
                        hint=f"Geef de map zelf op: weerbaar ingest '{display_path((folder / d).resolve())}'.")))
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


def read_whole(path: Path) -> bytes | None:
    """The content of ``path`` when it is at most ``IN_MEMORY_MAX_MB`` (so it can be hashed and
    read from the same bytes), else None: a bigger file is hashed and read a piece at a time."""
    with path.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > IN_MEMORY_MAX_MB * 1024 * 1024:
            return None
        # Asking for the size (not the limit) keeps Python from allocating the limit for each small
        # file; one byte more tells a file that grew meanwhile, which is then streamed after all.
        content = fh.read(size + 1)
    return content if len(content) <= size else None


def build_metadata(
    ws: Workspace, path: Path, root: Path, extraction: Extraction, options: IngestOptions, manifests: ManifestFinder,
) -> tuple[DocumentMeta, dict[str, str]]:
    """Inferred values (by the worker), then manifest, then command line, then a person's corrections."""
    meta = extraction.meta
    assert meta is not None  # a file that was read has its inferred metadata
    source_info = dict(options.source_info)
    found = manifests.values_for(path, root)
    if found:
        values, manifest_path = found
        meta.apply({f: values[c] for c, f in COLUMNS.items() if c in values}, "manifest")
        if values.get("bron"):
            source_info["url"] = values["bron"]
        source_info["manifest"] = str(manifest_path)
    meta.apply(options.overrides, "opdrachtregel")
    meta.apply(ws.documents.corrections(path), "handmatig")
    return meta, source_info


@dataclass
class DocumentPlan:
    """What will be stored for one document: its (pseudo-)pages and their passages."""

    pages: list[str]
    offsets: list[int | None]  # where a pseudo-page starts in the whole text; None on real pages
    passages: list[tuple[int, int, int]]  # (page number, start, end)


def _too_many_passages(max_passages: int) -> UnreadableDocument:
    return UnreadableDocument(
        "te-groot", f"Het document geeft meer dan {max_passages} passages.",
        hint="Verhoog de grens met --max-passages als het document echt zo lang is.")


def plan_document(doc: ExtractedDocument, max_page_chars: int, max_passages: int) -> DocumentPlan:
    """Pages and passages of ``doc``: unpaginated text in pseudo-pages of at most ``max_page_chars``.

    Refuses a document with more than ``max_passages`` passages before anything is written.
    """
    plan = DocumentPlan([], [], [])
    base = 0
    for text in doc.pages:
        spans = split_passages(text)
        if len(plan.passages) + len(spans) > max_passages:
            raise _too_many_passages(max_passages)
        if doc.paginated:
            plan.pages.append(text)
            plan.offsets.append(None)
            plan.passages.extend((len(plan.pages), s.start, s.end) for s in spans)
            continue
        parts = split_pseudo_pages(text, max_page_chars, spans) if len(text) > max_page_chars else [
            PseudoPage(0, text, list(spans))]
        for part in parts:  # normally one text; more are counted on as if joined by one newline
            plan.pages.append(part.text)
            plan.offsets.append(base + part.offset)
            plan.passages.extend((len(plan.pages), s.start, s.end) for s in part.passages)
        base += len(text) + 1
    return plan


@dataclass
class Refusal:
    """An :class:`UnreadableDocument` as plain values, so it crosses a process boundary intact."""

    code: str
    message: str
    hint: str | None = None
    record: bool = True  # stored in the workspace's list of skipped files

    @classmethod
    def of(cls, exc: UnreadableDocument, record: bool = True) -> Refusal:
        return cls(exc.code, exc.message, exc.hint, record)

    def error(self) -> UnreadableDocument:
        return UnreadableDocument(self.code, self.message, hint=self.hint)


@dataclass
class Extraction:
    """Everything one file gives without touching the workspace: made by a worker process (or
    in-process with one process) and stored by the one writer.

    ``problem`` is set when the file was refused before its content hash was known; ``read_problem``
    when reading it failed (the writer first checks whether it is unchanged, a duplicate or moved:
    then its text is not needed). ``read`` is False when the worker skipped reading because the
    hash equals what is stored at this path.
    """

    problem: Refusal | None = None
    sha: str = ""
    size: int = 0
    read: bool = False
    read_problem: Refusal | None = None
    format: str = ""
    paginated: bool = True
    notes: list[str] = field(default_factory=list)
    plan: DocumentPlan | None = None
    meta: DocumentMeta | None = None
    stems: list[str] = field(default_factory=list)  # the full-text index form of each passage

    @property
    def chars(self) -> int:
        """The size of the text it carries (pages and index forms), to bound what waits for the writer."""
        return (sum(map(len, self.plan.pages)) if self.plan else 0) + sum(map(len, self.stems))


def extract_file(path: Path, root: Path, options: IngestOptions, stored_sha: str | None = None) -> Extraction:
    """Check, hash, read, screen, split and stem one file; no workspace needed.

    ``stored_sha``: the hash stored for this path, if any: a file with that hash is not read again.
    """
    try:
        reader_for(path)
    except UnreadableDocument as exc:
        return Extraction(problem=Refusal.of(exc, record=False))
    problem = check_file(path)
    if problem is not None:
        return Extraction(problem=Refusal.of(problem))
    try:
        size = path.stat().st_size
        if size > options.max_mb * 1024 * 1024:
            raise UnreadableDocument(
                "te-groot",
                f"Het bestand is {size / 1024 / 1024:.0f} MB; de grens is {options.max_mb:g} MB.",
                hint="Verhoog de grens met --max-mb als het bestand echt zo groot is.",
            )
        if size == 0:
            raise UnreadableDocument("leeg", "Het bestand is leeg (0 bytes).")
        content = read_whole(path)
        if content is not None:
            size, sha = len(content), hashlib.sha256(content).hexdigest()  # the size of what was hashed
        else:
            sha = sha256_of(path)
    except UnreadableDocument as exc:
        return Extraction(problem=Refusal.of(exc))
    except OSError as exc:  # removed or locked while we read it
        return Extraction(problem=Refusal.of(_os_reason(exc, path=path)))
    extraction = Extraction(sha=sha, size=size)
    if sha != stored_sha:
        read_into(extraction, path, root, options, content)
    return extraction


def read_into(extraction: Extraction, path: Path, root: Path, options: IngestOptions,
              content: bytes | None = None) -> None:
    """Read, screen, split, stem and infer the metadata of ``path`` into ``extraction``; from
    ``content`` when that is the file's content, read when it was hashed."""
    extraction.read = True
    try:
        doc = _read(path, options, content)
        extraction.plan = plan_document(doc, options.max_page_chars, options.max_passages)
    except UnreadableDocument as exc:
        extraction.read_problem = Refusal.of(exc)
        return
    except OSError as exc:  # removed or locked while we read it
        extraction.read_problem = Refusal.of(_os_reason(exc, path=path))
        return
    plan = extraction.plan
    extraction.format, extraction.paginated, extraction.notes = doc.format, doc.paginated, doc.notes
    extraction.meta = infer_metadata(path, plan.pages, doc.title, root)
    extraction.stems = [index_text(plan.pages[page_no - 1][start:end]) for page_no, start, end in plan.passages]


def _read(path: Path, options: IngestOptions, content: bytes | None = None) -> ExtractedDocument:
    """The document, or an :class:`UnreadableDocument` (or the file's own ``OSError``) saying why not."""
    try:
        return read_document(path, ReadLimits(max_unpacked_mb=options.max_unpacked_mb), content)
    except UnreadableDocument:
        raise
    except OSError as exc:
        if exc.errno is not None:  # the file itself (removed, no permission): said as such by the caller
            raise
        raise UnreadableDocument(
            "beschadigd", f"Het bestand kon niet worden gelezen ({type(exc).__name__}: {exc}).") from None
    except MemoryError:
        raise UnreadableDocument("te-groot", "Het bestand is te groot om in het geheugen te lezen.") from None
    except RecursionError:
        raise UnreadableDocument("beschadigd", "Het bestand is te diep genest om te lezen.") from None
    except Exception as exc:  # noqa: BLE001 - one malformed file must not stop a batch of hundreds
        raise UnreadableDocument(
            "beschadigd", f"Het bestand kon niet worden gelezen ({type(exc).__name__}: {exc}).") from None


def _store(ws: Workspace, path: Path, extraction: Extraction, meta: DocumentMeta, source_info: dict,
           replace_id: int | None) -> tuple[int, int]:
    """Write one document in the current transaction; returns (document id, passages)."""
    plan = extraction.plan
    assert plan is not None  # only files that were read are stored
    if replace_id is not None:
        ws.documents.delete(replace_id)
    doc_id = ws.documents.add(path, sha256=extraction.sha, size_bytes=extraction.size, format=extraction.format,
                              meta=meta, page_count=len(plan.pages), paginated=extraction.paginated,
                              source_info=source_info, notes=extraction.notes)
    n_passages = len(ws.passages.add(doc_id, plan.pages, plan.offsets, plan.passages, extraction.stems))
    ws.decisions.reattach(doc_id)  # the store's hook: decisions on the previous version find their passage again
    return doc_id, n_passages


def _skip(ws: Workspace, path: Path, exc: UnreadableDocument, record: bool = True) -> FileOutcome:
    if record:
        ws.documents.record_skipped(display_path(path), exc.code, exc.message)
    return FileOutcome(path, "overgeslagen", reason=exc.code, message=exc.message, hint=exc.hint)


def _still_holds(path: Path, sha: str) -> bool:
    """Whether the file at ``path`` still has the content ``sha``. Asked only when another file has
    content already stored for ``path``: a true copy, or a swap (the old file changed, its former
    content now elsewhere), which the order of reading must not turn into a lost document."""
    try:
        return path.is_file() and sha256_of(path) == sha
    except OSError:
        return False


def stored_sha(ws: Workspace, path: Path) -> str | None:
    """The content hash stored for ``path``, so a worker need not read an unchanged file."""
    if display_path(path) != str(path):  # a name that is not UTF-8 is never stored (check_file refuses it)
        return None
    row = ws.documents.at_path(path)
    return row["sha256"] if row else None


def write_file(ws: Workspace, path: Path, root: Path, extraction: Extraction, options: IngestOptions,
               manifests: ManifestFinder) -> FileOutcome:
    """The writer's part: decide from the workspace what ``extraction`` is and store it in one transaction."""
    if extraction.problem is not None:
        return _skip(ws, path, extraction.problem.error(), extraction.problem.record)
    sha = extraction.sha
    same_content = ws.documents.with_content(sha)
    same_path = ws.documents.at_path(path)
    if same_content and same_content["path"] == str(path):
        return FileOutcome(path, "ongewijzigd", document_id=same_content["id"])
    if same_content and not same_path:
        if _still_holds(Path(same_content["path"]), sha):
            return _skip(ws, path, UnreadableDocument(
                "dubbel", f"Zelfde inhoud als '{same_content['path']}', dat al is ingelezen."), record=False)
        # the file was moved or renamed (or its old place now holds other content): keep its
        # passages, decisions and corrections
        ws.documents.move(same_content["id"], same_content["path"], path)
        return FileOutcome(path, "verplaatst", document_id=same_content["id"])
    if not extraction.read:  # the workspace changed since the worker looked (rare): read it here
        read_into(extraction, path, root, options)
    if extraction.read_problem is not None:
        return _skip(ws, path, extraction.read_problem.error(), extraction.read_problem.record)
    meta, source_info = build_metadata(ws, path, root, extraction, options, manifests)
    with ws.transaction():
        doc_id, n_passages = _store(ws, path, extraction, meta, source_info, same_path["id"] if same_path else None)
    return FileOutcome(path, "gewijzigd" if same_path else "nieuw", document_id=doc_id,
                       pages=len(extraction.plan.pages) if extraction.plan else 0, passages=n_passages,
                       notes=extraction.notes)


def ingest_paths(ws: Workspace, paths: Iterable[Path], options: IngestOptions | None = None,
                 progress: ProgressCallback | None = None,
                 files: list[tuple[Path, Path]] | None = None,
                 problems: list[Problem] | None = None,
                 on_wait: Callable[[str], None] | None = None,
                 processes: int | None = None) -> IngestReport:
    """Ingest files and folders (recursively). ``files`` (and the ``problems`` found while
    collecting them) may be passed when already collected.

    ``processes``: how many processes extract (None: one per core). With more than one, worker
    processes read, screen, split and stem while this process alone writes, document by document
    in the order of :func:`work_order`, so the workspace is the same as with one process.
    Holds the workspace lock: a second run on the same workspace waits (``on_wait`` is told why).
    """
    with ws.exclusive("inlezen", on_wait=on_wait):
        return _ingest_paths(ws, paths, options, progress, files, problems, processes)


def _ingest_paths(ws: Workspace, paths: Iterable[Path], options: IngestOptions | None,
                  progress: ProgressCallback | None, files: list[tuple[Path, Path]] | None,
                  problems: list[Problem] | None, processes: int | None) -> IngestReport:
    options = options or IngestOptions()
    manifests = ManifestFinder(options.manifest)
    if files is None:
        problems = []
        files = collect_files(paths, ws.folder, problems)
    report = IngestReport()
    for problem in problems or []:
        report.outcomes.append(_skip(ws, problem.path, problem.error))
    todo = [(path, root) for path, root in files if not manifests.is_manifest(path)]
    position = {path: i for i, (path, _) in enumerate(todo)}
    size = {path: file_size(path) for path, _ in todo}  # for the order of reading and the progress bar
    todo = [todo[i] for i in work_order([size[path] for path, _ in todo])]
    workers = min(processes or cores(), len(todo))
    extractions: Generator[tuple[Path, Path, Extraction], None, None]
    if workers <= 1:
        extractions = ((path, root, extract_file(path, root, options, stored_sha(ws, path))) for path, root in todo)
    else:
        from weerbaar.ingest.workers import extract_in_pool  # the pool's modules only when it is used

        extractions = extract_in_pool(todo, options, workers, lambda path: stored_sha(ws, path))
    done: list[FileOutcome] = []
    try:
        with closing(extractions):  # stops the workers at once when the writer stops (Ctrl-C, an error)
            for path, root, extraction in extractions:
                done.append(write_file(ws, path, root, extraction, options, manifests))
                if progress:
                    progress(path, size[path])
    finally:  # the report lists the files in their own order, not the order they were read in
        report.outcomes.extend(sorted(done, key=lambda outcome: position[outcome.path]))
    return report


def work_order(sizes: list[int]) -> list[int]:
    """Positions ``0 .. len(sizes) - 1``, the biggest file first (ties in the files' order).

    In the files' order a big budget at the end of a folder kept one worker busy long after the
    others had finished (a tenth of the run on the benchmark corpus); biggest first, the last
    files handed out are the small ones. Bytes stand in for pages: cheap, and close enough. The
    order is the same for any number of processes, so the document and passage ids are too; of
    two files with the same content (the same size), the first in the files' order is kept.
    """
    return sorted(range(len(sizes)), key=lambda i: -sizes[i])


def file_size(path: Path) -> int:
    """Size in bytes for progress bars; 0 for what cannot be stat'ed (a broken link, a vanished file)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0
