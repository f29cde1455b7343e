"""The public Python API: one project (a workspace and its codebook) and what you can do with it.

    import weerbaar

    with weerbaar.open("mijn-werkruimte") as project:
        project.ingest(["documenten/"])
        project.analyse()
        project.passages("2.2")

A thin layer over the core functions the command line and the web app use, so a notebook needs
one import instead of seven deep ones. Every method works on the project's workspace (the store)
and codebook; what it returns are the core's own typed records. ``weerbaar`` exports
:func:`open` and :class:`Project` lazily, so importing the package stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from weerbaar.codebook import Codebook, load_codebook
from weerbaar.documentmeta import DocumentMeta
from weerbaar.errors import WeerbaarError
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import DocumentFilters

if TYPE_CHECKING:
    from weerbaar.assess.verdicts import Verdict
    from weerbaar.classify.pipeline import AnalysisReport
    from weerbaar.classify.ranking import RankedPassage
    from weerbaar.embeddings import Embedder
    from weerbaar.index.search import SearchHit
    from weerbaar.index.semantic import SemanticIndex
    from weerbaar.ingest.pipeline import IngestReport
    from weerbaar.review.decisions import Agreement, Decision, ImportResult

PathLike = str | os.PathLike[str]
Years = int | tuple[int, int] | None

#: The report formats :meth:`Project.report` writes, by file suffix.
REPORT_FORMATS = ("html", "pdf", "xlsx", "csv", "json")


def open(path: PathLike, codebook: Codebook | PathLike | None = None, *, create: bool = True,  # noqa: A001
         embedder: Embedder | None = None) -> Project:
    """The project in the workspace folder ``path`` (made when missing, unless ``create=False``).

    ``codebook``: a :class:`~weerbaar.codebook.Codebook`, the path of an own codebook (YAML), or
    None for the built-in VNG codebook. ``embedder``: an embedding model to share between projects
    (by default each project loads its own when it first needs one).
    """
    book = codebook if isinstance(codebook, Codebook) else load_codebook(None if codebook is None else Path(codebook))
    return Project(Workspace.open(Path(path), create=create), book, embedder)


def demo_documents() -> Path:
    """The folder with the built-in demo documents (three fictional organisations), to try things on."""
    from weerbaar.demo import demo_documents as folder

    return folder()


def _filters(organisation: str | None, doc_type: str | None, years: Years) -> DocumentFilters:
    year_from, year_to = years if isinstance(years, tuple) else (years, years)
    return DocumentFilters(organisation=organisation, doc_type=doc_type, year_from=year_from, year_to=year_to)


class Project:
    """A workspace with its codebook. Use it as a context manager, or call :meth:`close`."""

    def __init__(self, workspace: Workspace, codebook: Codebook, embedder: Embedder | None = None):
        self.workspace = workspace
        self.codebook = codebook
        self._embedder = embedder
        self._own_embedder = False
        self._semantic: SemanticIndex | None = None

    @property
    def folder(self) -> Path:
        return self.workspace.folder

    def _embedding_model(self) -> Embedder:
        if self._embedder is None:
            from weerbaar.embeddings import Embedder

            self._embedder, self._own_embedder = Embedder(), True
        return self._embedder

    # -- documents ---------------------------------------------------------------------------

    def ingest(self, paths: PathLike | Iterable[PathLike], *, organisation: str | None = None,
               organisation_type: str | None = None, doc_type: str | None = None, year: int | None = None,
               manifest: PathLike | None = None,
               progress: Callable[[Path, int], None] | None = None) -> IngestReport:
        """Read files and folders (recursively) into the workspace; unchanged files are skipped.

        The keyword arguments set that metadata for every file of this call (as ``weerbaar ingest
        --organisatie`` etc. do); otherwise it is inferred, or taken from a manifest.
        """
        from weerbaar.ingest.pipeline import IngestOptions, ingest_paths

        named = {"organisation": organisation, "organisation_type": organisation_type, "doc_type": doc_type, "year": year}
        given: dict[str, str | int] = {k: str(v) for k, v in named.items() if v is not None}
        try:
            DocumentMeta().apply(given, "opdrachtregel")  # refuse a bad value before reading anything
        except ValueError as exc:
            raise WeerbaarError(f"Ongeldige metadata: {exc}.") from None
        options = IngestOptions(overrides=given,
                                manifest=Path(manifest) if manifest is not None else None)
        items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
        return ingest_paths(self.workspace, [Path(p) for p in items], options, progress=progress)

    # -- analysis and search -----------------------------------------------------------------

    def analyse(self, *, progress: Callable[[int, int], None] | None = None) -> AnalysisReport:
        """Score every passage not yet analysed against every measure of the codebook."""
        from weerbaar.classify.pipeline import analyse_workspace

        return analyse_workspace(self.workspace, self.codebook, embedder=self._embedding_model(), progress=progress)

    def search(self, query: str, *, organisation: str | None = None, doc_type: str | None = None,
               years: Years = None, limit: int = 20, semantic: bool = False) -> list[SearchHit]:
        """Full-text search (Dutch stemming; ``"a phrase"``, ``OF``, ``-without``), best first.
        ``semantic=True``: by meaning instead, over the embeddings the analysis stored."""
        filters = _filters(organisation, doc_type, years)
        if semantic:
            from weerbaar.index.semantic import SemanticIndex

            if self._semantic is None:
                self._semantic = SemanticIndex(self._embedding_model())
            return self._semantic.search(self.workspace, query, filters, limit=limit)
        from weerbaar.index.search import search

        return search(self.workspace, query, filters, limit=limit)

    def passages(self, measure: str, *, organisation: str | None = None, doc_type: str | None = None,
                 years: Years = None, top: int = 20, include_below: bool = False) -> list[RankedPassage]:
        """The passages the analysis found for a measure (its id, e.g. ``"2.2"``), best first, with
        stage, elements and vulnerable groups; ``include_below``: also those under the threshold."""
        from weerbaar.classify.ranking import ranked_passages

        return ranked_passages(self.workspace, self.codebook, measure, _filters(organisation, doc_type, years),
                               top=top, include_below=include_below)

    # -- verdicts and the report -------------------------------------------------------------

    def verdicts(self, *, include_suggestions: bool = False, organisation: str | None = None,
                 measure: str | None = None, until: str | None = None) -> list[Verdict]:
        """A verdict per organisation × measure from the reviewed evidence (``include_suggestions``:
        also from unreviewed suggestions, marked provisional). ``until``: as decided up to that
        date (``"2025-06-30"``)."""
        from weerbaar.assess.verdicts import assess

        return assess(self.workspace, self.codebook, include_suggestions=include_suggestions, until=until,
                      organisation=organisation, measure_id=measure)

    def report(self, path: PathLike, format: str | None = None, *, include_suggestions: bool = False,  # noqa: A002
               regions: PathLike | dict[str, str] | None = None, title: str | None = None) -> Path:
        """Write the report to ``path`` as html, pdf, xlsx, csv or json (by default from the
        suffix). ``regions``: a municipality → safety region mapping, or the CSV that holds it."""
        from weerbaar.report.build import WRITERS, collect

        target = Path(path)
        fmt = (format or target.suffix.lstrip(".")).lower()
        if fmt not in REPORT_FORMATS:
            raise WeerbaarError(f"Onbekend rapportformaat '{fmt or target.name}'.",
                                hint=f"Kies uit {', '.join(REPORT_FORMATS)}, of geef het bestand die extensie.")
        if regions is not None and not isinstance(regions, dict):
            from weerbaar.regions import load_region_mapping

            regions = load_region_mapping(Path(regions))[0]
        if title:
            report = collect(self.workspace, self.codebook, include_suggestions=include_suggestions, regions=regions,
                             title=title)
        else:
            report = collect(self.workspace, self.codebook, include_suggestions=include_suggestions, regions=regions)
        target.parent.mkdir(parents=True, exist_ok=True)
        WRITERS[fmt](report, target)
        return target

    # -- reviewers' decisions ----------------------------------------------------------------

    @property
    def decisions(self) -> Decisions:
        """The reviewers' decisions: record, undo, the ones that count, conflicts, agreement, exchange."""
        return Decisions(self.workspace, self.codebook)

    # -- lifetime ----------------------------------------------------------------------------

    def close(self) -> None:
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
        """Add the decisions in a file exported elsewhere; all or nothing, each one checked."""
        from weerbaar.review.decisions import import_decisions

        return import_decisions(self.workspace, Path(path), self.codebook)
