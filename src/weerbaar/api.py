"""The public Python API: one project (a workspace and its codebook) and what you can do with it.

    import weerbaar

    with weerbaar.open("mijn-werkruimte") as project:
        project.ingest(["documenten/"])
        project.analyse()
        project.passages("2.2")

The one door to the pipeline: the command line and the web app call only this module and the
store (``weerbaar.workspace``); an import-linter contract in pyproject.toml holds them to it, and a
notebook needs one import instead of seven deep ones. Every method delegates to the core module
that owns the logic and works on the project's workspace (the store) and codebook; what it returns
are the core's own typed records. ``weerbaar`` exports :func:`open` and :class:`Project` lazily, so
importing the package stays fast; this module imports the core only where a method needs it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from weerbaar.errors import WeerbaarError
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import DocumentFilters

if TYPE_CHECKING:
    # Also the names this module hands out on first use (_ON_FIRST_USE), typed here for mypy.
    from weerbaar.assess.aggregate import Aggregate
    from weerbaar.assess.cache import VerdictCache
    from weerbaar.assess.compare import Change
    from weerbaar.assess.rules import NO_EVIDENCE, NOT_ASSESSED
    from weerbaar.assess.summary import Sentence
    from weerbaar.assess.verdicts import Verdict
    from weerbaar.classify.pipeline import AnalysisReport
    from weerbaar.classify.ranking import RankedPassage
    from weerbaar.codebook import Codebook
    from weerbaar.codebook.model import Measure, Pillar
    from weerbaar.demo import DEFAULT_DEMO_WORKSPACE
    from weerbaar.embeddings import Embedder
    from weerbaar.evaluation import GroupResult, Prepared
    from weerbaar.fetch.http import FetchError, Http
    from weerbaar.fetch.pipeline import DEFAULT_MAX_MB as FETCH_MAX_MB
    from weerbaar.fetch.pipeline import Candidate, FetchReport, ItemResult
    from weerbaar.index.search import SearchHit
    from weerbaar.index.semantic import SemanticIndex
    from weerbaar.ingest.pipeline import DEFAULT_MAX_MB as INGEST_MAX_MB
    from weerbaar.ingest.pipeline import DEFAULT_MAX_PASSAGES, IngestReport, display_path
    from weerbaar.ingest.pseudopages import DEFAULT_MAX_PAGE_CHARS, MIN_PAGE_CHARS
    from weerbaar.ingest.readers.archive import DEFAULT_MAX_UNPACKED_MB
    from weerbaar.jsonl import Line
    from weerbaar.report.build import FORMATS as REPORT_FORMATS
    from weerbaar.review.accounts import Account
    from weerbaar.review.decisions import DecisionImportError, ImportResult
    from weerbaar.review.queue import MeasureQueue
    from weerbaar.review.reranker import Reranker
    from weerbaar.review.source import Box
    from weerbaar.workspace.decisions import Agreement, Decision

#: Retries after a network or server error: when fetching, and when only probing a source (--proef).
FETCH_RETRIES, PROBE_RETRIES = 4, 1

#: Constants and error classes of the core, handed out on first use (PEP 562) so that importing this
#: module stays fast for every command: name → (module, name there).
_ON_FIRST_USE = {
    "NO_EVIDENCE": ("weerbaar.assess.rules", "NO_EVIDENCE"),
    "NOT_ASSESSED": ("weerbaar.assess.rules", "NOT_ASSESSED"),
    "DEFAULT_DEMO_WORKSPACE": ("weerbaar.demo", "DEFAULT_DEMO_WORKSPACE"),
    "FetchError": ("weerbaar.fetch.http", "FetchError"),
    "FETCH_MAX_MB": ("weerbaar.fetch.pipeline", "DEFAULT_MAX_MB"),
    "INGEST_MAX_MB": ("weerbaar.ingest.pipeline", "DEFAULT_MAX_MB"),
    "DEFAULT_MAX_PASSAGES": ("weerbaar.ingest.pipeline", "DEFAULT_MAX_PASSAGES"),
    "display_path": ("weerbaar.ingest.pipeline", "display_path"),
    "DEFAULT_MAX_PAGE_CHARS": ("weerbaar.ingest.pseudopages", "DEFAULT_MAX_PAGE_CHARS"),
    "MIN_PAGE_CHARS": ("weerbaar.ingest.pseudopages", "MIN_PAGE_CHARS"),
    "DEFAULT_MAX_UNPACKED_MB": ("weerbaar.ingest.readers.archive", "DEFAULT_MAX_UNPACKED_MB"),
    "DecisionImportError": ("weerbaar.review.decisions", "DecisionImportError"),
    "REPORT_FORMATS": ("weerbaar.report.build", "FORMATS"),  # html, pdf, xlsx, csv, json
}


def __getattr__(name: str) -> Any:
    if name in _ON_FIRST_USE:
        module, attribute = _ON_FIRST_USE[name]
        value = globals()[name] = getattr(import_module(module), attribute)
        return value
    raise AttributeError(f"module 'weerbaar.api' has no attribute {name!r}")


__all__ = [
    "DEFAULT_DEMO_WORKSPACE", "DEFAULT_MAX_PAGE_CHARS", "DEFAULT_MAX_PASSAGES", "DEFAULT_MAX_UNPACKED_MB",
    "FETCH_MAX_MB", "FETCH_RETRIES", "INGEST_MAX_MB", "PROBE_RETRIES",
    "MIN_PAGE_CHARS", "NOT_ASSESSED", "NO_EVIDENCE", "REPORT_FORMATS", "Accounts", "CellView", "Dashboard",
    "DecisionImportError", "Decisions", "Evaluation", "FetchError", "OpenBesluitvormingSource", "OriSource", "Project",
    "Shared", "UrlListSource", "WebsiteSource", "build_demo", "classify", "compare", "demo_documents", "demo_regions",
    "display_path", "document_filters", "open", "probe",
]

PathLike = str | os.PathLike[str]
Years = int | tuple[int, int] | None


def open(path: PathLike, codebook: Codebook | PathLike | None = None, *, create: bool = True,  # noqa: A001
         embedder: Embedder | None = None) -> Project:
    """The project in the workspace folder ``path`` (made when missing, unless ``create=False``).

    ``codebook``: a :class:`~weerbaar.codebook.Codebook`, the path of an own codebook (YAML), or
    None for the built-in VNG codebook (read when first needed, so a search does not wait for it).
    ``embedder``: an embedding model to share between projects (by default each project loads its
    own when it first needs one).
    """
    book: Codebook | None
    if isinstance(codebook, (str, os.PathLike)):
        from weerbaar.codebook import load_codebook

        book = load_codebook(Path(codebook))  # an own codebook: its errors before anything else
    else:
        book = codebook
    return Project(Workspace.open(Path(path), create=create), book, embedder)


def demo_documents() -> Path:
    """The folder with the built-in demo documents (three fictional organisations), to try things on."""
    from weerbaar.demo import demo_documents as folder

    return folder()


def demo_regions() -> Path:
    """The CSV that puts the demo municipalities in their (fictional) safety region."""
    from weerbaar.demo import demo_regions as regions

    return regions()


def build_demo(folder: PathLike, *, fresh: bool = False, analyse: bool = True) -> tuple[IngestReport, AnalysisReport | None]:
    """The demo workspace at ``folder``: the demo documents ingested (``fresh``: into an emptied
    workspace), analysed and with the demo's own review decisions, unless ``analyse`` is off."""
    from weerbaar.demo import build_demo as build

    return build(Path(folder), fresh=fresh, analyse=analyse)


def document_filters(organisation: str | None = None, doc_type: str | None = None, years: Years = None) -> DocumentFilters:
    """Which documents a search, a list of passages or of documents looks at: the organisation's name
    contains ``organisation``, of type ``doc_type``, in ``years`` (a year or an inclusive range)."""
    year_from, year_to = years if isinstance(years, tuple) else (years, years)
    return DocumentFilters(organisation=organisation, doc_type=doc_type, year_from=year_from, year_to=year_to)


def compare(before: list[Verdict], after: list[Verdict]) -> list[Change]:
    """What changed between two sets of verdicts (two moments, or two workspaces): per cell the
    level before and after, and the new evidence."""
    from weerbaar.assess.compare import compare as changes

    return changes(before, after)


def classify(lines: Iterable[Line | str], codebook: Codebook, *, workspace: Workspace | None = None,
             max_chars: int = 20000) -> Iterator[dict]:
    """Classify texts from outside a workspace (JSONL lines ``{"id": …, "text": …}``), one result per
    line; a bad line gives a result with ``error``. ``workspace``: its word frequencies (and a learned
    model) weigh in."""
    from weerbaar.classify.classify_file import classify_lines

    return classify_lines(lines, codebook, ws=workspace, max_chars=max_chars)


class Shared:
    """What the projects on one workspace folder share across connections and threads: the semantic
    index (and its embedding model), the review queues with their background re-ranker, and the
    verdict cache. The web app keeps one and hands each request a :class:`Project` on its own
    connection that uses it; :meth:`close` stops the re-ranker and the model."""

    def __init__(self, folder: Path, codebook: Codebook):
        from weerbaar.assess.cache import VerdictCache
        from weerbaar.index.semantic import SemanticIndex
        from weerbaar.review.reranker import Reranker

        self.folder = folder
        self.codebook = codebook
        self.semantic: SemanticIndex = SemanticIndex()
        self.reranker: Reranker = Reranker(folder)
        self.verdicts: VerdictCache = VerdictCache()
        self.queues: dict[tuple, MeasureQueue] = {}
        self._lock = threading.Lock()

    def queue(self, measure_id: str, filters: DocumentFilters, threshold: float) -> MeasureQueue:
        """The review queue of a measure under these filters, kept while the threshold stands."""
        from weerbaar.review.queue import MeasureQueue

        key = (measure_id, filters.organisation, filters.doc_type, filters.year_from, filters.year_to)
        with self._lock:
            queue = self.queues.get(key)
            if queue is None or queue.threshold != threshold:
                queue = self.queues[key] = MeasureQueue(measure_id, filters, threshold, reranker=self.reranker,
                                                        max_stage=self.codebook.scale.maximum)
            return queue

    def mark_stale(self, measure_ids: Iterable[str]) -> None:
        """Decisions on these measures changed: their queues (every filter) get re-ranked in the
        background; the caller does not wait."""
        wanted = set(measure_ids)
        with self._lock:
            queues = [q for q in self.queues.values() if q.measure_id in wanted]
        for queue in queues:
            queue.mark_stale()

    def close(self) -> None:
        self.reranker.stop()
        self.semantic.close()


class Project:
    """A workspace with its codebook. Use it as a context manager, or call :meth:`close`.

    ``shared``: what projects on the same folder share (see :class:`Shared`); a project made on
    a connection it does not own (the web app's pooled one) is simply dropped, not closed."""

    def __init__(self, workspace: Workspace, codebook: Codebook | None = None, embedder: Embedder | None = None, *,
                 shared: Shared | None = None):
        self.workspace = workspace
        self._codebook = codebook
        self.shared = shared
        self._embedder = embedder
        self._own_embedder = False
        self._semantic: SemanticIndex | None = None

    @property
    def folder(self) -> Path:
        return self.workspace.folder

    @property
    def codebook(self) -> Codebook:
        """The project's codebook (the built-in VNG codebook unless another was given)."""
        if self._codebook is None:
            from weerbaar.codebook import load_codebook

            self._codebook = load_codebook()
        return self._codebook

    def _embedding_model(self) -> Embedder:
        if self._embedder is None:
            from weerbaar.embeddings import Embedder

            self._embedder, self._own_embedder = Embedder(), True
        return self._embedder

    def _semantic_index(self) -> SemanticIndex:
        if self.shared is not None:
            return self.shared.semantic
        if self._semantic is None:
            from weerbaar.index.semantic import SemanticIndex

            # Without a model of its own, the index loads one for queries alone (one worker) and closes it.
            self._semantic = SemanticIndex(self._embedder)
        return self._semantic

    # -- documents ---------------------------------------------------------------------------

    def ingest(self, paths: PathLike | Iterable[PathLike], *, organisation: str | None = None,
               organisation_type: str | None = None, doc_type: str | None = None, year: int | None = None,
               manifest: PathLike | None = None, max_mb: float | None = None,
               max_unpacked_mb: float | None = None, max_passages: int | None = None,
               max_page_chars: int | None = None, processes: int | None = None,
               progress: Callable[[Path, int], None] | None = None,
               on_total: Callable[[int], None] | None = None,
               on_wait: Callable[[str], None] | None = None) -> IngestReport:
        """Read files and folders (recursively) into the workspace; unchanged files are skipped.

        The metadata arguments set that metadata for every file of this call (as ``weerbaar ingest
        --organisatie`` etc. do); otherwise it is inferred, or taken from a manifest. The limits (None:
        the defaults, :data:`INGEST_MAX_MB` etc.) are those of ``weerbaar ingest``; ``processes``:
        readers at once (default one per core).
        ``on_total(bytes)`` is told the size of all files before reading starts and ``progress(file,
        bytes)`` after each file; ``on_wait(message)`` when the workspace is locked by another run.
        """
        from weerbaar.documentmeta import DocumentMeta
        from weerbaar.ingest.pipeline import IngestOptions, Problem, collect_files, file_size, ingest_paths

        named = {"organisation": organisation, "organisation_type": organisation_type, "doc_type": doc_type, "year": year}
        given: dict[str, str | int] = {k: v for k, v in named.items() if v is not None}
        try:
            DocumentMeta().apply(given, "opdrachtregel")  # refuse a bad value before reading anything
        except ValueError as exc:
            raise WeerbaarError(f"Ongeldige metadata: {exc}.") from None
        limits = {"max_mb": max_mb, "max_unpacked_mb": max_unpacked_mb, "max_passages": max_passages,
                  "max_page_chars": max_page_chars}
        options = IngestOptions(overrides=given, manifest=Path(manifest) if manifest is not None else None)
        for name, value in limits.items():
            if value is not None:
                setattr(options, name, value)
        items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
        folders = [Path(p) for p in items]
        problems: list[Problem] = []
        files = collect_files(folders, self.workspace.folder, problems)
        if on_total is not None:
            on_total(sum(file_size(f) for f, _ in files))
        return ingest_paths(self.workspace, folders, options, progress=progress, files=files, problems=problems,
                            on_wait=on_wait, processes=processes)

    # -- analysis and search -----------------------------------------------------------------

    def analyse(self, *, embed_all: bool = False, dask: str | None = None,
                progress: Callable[[int, int], None] | None = None) -> AnalysisReport:
        """Score every passage not yet analysed against every measure of the codebook, and bring the
        search index of the embeddings up to date. ``embed_all``: also embed passages without a word
        of the codebook; ``dask``: the address of a Dask scheduler to do the work (docs/schaal.md)."""
        from weerbaar.classify.pipeline import analyse_workspace
        from weerbaar.index.vectors import VectorIndex

        report = analyse_workspace(self.workspace, self.codebook, embedder=self._embedding_model(),
                                   embed_all=embed_all, dask=dask, progress=progress)
        VectorIndex(self.workspace.folder).sync(self.workspace)  # the new vectors into the index file
        return report

    def search(self, query: str, *, organisation: str | None = None, doc_type: str | None = None,
               years: Years = None, filters: DocumentFilters | None = None, limit: int = 20,
               semantic: bool = False) -> list[SearchHit]:
        """Full-text search (Dutch stemming; ``"a phrase"``, ``OF``, ``-without``), best first.
        ``semantic=True``: by meaning instead, over the embeddings the analysis stored.
        ``filters`` (see :func:`document_filters`) instead of organisation, doc_type and years."""
        chosen = filters or document_filters(organisation, doc_type, years)
        if semantic:
            return self._semantic_index().search(self.workspace, query, chosen, limit=limit)
        from weerbaar.index.search import search

        return search(self.workspace, query, chosen, limit=limit)

    def passages(self, measure: str, *, organisation: str | None = None, doc_type: str | None = None,
                 years: Years = None, filters: DocumentFilters | None = None, top: int = 20,
                 include_below: bool = False) -> list[RankedPassage]:
        """The passages the analysis found for a measure (its id, e.g. ``"2.2"``), best first, with
        stage, elements and vulnerable groups; ``include_below``: also those under the threshold."""
        from weerbaar.classify.ranking import ranked_passages

        return ranked_passages(self.workspace, self.codebook, measure,
                               filters or document_filters(organisation, doc_type, years),
                               top=top, include_below=include_below)

    def threshold(self) -> float:
        """The score threshold of the latest analysis; an error in Dutch when there was none."""
        from weerbaar.classify.ranking import latest_threshold

        return latest_threshold(self.workspace)

    def passage(self, measure: str, passage_id: int) -> RankedPassage | None:
        """One passage with its evidence for a measure, as a reviewer sees it. A passage the analysis
        stored nothing for (found by search, or in a document) comes with score 0 and no elements
        found; None when the workspace has no such passage."""
        from weerbaar.classify.ranking import RankedPassage, ranked_passage
        from weerbaar.workspace.records import Citation

        found = self._measure(measure)
        item = ranked_passage(self.workspace, self.codebook, found.id, passage_id)
        if item is not None:
            return item
        row = self.workspace.evidence.passage_with_document(passage_id)
        if row is None:
            return None
        return RankedPassage(citation=Citation.from_row({**dict(row), "passage_id": row["id"]}),
                             measure_id=found.id, score=0.0, above_threshold=False,
                             stage=row["stage"] or 0, stage_cue=row["stage_cue"], elements_found={},
                             elements_missing=[e.id for e in found.elements],
                             vulnerable_terms=json.loads(row["vulnerable_terms"] or "[]"))

    def _measure(self, measure: str) -> Measure:
        try:
            return self.codebook.measure(measure)
        except KeyError:
            raise WeerbaarError(f"Maatregel '{measure}' bestaat niet in het codeboek.") from None

    def review_queue(self, measure: str, filters: DocumentFilters) -> MeasureQueue:
        """The review queue of a measure: candidates above the threshold, re-ranked as decisions come
        in (in the background, and kept between calls, when the project has :attr:`shared`)."""
        if self.shared is not None:
            return self.shared.queue(measure, filters, self.threshold())
        from weerbaar.review.queue import MeasureQueue

        return MeasureQueue(measure, filters, self.threshold(), max_stage=self.codebook.scale.maximum)

    def organisations(self) -> list[str]:
        """The organisations with documents of their own, and the bodies passages speak for."""
        from weerbaar.assess.verdicts import organisations_of

        return organisations_of(self.workspace)

    # -- the source documents ----------------------------------------------------------------

    def page_image(self, document_id: int, page: int) -> bytes:
        """A PDF page as PNG, to show beside a passage; :class:`WeerbaarError` when there is none."""
        from weerbaar.review.source import page_png

        found = self.workspace.evidence.document_file(document_id)
        if found is None or found[0] != "pdf":
            raise WeerbaarError("Geen PDF-pagina voor dit document.")
        return page_png(Path(found[1]), page)

    def passage_boxes(self, passage: RankedPassage, page_text: str) -> list[Box] | None:
        """Where the passage stands on its PDF page (boxes in page fractions), to mark it on the page
        image; None for another format or when it cannot be found on the page."""
        from weerbaar.review.source import passage_boxes

        c = passage.citation
        found = self.workspace.evidence.document_file(c.document_id) if c.document_id is not None else None
        if found is None or found[0] != "pdf":
            return None
        try:
            return passage_boxes(Path(found[1]), c.page, page_text, c.start, c.end)
        except WeerbaarError:
            return None

    # -- verdicts and the report -------------------------------------------------------------

    def verdicts(self, *, include_suggestions: bool = False, organisation: str | None = None,
                 measure: str | None = None, until: str | None = None) -> list[Verdict]:
        """A verdict per organisation × measure from the reviewed evidence (``include_suggestions``:
        also from unreviewed suggestions, marked provisional). ``until``: as decided up to that
        date (``"2025-06-30"``)."""
        from weerbaar.assess.verdicts import assess

        return assess(self.workspace, self.codebook, include_suggestions=include_suggestions, until=until,
                      organisation=organisation, measure_id=measure)

    def coverage(self, verdicts: list[Verdict]) -> list[Aggregate]:
        """Per measure, how the organisations score on it (the report's coverage column)."""
        from weerbaar.assess.aggregate import per_measure

        return per_measure(verdicts, self.codebook)

    def dashboard(self, *, include_suggestions: bool = False) -> Dashboard:
        """The verdicts matrix (organisations × measures in pillar blocks) with coverage per measure
        and pillar; from :attr:`shared`'s verdict cache when there is one, so a page load does not
        recompute every verdict."""
        from weerbaar.assess.aggregate import per_measure, per_pillar
        from weerbaar.report.build import CSS_CLASS, SYMBOLS, matrix_blocks

        verdicts = self._verdict_cache().verdicts(self.workspace, self.codebook, include_suggestions=include_suggestions)
        return Dashboard(cells={(v.organisation, v.measure_id): v for v in verdicts},
                         organisations=sorted({v.organisation for v in verdicts}),
                         measures={a.key: a for a in per_measure(verdicts, self.codebook)},
                         pillars=per_pillar(verdicts, self.codebook), blocks=matrix_blocks(self.codebook.pillars),
                         symbols=SYMBOLS, css=CSS_CLASS)

    def cell(self, organisation: str, measure: str, *, include_suggestions: bool = False) -> CellView | None:
        """One cell of the matrix with its evidence and the summary in sentences; None when the
        organisation or the measure does not exist."""
        from weerbaar.assess.summary import summarise

        try:
            found = self.codebook.measure(measure)
        except KeyError:
            return None
        verdict = self._verdict_cache().cell(self.workspace, self.codebook, organisation, measure,
                                             include_suggestions=include_suggestions)
        if verdict is None:
            return None
        return CellView(verdict, found, summarise(verdict, found, self.codebook.scale))

    def _verdict_cache(self) -> VerdictCache:
        if self.shared is not None:
            return self.shared.verdicts
        from weerbaar.assess.cache import VerdictCache

        return VerdictCache()

    def report(self, path: PathLike, format: str | None = None, *, include_suggestions: bool = False,  # noqa: A002
               regions: PathLike | dict[str, str] | None = None, title: str | None = None) -> Path:
        """Write the report to ``path`` as html, pdf, xlsx, csv or json (by default from the
        suffix). ``regions``: a municipality → safety region mapping, or the CSV that holds it."""
        from weerbaar.report.build import FORMATS, WRITERS

        target = Path(path)
        fmt = (format or target.suffix.lstrip(".")).lower()
        if fmt not in FORMATS:
            raise WeerbaarError(f"Onbekend rapportformaat '{fmt or target.name}'.",
                                hint=f"Kies uit {', '.join(FORMATS)}, of geef het bestand die extensie.")
        report = self._collect(include_suggestions, regions, title)
        target.parent.mkdir(parents=True, exist_ok=True)
        WRITERS[fmt](report, target)
        return target

    def write_report(self, folder: PathLike, formats: Sequence[str] | None = None, *,
                     include_suggestions: bool = False, regions: PathLike | dict[str, str] | None = None,
                     title: str | None = None, written: Callable[[Path], None] | None = None) -> list[Path]:
        """Write the report once in several formats, as ``folder/rapport.<format>`` (the PDF beside
        the others where it can); ``formats``: by default all (:data:`REPORT_FORMATS`); ``written(path)``
        as soon as each is complete."""
        from weerbaar.report.build import FORMATS
        from weerbaar.report.write import write_forms

        report = self._collect(include_suggestions, regions, title)
        return write_forms(report, Path(folder), list(formats or FORMATS), written=written or (lambda path: None))

    def _collect(self, include_suggestions: bool, regions: PathLike | dict[str, str] | None, title: str | None) -> Any:
        from weerbaar.report.build import collect

        if regions is not None and not isinstance(regions, dict):
            from weerbaar.regions import load_region_mapping

            regions = load_region_mapping(Path(regions))[0]
        if title:
            return collect(self.workspace, self.codebook, include_suggestions=include_suggestions, regions=regions,
                           title=title)
        return collect(self.workspace, self.codebook, include_suggestions=include_suggestions, regions=regions)

    # -- fetching documents ------------------------------------------------------------------

    def fetch(self, source: Source, *, max_mb: float | None = None, delay: float = 1.0, retries: int = FETCH_RETRIES,
              regions: dict[str, str] | None = None,
              progress: Callable[[ItemResult], None] | None = None) -> FetchReport:
        """Fetch the documents a source names (:class:`OriSource`, :class:`OpenBesluitvormingSource`,
        :class:`WebsiteSource`, :class:`UrlListSource`) and ingest each at once. ``delay``: seconds
        between two requests to one server; ``retries`` on network or server errors. A source that
        cannot be reached at all raises :class:`FetchError`. ``max_mb``: the largest file (None:
        :data:`FETCH_MAX_MB`)."""
        from weerbaar.fetch.http import Http, HttpSettings
        from weerbaar.fetch.pipeline import DEFAULT_MAX_MB, fetch_candidates

        http = Http(HttpSettings(delay=delay, retries=retries))
        try:
            return fetch_candidates(self.workspace, http, source.candidates(self.workspace, http),
                                    max_mb=DEFAULT_MAX_MB if max_mb is None else max_mb, regions=regions,
                                    progress=progress)
        finally:
            http.close()

    # -- reviewers' decisions and accounts ---------------------------------------------------

    @property
    def decisions(self) -> Decisions:
        """The reviewers' decisions: record, undo, the ones that count, conflicts, agreement, exchange."""
        return Decisions(self.workspace, self.codebook)

    @property
    def accounts(self) -> Accounts:
        """The accounts of a shared review app: add, list, passwords, roles, sessions."""
        return Accounts(self.workspace)

    # -- lifetime ----------------------------------------------------------------------------

    def close(self) -> None:
        if self._semantic is not None:
            self._semantic.close()
            self._semantic = None
        if self._own_embedder and self._embedder is not None:
            self._embedder.close()
        self._embedder = None
        self.workspace.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<weerbaar.Project {str(self.folder)!r} codebook={self.codebook.name!r}>"


@dataclass
class Dashboard:
    """The verdicts matrix: a verdict per (organisation, measure), coverage per measure and pillar,
    the measures in pillar blocks, and the symbol and style of each level (as in the report)."""

    cells: dict[tuple[str, str], Verdict]
    organisations: list[str]
    measures: dict[str, Aggregate]
    pillars: list[Aggregate]
    blocks: list[list[Pillar]]
    symbols: dict[str, str]
    css: dict[str, str]


@dataclass
class CellView:
    """One cell of the matrix: the verdict with its evidence, the measure, and the verdict in sentences."""

    verdict: Verdict
    measure: Measure
    summary: list[Sentence]


@dataclass
class Decisions:
    """The decision log of a project, validated against its codebook."""

    workspace: Workspace
    codebook: Codebook

    def decide(self, passage_id: int, measure: str, reviewer: str, relevant: bool, *, stage: int | None = None,
               elements: Iterable[str] = (), note: str | None = None, also_for: Iterable[str] = (),
               settles: bool = False) -> list[Decision]:
        """Record a reviewer's decision on a passage for a measure (and, in the same transaction,
        for the measures in ``also_for``). Nothing is overwritten: a later decision counts."""
        return self.workspace.decisions.decide(passage_id, measure, reviewer, relevant, stage=stage,
                                               elements=list(elements), note=note, also_for=list(also_for),
                                               settles=settles, codebook=self.codebook)

    def undo(self, reviewer: str) -> Decision | None:
        """Undo the reviewer's latest decision (kept in the log, marked undone)."""
        return self.workspace.decisions.undo_last(reviewer)

    def all(self, *, include_undone: bool = False) -> list[Decision]:
        return self.workspace.decisions.all(include_undone=include_undone)

    def final(self, at: str | None = None) -> list[Decision]:
        """Per passage and measure, the decision that counts (a settling one, else the agreed one),
        now or as it stood at moment ``at`` (ISO date or time)."""
        return list(self.workspace.decisions.final(at).values())

    def conflicts(self) -> list[list[Decision]]:
        """Passages and measures on which reviewers disagree and nobody settled it."""
        return [decisions for _, decisions in self.workspace.decisions.conflicts()]

    def agreement(self) -> list[Agreement]:
        """Cohen's kappa per measure and pair of reviewers."""
        return self.workspace.decisions.agreement()

    def export(self, path: PathLike, format: str | None = None) -> int:  # noqa: A002
        """Write every decision (JSONL or CSV, by suffix); returns how many."""
        from weerbaar.review.decisions import export_decisions

        return export_decisions(self.workspace, Path(path), format)

    def import_(self, path: PathLike) -> ImportResult:
        """Add the decisions in a file exported elsewhere; all or nothing, each one checked
        (:class:`DecisionImportError` lists every bad record)."""
        from weerbaar.review.decisions import import_decisions

        return import_decisions(self.workspace, Path(path), self.codebook)


@dataclass
class Accounts:
    """The accounts of a review app on the network (Argon2-hashed passwords, roles, sessions)."""

    workspace: Workspace

    def exist(self) -> bool:
        """Whether the workspace has any account (then the app asks everyone to log in)."""
        from weerbaar.review.accounts import has_accounts

        return has_accounts(self.workspace)

    def all(self) -> list[Account]:
        from weerbaar.review.accounts import list_accounts

        return list_accounts(self.workspace)

    def add(self, name: str, password: str, role: str) -> Account:
        """A new account; a Dutch error for a taken name, a short password or an unknown role."""
        from weerbaar.review.accounts import add_account

        return add_account(self.workspace, name, password, role)

    def set_password(self, name: str, password: str) -> None:
        """A new password; the account's sessions end."""
        from weerbaar.review.accounts import set_password

        set_password(self.workspace, name, password)

    def set_role(self, name: str, role: str) -> None:
        from weerbaar.review.accounts import set_role

        set_role(self.workspace, name, role)

    def remove(self, name: str) -> None:
        """Remove an account; the decisions made under its name stay."""
        from weerbaar.review.accounts import remove_account

        remove_account(self.workspace, name)

    def authenticate(self, name: str, password: str) -> Account | None:
        from weerbaar.review.accounts import authenticate

        return authenticate(self.workspace, name, password)

    def start_session(self, account: Account) -> str:
        """A new session for the account; returns its token (for the browser's cookie)."""
        from weerbaar.review.accounts import start_session

        return start_session(self.workspace, account)

    def of_session(self, token: str | None) -> Account | None:
        """The account of a live session, or None."""
        from weerbaar.review.accounts import session_account

        return session_account(self.workspace, token)

    def end_session(self, token: str | None) -> None:
        from weerbaar.review.accounts import end_session

        end_session(self.workspace, token)


# -- sources of documents to fetch (Project.fetch) ---------------------------------------------

class Source(Protocol):
    """Where :meth:`Project.fetch` finds documents: ``candidates`` lists them (lazily, page after
    page), ``probe`` checks the source answers as expected without fetching or storing anything."""

    def candidates(self, ws: Workspace, http: Http) -> Iterable[Candidate]: ...

    def probe(self, http: Http) -> tuple[bool, str]: ...


@dataclass
class OriSource:
    """Open Raadsinformatie (classic): the documents of municipalities, within dates and a query."""

    municipalities: Sequence[str]
    date_from: str | None = None
    date_to: str | None = None
    text: str | None = None
    base: str | None = None  # the API's address; None: the public one

    def candidates(self, ws: Workspace, http: Http) -> Iterator[Candidate]:
        from weerbaar.fetch import ori

        for municipality in self.municipalities:
            yield from ori.candidates(http, municipality, date_from=self.date_from, date_to=self.date_to,
                                      text=self.text, base=self.base or ori.DEFAULT_BASE)

    def probe(self, http: Http) -> tuple[bool, str]:
        from weerbaar.fetch import ori

        return ori.probe(http, self.base or ori.DEFAULT_BASE)


@dataclass
class OpenBesluitvormingSource:
    """OpenBesluitvorming: a search per source key, or (``follow``) a source's export feed: its
    snapshot first, afterwards only its changes (the cursor is kept in the workspace)."""

    sources: Sequence[str] = ()
    query: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    follow: bool = False
    base: str | None = None  # None: the public address

    def candidates(self, ws: Workspace, http: Http) -> Iterator[Candidate]:
        from weerbaar.fetch import openbesluitvorming as obv

        base = self.base or obv.DEFAULT_BASE
        sources: list[str | None] = [*self.sources] or [None]
        for source in sources:
            if self.follow and source:
                yield from obv.follow_candidates(ws, http, source, base=base)
            else:
                yield from obv.search_candidates(http, organization=source, query=self.query,
                                                 date_from=self.date_from, date_to=self.date_to, base=base)

    def probe(self, http: Http) -> tuple[bool, str]:
        from weerbaar.fetch import openbesluitvorming as obv

        return obv.probe(http, self.base or obv.DEFAULT_BASE)


@dataclass
class WebsiteSource:
    """A website crawled within its domain (sitemap, then links; robots.txt respected) for documents
    whose link or name holds one of ``words`` (None: the built-in list)."""

    url: str
    organisation: str | None = None
    depth: int = 3
    max_pages: int = 500
    words: tuple[str, ...] | None = None
    pages_too: bool = False
    #: The addresses robots.txt kept the last crawl from.
    skipped_by_robots: list[str] = field(default_factory=list)

    def _words(self) -> tuple[str, ...]:
        from weerbaar.fetch.website import DEFAULT_FILTER

        return tuple(DEFAULT_FILTER) if self.words is None else self.words

    def candidates(self, ws: Workspace, http: Http) -> Iterator[Candidate]:
        from weerbaar.fetch.website import Crawler, CrawlSettings
        from weerbaar.organisations import normalise_organisation

        org, org_type = normalise_organisation(self.organisation) if self.organisation else (None, None)
        crawler = Crawler(http, self.url, CrawlSettings(depth=self.depth, max_pages=self.max_pages,
                                                        filter=self._words(), pages_too=self.pages_too), org, org_type)
        yield from crawler.candidates()
        self.skipped_by_robots = list(crawler.skipped_by_robots)

    def probe(self, http: Http) -> tuple[bool, str]:
        from weerbaar.fetch.website import probe

        return probe(http, self.url, self._words())


@dataclass
class UrlListSource:
    """The addresses in a CSV list (column url, and optionally organisatie, documenttype, jaar,
    datum, titel as their metadata); a malformed list is a Dutch error naming the line."""

    path: Path
    items: list[Candidate] = field(init=False)

    def __post_init__(self) -> None:
        from weerbaar.fetch.urllist import read_url_list

        self.items = read_url_list(Path(self.path))

    def candidates(self, ws: Workspace, http: Http) -> list[Candidate]:
        return self.items

    def probe(self, http: Http) -> tuple[bool, str]:
        """Does every address answer, without downloading the files?"""
        from weerbaar.fetch.urllist import probe

        return probe(http, self.items)


def probe(source: Source, *, delay: float = 0.0, retries: int = PROBE_RETRIES) -> tuple[bool, str]:
    """(True, explanation) when the source answers as expected, else (False, what is wrong);
    ``retries`` after a network or server error, ``delay`` seconds between requests to one server;
    nothing is fetched or stored."""
    from weerbaar.fetch.http import Http, HttpSettings

    return source.probe(Http(HttpSettings(retries=retries, delay=delay)))


# -- measuring the classifier -----------------------------------------------------------------

class Evaluation:
    """Quality on organisations and document types the model did not see (``weerbaar evalueer``):
    a labelled set (by default eval/generalisation.jsonl) and the documents it was taken from."""

    def __init__(self, codebook: Codebook, labels: PathLike | None = None, sources: PathLike | None = None):
        from weerbaar.evaluation import default_set, load_set

        self.codebook = codebook
        self.labels = Path(labels) if labels is not None else default_set()
        self.sources = Path(sources) if sources is not None else None
        self.items = load_set(self.labels)
        self._prepared: Prepared | None = None

    @staticmethod
    def groupings() -> tuple[str, ...]:
        """How the set can be split into held-out groups: ``organisatie``, ``documenttype``."""
        from weerbaar.evaluation import GROUPINGS

        return tuple(GROUPINGS)

    @staticmethod
    def default_labels() -> Path:
        from weerbaar.evaluation import default_set

        return default_set()

    def prepare(self) -> int:
        """Read and embed the set's passages from their sources (slow); returns how many."""
        from weerbaar.evaluation import prepared

        self._prepared = prepared(self.codebook, self.items, shared=self.sources)
        return len(self._prepared.items)

    def by_group(self, groupings: Sequence[str] | None = None) -> list[GroupResult]:
        """Leave one group out at a time: fit on the rest, measure model and keyword scan on the group."""
        from weerbaar.evaluation import evaluate_by_group

        if self._prepared is None:
            self.prepare()
        assert self._prepared is not None
        return evaluate_by_group(self.codebook, self._prepared, tuple(groupings or self.groupings()))
