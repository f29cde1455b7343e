"""Typed records the store returns; every one that quotes text carries one :class:`Citation`.

A quote is only worth something at its place: the organisation and document it comes from, the
page, and the character offsets that make ``page_text[start:end] == text`` hold. Search hits,
ranked evidence, verdict evidence and decision snapshots all point at text this way, so they
share this one value and its one JSON form instead of re-declaring the fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

#: Bumped when the JSON form of a record changes in a way a reader would notice.
CITATION_FIELDS = (
    "passage_id", "document_id", "organisation", "document_type", "year", "title", "file",
    "page", "paginated", "start", "end", "text",
)


@dataclass(frozen=True, slots=True)
class Citation:
    """A verbatim passage at its place: ``page text[start:end] == text`` on ``page`` of ``file``."""

    passage_id: int | None
    document_id: int | None
    organisation: str | None
    document_type: str | None
    year: int | None
    title: str | None
    file: str
    page: int
    paginated: bool
    start: int
    end: int
    text: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Citation:
        """Build from a row that uses the store's column names (``doc_type``, ``filename``, ``page_no``)."""
        keys = row.keys()

        def get(*names: str, default: Any = None) -> Any:
            for name in names:
                if name in keys:
                    return row[name]
            return default

        return cls(
            passage_id=get("passage_id"),
            document_id=get("document_id"),
            organisation=get("organisation"),
            document_type=get("document_type", "doc_type"),
            year=get("year"),
            title=get("title"),
            file=get("file", "filename", "document_path", default="") or "",
            page=int(get("page", "page_no", default=0) or 0),
            paginated=bool(get("paginated", default=True)),
            start=int(get("start", default=0) or 0),
            end=int(get("end", default=0) or 0),
            text=get("text", default="") or "",
        )

    def to_json(self) -> dict[str, Any]:
        """The one JSON form of a citation (English keys, as in every ``--json`` output)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Citation:
        values: dict[str, Any] = {name: data.get(name) for name in CITATION_FIELDS}
        return cls(**values)

    @property
    def where(self) -> str:
        """Dutch place description for people: 'p. 12' or 'tekst zonder pagina's'."""
        return f"p. {self.page}" if self.paginated else "tekst zonder pagina's"


@dataclass(frozen=True, slots=True)
class Passage:
    """One passage as stored: ``text`` equals its page's text ``[start:end]``."""

    id: int
    document_id: int
    page_no: int
    seq: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class PassageForAnalysis:
    """A passage with what the stage and subject rules read around it: its document and the text before it."""

    passage_id: int
    text: str
    doc_type: str
    year: int | None
    organisation: str | None
    organisation_type: str
    before: str


@dataclass(frozen=True, slots=True)
class FoundPassage:
    """A full-text or semantic search result as the store returns it (the ranking score is the caller's)."""

    citation: Citation
    organisation_type: str
    rank: float  # FTS5 bm25: lower is better (0.0 for a lookup by id)


@dataclass(frozen=True, slots=True)
class AnalysisRun:
    id: int
    config_key: str
    config: dict
    started_at: str
    finished_at: str | None
    passages: int


@dataclass(frozen=True, slots=True)
class PassageAnalysis:
    """What ``analyseer`` found for one passage: its stage (with the cue), vulnerable groups and subject."""

    passage_id: int
    config_key: str
    run_id: int
    stage: int
    stage_cue: str | None
    vulnerable_terms: list[str]
    subject_kind: str | None = None
    subject_name: str | None = None
    subject_cue: str | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A passage x measure pair worth ranking, with its scores and the evidence elements' terms found."""

    passage_id: int
    measure_id: str
    score: float
    lexical: float
    semantic: float
    elements: dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class SuggestedEvidence:
    """A suggestion with its passage at its place and the passage's analysis (for ranked evidence)."""

    citation: Citation
    suggestion: Suggestion
    stage: int
    stage_cue: str | None
    vulnerable_terms: list[str]


@dataclass(frozen=True, slots=True)
class FetchedItem:
    """One fetched URL: which version we have and where its file is (relative to the workspace)."""

    url: str
    source: str
    source_id: str | None
    version: str | None
    path: str | None
    status: str  # ok or fout
    message: str | None
    fetched_at: str


class Placed:
    """The place of a record that carries a :class:`Citation`, under the names reports, exports and
    templates have always used (``page_no``, ``doc_type``, …): one set of pass-throughs for every
    record that quotes, instead of each re-declaring them."""

    citation: Citation

    @property
    def doc_type(self) -> str | None:
        return self.citation.document_type

    @property
    def year(self) -> int | None:
        return self.citation.year

    @property
    def page_no(self) -> int:
        return self.citation.page

    @property
    def paginated(self) -> bool:
        return self.citation.paginated

    @property
    def start(self) -> int:
        return self.citation.start

    @property
    def end(self) -> int:
        return self.citation.end

    @property
    def text(self) -> str:
        return self.citation.text


@dataclass(frozen=True, slots=True)
class StandingDecision:
    """Who said what about a passage for a measure, as a document page lists it."""

    passage_id: int
    measure_id: str
    reviewer: str
    relevant: bool
