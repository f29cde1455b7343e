"""The decision log: every reviewer's decision, and the one answer to "which decision counts".

All SQL on the ``decisions`` table lives here (``ws.decisions``). The log is append-only: undo
marks a decision, nothing is deleted, so the history of changed decisions stays.

**One key.** A decision is about an *item*: a passage and a measure (:class:`DecisionKey`). While
its passage is in the workspace the item is that passage, also after a re-ingest re-attached it
to a passage of a newer version of the document; a decision whose passage is gone is keyed by its
snapshot (document hash, page, offsets). The queue, the verdicts, the report, the team page, the
overview and the model training all ask :meth:`DecisionLog.current` / :meth:`DecisionLog.final`
(or the module functions :func:`latest_per_reviewer` and :func:`final_of` over light
:class:`Vote` records), so they cannot disagree about what counts.

**One order.** "Later" means a later ``decided_at`` (compared as moments, whatever offset or
precision the text has), then the higher row id for decisions made in the same millisecond: a
decision imported from another workspace takes its place in time, not at the end of the table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import combinations
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from weerbaar.errors import WeerbaarError
from weerbaar.workspace.db import timestamp
from weerbaar.workspace.records import Citation, Placed, StandingDecision

if TYPE_CHECKING:
    from weerbaar.workspace.db import Workspace

CHECKS = ("quote_correct", "about_measure", "enough_context")
#: The longest note a reviewer can write; CSV import raises the csv module's field limit to it.
MAX_NOTE_CHARS = 1_000_000
DEFAULT_STAGES = (0, 1, 2, 3, 4)  # without a codebook (the codebook owns the scale)
_REQUEST_NAMESPACE = uuid.UUID("0f6c5d2e-93a4-4c1e-8a51-5b0e1f7b2c11")
_COLUMNS = ("uid", "passage_id", "measure_id", "reviewer", "relevant", "quote_correct", "about_measure",
            "enough_context", "stage", "elements", "note", "settles", "decided_at", "undone_at", "document_sha256",
            "document_path", "page_no", "start", "end", "text", "subject")
#: A decision row with the document of its passage (when it still has one).
_SELECT = "SELECT dec.*, p.document_id FROM decisions dec LEFT JOIN passages p ON p.id = dec.passage_id"
#: Titles read for a decision's citation are capped as ingest caps them (an old workspace may hold
#: a megabyte of text as a "title"); each document is read once per load, not once per decision.
TITLE_CHARS = 300
#: The item of a decision row in SQL, the same partition as :attr:`Decision.key`.
_KEY_SQL = ("CASE WHEN passage_id IS NOT NULL THEN 'p' || passage_id "
            "ELSE 's' || document_sha256 || ':' || page_no || ':' || start || ':' || end END")


# A decision finds its passage by text. When no passage has exactly its text, one whose text is the
# same without hyphens and line breaks is taken: until 2026-12 every hyphen at a PDF's line end was
# taken out ("ZuidHolland", "weten regelgeving"), and a decision made on such text must still find
# its passage in a document read since ("Zuid-Holland", "wet-\nen regelgeving").
_LOOSE_TEXT = "replace(replace({}, '-', ''), char(10), '')"


def _loose(text: str) -> str:
    return text.replace("-", "").replace("\n", "")


class DecisionKey(NamedTuple):
    """What a decision is about: a measure and a passage, or (passage gone) the snapshot's place."""

    measure_id: str
    passage_id: int | None
    document_sha256: str | None = None
    page: int | None = None
    start: int | None = None
    end: int | None = None

    @classmethod
    def of(cls, measure_id: str, passage_id: int | None, sha: str, page: int, start: int, end: int) -> DecisionKey:
        if passage_id is not None:
            return cls(measure_id, passage_id)
        return cls(measure_id, None, sha, page, start, end)


@lru_cache(maxsize=65536)
def moment(text: str | None) -> dt.datetime:
    """An ISO 8601 time (or date) as an aware UTC moment; naive times are UTC, a date is its start."""
    if not text:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def moment_of(at: str | dt.datetime | dt.date | None) -> dt.datetime | None:
    """The moment ``at`` stands for, inclusive: a date means the end of that day (UTC)."""
    if at is None:
        return None
    if isinstance(at, str):
        text = at.strip()
        try:
            if len(text) == 10:
                at = dt.date.fromisoformat(text)
            else:
                return moment(text)
        except ValueError:
            raise WeerbaarError(f"'{at}' is geen datum of tijdstip.", hint="Gebruik bijvoorbeeld 2025-06-30.") from None
    if isinstance(at, dt.datetime):
        return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    start = dt.datetime.combine(at, dt.time.min, tzinfo=dt.UTC)
    return start + dt.timedelta(days=1) - dt.timedelta(microseconds=1)


@dataclass
class Decision(Placed):
    """A reviewer's decision with a snapshot of its passage (:attr:`citation`), which keeps it
    meaningful when the passage is gone and lets it move to another workspace."""

    uid: str
    measure_id: str
    reviewer: str
    relevant: bool
    citation: Citation
    document_sha256: str = ""
    quote_correct: bool | None = None
    about_measure: bool | None = None
    enough_context: bool | None = None
    stage: int | None = None
    elements: list[str] = field(default_factory=list)
    note: str | None = None
    settles: bool = False
    decided_at: str = ""
    undone_at: str | None = None
    id: int | None = None
    subject: str | None = None  # the reviewer's correction of whom the passage speaks for (an organisation)

    # The snapshot's fields under the names of the export format (which is published).
    @property
    def passage_id(self) -> int | None:
        return self.citation.passage_id

    @passage_id.setter
    def passage_id(self, value: int | None) -> None:
        self.citation = replace(self.citation, passage_id=value)

    @property
    def document_path(self) -> str:
        return self.citation.file

    @property
    def key(self) -> DecisionKey:
        return DecisionKey.of(self.measure_id, self.passage_id, self.document_sha256, self.page_no, self.start, self.end)

    item = key  # the older name

    @property
    def order(self) -> tuple:
        return (moment(self.decided_at), self.id or 0)

    @classmethod
    def from_row(cls, row, document=None) -> Decision:
        """From a ``decisions`` row; ``document``: a row (id, organisation, doc_type, year, title,
        paginated) of its passage's document, else the citation names only the snapshot's place."""
        citation = Citation(
            passage_id=row["passage_id"], document_id=document["id"] if document else None,
            organisation=document["organisation"] if document else None,
            document_type=document["doc_type"] if document else None, year=document["year"] if document else None,
            title=document["title"] if document else None, file=row["document_path"], page=row["page_no"],
            paginated=bool(document["paginated"]) if document else True, start=row["start"], end=row["end"],
            text=row["text"])
        checks = [None if row[name] is None else bool(row[name]) for name in CHECKS]
        return cls(uid=row["uid"], measure_id=row["measure_id"], reviewer=row["reviewer"], relevant=bool(row["relevant"]),
                   citation=citation, document_sha256=row["document_sha256"], quote_correct=checks[0],
                   about_measure=checks[1], enough_context=checks[2], stage=row["stage"],
                   elements=json.loads(row["elements"]), note=row["note"], settles=bool(row["settles"]),
                   decided_at=row["decided_at"], undone_at=row["undone_at"], id=row["id"], subject=row["subject"])

    @classmethod
    def snapshot(cls, *, passage_id: int | None, document_sha256: str, document_path: str, page_no: int, start: int,
                 end: int, text: str, **values) -> Decision:
        """A decision from the fields of the export format."""
        citation = Citation(passage_id=passage_id, document_id=None, organisation=None, document_type=None, year=None,
                            title=None, file=document_path, page=page_no, paginated=True, start=start, end=end,
                            text=text)
        return cls(citation=citation, document_sha256=document_sha256, **values)

    def row(self) -> dict:
        """The values of the table's columns."""
        values = {name: getattr(self, name) for name in _COLUMNS}
        values["elements"] = json.dumps(self.elements, ensure_ascii=False)
        return values


class Vote(NamedTuple):
    """The part of a decision that decides what counts (read without texts, for the queue)."""

    id: int
    key: DecisionKey
    reviewer: str
    relevant: bool
    settles: bool
    decided_at: str

    @property
    def passage_id(self) -> int | None:
        return self.key.passage_id

    @property
    def measure_id(self) -> str:
        return self.key.measure_id

    @property
    def order(self) -> tuple:
        return (moment(self.decided_at), self.id)


_V = TypeVar("_V", "Decision", "Vote")  # a decision with its snapshot, or only its vote


def _counts_at(d, at: dt.datetime | None) -> bool:
    """Whether a decision (or vote with ``undone_at``) was made and not undone at moment ``at``."""
    undone = getattr(d, "undone_at", None)
    if at is None:
        return not undone
    return moment(d.decided_at) <= at and (not undone or moment(undone) > at)


def latest_per_reviewer(records: Iterable[_V], at=None) -> dict[DecisionKey, dict[str, _V]]:
    """item → reviewer → that reviewer's latest decision that counts at ``at`` (None: now).

    ``records``: :class:`Decision` or :class:`Vote` objects (votes carry no undo: pass active ones)."""
    when = moment_of(at)
    out: dict[DecisionKey, dict[str, _V]] = defaultdict(dict)
    for d in sorted((d for d in records if _counts_at(d, when)), key=lambda d: d.order):
        out[d.key][d.reviewer] = d  # in time order: later decisions replace earlier ones
    return dict(out)


def final_of(votes):
    """The vote that counts among one item's current votes (each reviewer's latest): the latest
    settling one, else the latest when all agree; None for an open conflict."""
    votes = list(votes)
    if not votes:
        return None
    settling = [v for v in votes if v.settles]
    if settling:
        return max(settling, key=lambda v: v.order)
    if len({v.relevant for v in votes}) == 1:
        return max(votes, key=lambda v: v.order)
    return None


def finals(current: dict) -> dict:
    """item → the decision that counts, from :func:`latest_per_reviewer`; open conflicts left out."""
    out = {}
    for key, by_reviewer in current.items():
        decision = final_of(by_reviewer.values())
        if decision is not None:
            out[key] = decision
    return out


@dataclass
class Agreement:
    measure_id: str
    reviewer_a: str
    reviewer_b: str
    n: int
    # None with fewer than two common items, or when the two disagree on items of a single label
    # only; 1.0 when both gave one and the same label throughout (kappa is formally undefined then).
    kappa: float | None


@dataclass
class ReviewCounts:
    """Per measure: items with a decision that counts, and how many of those are relevant."""

    reviewed: int = 0
    relevant: int = 0


@dataclass
class ReviewerSummary:
    reviewer: str
    n: int
    relevant: int
    last: str


class DecisionLog:
    """The ``decisions`` table of one workspace (``ws.decisions``)."""

    def __init__(self, ws: Workspace):
        self.ws = ws

    @property
    def _conn(self):
        return self.ws.conn

    # -- writing -----------------------------------------------------------------------------

    def record(self, passage_id: int, measure_id: str, reviewer: str, relevant: bool, **options) -> Decision:
        """One decision (see :meth:`decide`); returns it."""
        return self.decide(passage_id, measure_id, reviewer, relevant, **options)[0]

    def decide(self, passage_id: int, measure_id: str, reviewer: str, relevant: bool, *,
               quote_correct: bool | None = None, about_measure: bool | None = None,
               enough_context: bool | None = None, stage: int | None = None, elements: Iterable[str] = (),
               note: str | None = None, settles: bool = False, also_for: Iterable[str] = (),
               codebook=None, known_measures=None, subject: str | None = None,
               request_key: str | None = None, scale=None) -> list[Decision]:
        """A reviewer's decision, and the same passage as evidence for the measures in ``also_for``
        ("hoort ook bij"): all validated first (against ``codebook``, or ``known_measures``), then
        written in one transaction, so that either all of them are stored or none. ``stage`` must be
        a level of ``scale`` (default: the codebook's, else the VNG scale).

        ``request_key``: the key of the form or call that asked for it. Sent again with the same
        content (a double click, a retried request), nothing new is written and the stored
        decisions are returned; changed content under an old key, or the old key sent again after
        its decision was undone, is a new decision (nothing a reviewer decided is dropped).
        ``subject``: the reviewer's correction of whom the passage speaks for (an organisation)."""
        if not reviewer.strip():
            raise WeerbaarError("Geef de naam van de beoordelaar.")
        scale = scale or (codebook.scale if codebook is not None else None)  # the codebook owns the scale
        levels = scale.levels if scale is not None else list(DEFAULT_STAGES)
        if stage is not None and stage not in levels:
            raise WeerbaarError(f"Fase {stage} bestaat niet; kies {levels[0]} tot en met {levels[-1]}.")
        if note and len(note) > MAX_NOTE_CHARS:
            raise WeerbaarError(f"De notitie is {len(note)} tekens lang; de grens is {MAX_NOTE_CHARS}.")
        others = list(dict.fromkeys(m for m in also_for if m != measure_id))
        if codebook is not None and known_measures is None:
            known_measures = {m.id for m in codebook.measures}
        if known_measures is not None:
            unknown = [m for m in (measure_id, *others) if m not in known_measures]
            if unknown:
                raise WeerbaarError(f"Maatregel {', '.join(repr(m) for m in unknown)} bestaat niet in het codeboek; "
                                    "er is niets opgeslagen.", hint="Gebruik de nummers uit het codeboek, zoals 2.2.")
        row = self._conn.execute(
            f"""SELECT p.id AS passage_id, p.document_id, p.page_no, p.start, p.end, p.text, d.sha256, d.path,
                      d.organisation, d.doc_type, d.year,
                      substr(d.title, 1, {TITLE_CHARS}) AS title, d.paginated
               FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.id = ?""", (passage_id,)).fetchone()
        if row is None:
            raise WeerbaarError(f"Passage {passage_id} bestaat niet in deze werkruimte.")
        citation = Citation.from_row({**dict(row), "file": row["path"]})
        common = dict(reviewer=reviewer.strip(), stage=stage, decided_at=timestamp("milliseconds"),
                      document_sha256=row["sha256"], citation=citation, subject=(subject or "").strip() or None,
                      quote_correct=quote_correct, about_measure=about_measure, enough_context=enough_context)
        decisions = [Decision(uid="", measure_id=measure_id, relevant=bool(relevant), elements=list(elements),
                              note=note or None, settles=settles, **common)]
        decisions += [Decision(uid="", measure_id=other, relevant=True, **common,
                               note=f"Toegevoegd bij beoordeling voor maatregel {measure_id}.") for other in others]
        for d in decisions:
            d.uid = _request_uid(request_key, d) if request_key else str(uuid.uuid4())
        with self.ws.transaction() as conn:
            for i, d in enumerate(decisions):
                stored = self._by_uid(conn, d.uid) if request_key else None
                if stored is not None and stored.undone_at is None:  # the same request again: already written
                    decisions[i] = stored
                    continue
                if stored is not None:  # an old form sent again after its decision was undone: decided anew
                    d.uid = str(uuid.uuid4())
                d.id = self._insert(conn, d)
        return decisions

    @staticmethod
    def _insert(conn, d: Decision) -> int:
        values = d.row()
        return conn.execute(f"INSERT INTO decisions ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                            list(values.values())).lastrowid

    @staticmethod
    def _load(conn, where: str = "", args=()) -> list[Decision]:
        """Decisions (``where``: SQL on ``dec``, with ORDER BY/LIMIT) with their documents read once each."""
        rows = conn.execute(_SELECT + " " + where, args).fetchall()
        ids = sorted({r["document_id"] for r in rows if r["document_id"] is not None})
        documents = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for d in conn.execute(
                    f"""SELECT id, organisation, doc_type, year, substr(title, 1, {TITLE_CHARS}) AS title, paginated
                        FROM documents WHERE id IN ({','.join('?' * len(chunk))})""", chunk):
                documents[d["id"]] = d
        return [Decision.from_row(r, documents.get(r["document_id"])) for r in rows]

    @classmethod
    def _by_uid(cls, conn, uid: str) -> Decision | None:
        found = cls._load(conn, "WHERE dec.uid = ?", (uid,))
        return found[0] if found else None

    def undo_last(self, reviewer: str) -> Decision | None:
        """Mark the reviewer's most recent active decision as undone and return it."""
        with self.ws.transaction() as conn:
            found = self._load(conn, "WHERE dec.reviewer = ? AND dec.undone_at IS NULL ORDER BY dec.id DESC LIMIT 1",
                               (reviewer,))
            if not found:
                return None
            conn.execute("UPDATE decisions SET undone_at = ? WHERE id = ?", (timestamp("milliseconds"), found[0].id))
        return found[0]

    def reattach(self, document_id: int) -> int:
        """Link decisions without a passage to this document's passage with the same text (the
        nearest page when the text occurs more than once): the hook ingest calls after storing a
        new or replaced document. Runs inside the caller's transaction; returns how many it linked."""
        conn = self._conn
        doc = conn.execute("SELECT sha256, path FROM documents WHERE id = ?", (document_id,)).fetchone()
        if doc is None:
            return 0
        waiting = conn.execute(
            "SELECT id, text, page_no FROM decisions WHERE passage_id IS NULL AND (document_path = ? OR document_sha256 = ?)",
            (doc["path"], doc["sha256"])).fetchall()
        linked = 0
        for d in waiting:
            match = conn.execute(
                "SELECT id FROM passages WHERE document_id = ? AND text = ? ORDER BY abs(page_no - ?), id LIMIT 1",
                (document_id, d["text"], d["page_no"])).fetchone() or conn.execute(
                f"SELECT id FROM passages WHERE document_id = ? AND {_LOOSE_TEXT.format('text')} = ? "
                "ORDER BY abs(page_no - ?), id LIMIT 1", (document_id, _loose(d["text"]), d["page_no"])).fetchone()
            if match:
                conn.execute("UPDATE decisions SET passage_id = ? WHERE id = ?", (match[0], d["id"]))
                linked += 1
        return linked

    # -- import storage ----------------------------------------------------------------------

    def by_uid(self, uid: str) -> Decision | None:
        return self._by_uid(self._conn, uid)

    def store_imported(self, decisions: Iterable[tuple[int, Decision]], conflict) -> tuple[int, int, int, int]:
        """Write validated imported decisions in one transaction, matched by uid and attached by
        document hash and text: (imported, present, unattached, undone). ``conflict(line, decision,
        earlier_line)`` is told of a uid already here with other content and returns an exception
        to roll everything back with (or None to go on; the caller raises once it has them all)."""
        imported = present = unattached = undone = 0
        problems = []
        with self.ws.transaction() as conn:
            seen: dict[str, tuple[int, Decision]] = {}
            for line, d in decisions:
                earlier = seen.get(d.uid)
                here = earlier[1] if earlier else self._by_uid(conn, d.uid)
                if here is not None:
                    if _identity(here) != _identity(d):
                        problems.append((line, d, earlier[0] if earlier else None))
                        continue
                    present += 1
                    if d.undone_at and not here.undone_at:
                        if earlier:
                            here.undone_at = d.undone_at
                        conn.execute("UPDATE decisions SET undone_at = ? WHERE uid = ? AND undone_at IS NULL",
                                     (d.undone_at, d.uid))
                        undone += 1
                    continue
                match = conn.execute(
                    """SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id
                       WHERE d.sha256 = ? AND p.text = ? ORDER BY abs(p.page_no - ?) LIMIT 1""",
                    (d.document_sha256, d.text, d.page_no)).fetchone() or conn.execute(
                    f"""SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id
                        WHERE d.sha256 = ? AND {_LOOSE_TEXT.format('p.text')} = ? ORDER BY abs(p.page_no - ?) LIMIT 1""",
                    (d.document_sha256, _loose(d.text), d.page_no)).fetchone()
                d.passage_id = match[0] if match else None
                d.decided_at = d.decided_at or timestamp("milliseconds")
                d.id = self._insert(conn, d)
                seen[d.uid] = (line, d)
                imported += 1
                unattached += match is None
            if problems:
                raise conflict(problems)  # rolls the transaction back
        return imported, present, unattached, undone

    # -- reading -----------------------------------------------------------------------------

    def all(self, *, include_undone: bool = True) -> list[Decision]:
        return self._load(self._conn, ("" if include_undone else "WHERE dec.undone_at IS NULL") + " ORDER BY dec.id")

    def orphaned(self) -> list[Decision]:
        """Decisions whose passage is no longer in the workspace (kept with their snapshot)."""
        return self._load(self._conn, "WHERE dec.passage_id IS NULL ORDER BY dec.id")

    def count_orphaned(self) -> int:
        return self._conn.execute("SELECT count(*) FROM decisions WHERE passage_id IS NULL").fetchone()[0]

    def _history(self, at) -> list[Decision]:
        """Every decision that could count at ``at``: active ones for now, all for a past moment."""
        return self.all(include_undone=at is not None)

    def current(self, at=None) -> dict[DecisionKey, dict[str, Decision]]:
        """item → reviewer → that reviewer's latest decision that counts at ``at`` (None: now;
        an ISO date counts its whole day, UTC)."""
        return latest_per_reviewer(self._history(at), at)

    def final(self, at=None) -> dict[DecisionKey, Decision]:
        """item → the decision that counts: the latest settling one, else the agreed one; open
        conflicts left out."""
        return finals(self.current(at))

    def conflicts(self, at=None) -> list[tuple[DecisionKey, list[Decision]]]:
        """Items whose reviewers disagree and that nobody settled, with each reviewer's decision."""
        return [(key, list(by_reviewer.values())) for key, by_reviewer in self.current(at).items()
                if final_of(by_reviewer.values()) is None]

    def votes(self, measure_id: str | None = None, *, attached: bool = False) -> list[Vote]:
        """Active decisions as light :class:`Vote` records (no texts), in table order; for a queue
        that asks on every request. ``attached``: only those with a passage here."""
        conditions = ["undone_at IS NULL"]
        args: list = []
        if measure_id is not None:
            conditions.append("measure_id = ?")
            args.append(measure_id)
        if attached:
            conditions.append("passage_id IS NOT NULL")
        rows = self._conn.execute(
            "SELECT id, measure_id, passage_id, document_sha256, page_no, start, end, reviewer, relevant, settles, "
            f"decided_at FROM decisions WHERE {' AND '.join(conditions)} ORDER BY id", args)
        return [Vote(r[0], DecisionKey.of(r[1], r[2], r[3], r[4], r[5], r[6]), r[7], bool(r[8]), bool(r[9]), r[10])
                for r in rows]

    def counts_per_measure(self) -> dict[str, ReviewCounts]:
        """measure → items with a decision that counts and how many are relevant, in one query
        (the overview asks on every visit). The same rules as :meth:`final`, in SQL."""
        rows = self._conn.execute(f"""
            WITH latest AS (
                SELECT measure_id, {_KEY_SQL} AS item, relevant, settles,
                       row_number() OVER (PARTITION BY measure_id, {_KEY_SQL}, reviewer
                                          ORDER BY julianday(decided_at) DESC, id DESC) AS nr,
                       julianday(decided_at) AS t, id
                FROM decisions WHERE undone_at IS NULL),
            ranked AS (
                SELECT measure_id, item, relevant, settles,
                       first_value(relevant) OVER (PARTITION BY measure_id, item ORDER BY settles DESC, t DESC, id DESC)
                           AS top
                FROM latest WHERE nr = 1),
            items AS (
                SELECT measure_id, max(settles) AS settled, min(relevant) AS low, max(relevant) AS high, max(top) AS top
                FROM ranked GROUP BY measure_id, item)
            SELECT measure_id, count(*), sum(CASE WHEN settled THEN top ELSE low END)
            FROM items WHERE settled OR low = high GROUP BY measure_id""").fetchall()
        return {r[0]: ReviewCounts(r[1], r[2] or 0) for r in rows}

    def reviewers(self) -> list[ReviewerSummary]:
        """Per reviewer: active decisions, how many relevant, and the last one's time."""
        return [ReviewerSummary(r[0], r[1], r[2] or 0, r[3]) for r in self._conn.execute(
            """SELECT reviewer, count(*), sum(relevant), max(decided_at) FROM decisions
               WHERE undone_at IS NULL GROUP BY reviewer ORDER BY reviewer""")]

    def last_of(self, reviewer: str) -> Decision | None:
        """The reviewer's most recent active decision (what undo would take back)."""
        found = self._load(self._conn, "WHERE dec.reviewer = ? AND dec.undone_at IS NULL ORDER BY dec.id DESC LIMIT 1",
                           (reviewer,))
        return found[0] if found else None

    def on_passage(self, passage_id: int, measure_id: str) -> list[Decision]:
        """The active decisions on a passage for a measure, oldest first (the review screen's history)."""
        found = self._load(self._conn, "WHERE dec.passage_id = ? AND dec.measure_id = ? AND dec.undone_at IS NULL",
                           (passage_id, measure_id))
        return sorted(found, key=lambda d: d.order)

    def subject_of(self, passage_id: int) -> str | None:
        """A reviewer's latest active correction of whom the passage speaks for."""
        rows = self._load(self._conn, "WHERE dec.passage_id = ? AND dec.subject IS NOT NULL AND dec.undone_at IS NULL",
                          (passage_id,))
        return max(rows, key=lambda d: d.order).subject if rows else None

    def subject_documents(self) -> list[tuple[str, str]]:
        """(corrected subject, document hash) of active decisions that name whom a passage speaks for."""
        return [tuple(r) for r in self._conn.execute(
            "SELECT DISTINCT subject, document_sha256 FROM decisions WHERE subject IS NOT NULL AND undone_at IS NULL")]

    def agreement(self) -> list[Agreement]:
        """Cohen's kappa on 'relevant' per measure, for every pair of reviewers with common items."""
        from sklearn.metrics import cohen_kappa_score

        by_measure: dict[str, dict[DecisionKey, dict[str, bool]]] = defaultdict(lambda: defaultdict(dict))
        for d in sorted(self.all(include_undone=False), key=lambda d: d.order):
            if not d.settles:  # a settling decision is not an independent judgement; the vote before it counts
                by_measure[d.measure_id][d.key][d.reviewer] = d.relevant
        out = []
        for measure, items in sorted(by_measure.items()):
            reviewers = sorted({r for votes in items.values() for r in votes})
            for a, b in combinations(reviewers, 2):
                pairs = [(v[a], v[b]) for v in items.values() if a in v and b in v]
                if not pairs:
                    continue
                left, right = [p[0] for p in pairs], [p[1] for p in pairs]
                if len(pairs) < 2 or len(set(left) | set(right)) < 2:
                    kappa = None if len(set(left) | set(right)) > 1 or len(pairs) < 2 else 1.0
                else:
                    kappa = float(cohen_kappa_score(left, right))
                out.append(Agreement(measure, a, b, len(pairs), kappa))
        return out

    def review_summary(self) -> dict[str, int]:
        """For a report's method section: reviewers with active decisions, items (with a passage here)
        reviewed, and items that two or more reviewers judged independently (settling excluded)."""
        active = [d for d in self.votes(attached=True)]
        judged: dict[DecisionKey, set[str]] = defaultdict(set)
        for v in active:
            if not v.settles:
                judged[v.key].add(v.reviewer)
        reviewers = self._conn.execute(
            "SELECT count(DISTINCT reviewer) FROM decisions WHERE undone_at IS NULL").fetchone()[0]
        return {"reviewers": reviewers, "reviewed": len({v.key for v in active}),
                "double_reviewed": sum(len(who) > 1 for who in judged.values())}

    def count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM decisions").fetchone()[0]

    def fingerprint(self) -> dict[str, tuple]:
        """Per measure, what its decisions look like now: a decision or undo changes only its measure's
        (the web's verdict cache keys on it)."""
        return {r[0]: tuple(r[1:]) for r in self._conn.execute(
            "SELECT measure_id, count(*), max(id), count(undone_at), max(undone_at) FROM decisions GROUP BY measure_id")}

    def standing_on_document(self, document_id: int) -> dict[int, list[StandingDecision]]:
        """Per passage of a document: its standing (not undone) decisions, oldest first; the document
        page marks the passages with them."""
        out: dict[int, list[StandingDecision]] = {}
        for r in self._conn.execute(
                """SELECT passage_id, measure_id, reviewer, relevant FROM decisions
                   WHERE passage_id IN (SELECT id FROM passages WHERE document_id = ?) AND undone_at IS NULL
                   ORDER BY id""", (document_id,)):
            out.setdefault(r[0], []).append(StandingDecision(r[0], r[1], r[2], bool(r[3])))
        return out


def _request_uid(request_key: str, d: Decision) -> str:
    """A uid that is the same for the same request with the same content, and only then."""
    content = json.dumps([request_key, d.measure_id, d.reviewer, d.relevant, d.quote_correct, d.about_measure,
                          d.enough_context, d.stage, d.elements, d.note, d.settles, d.passage_id, d.subject],
                         ensure_ascii=False)
    return str(uuid.uuid5(_REQUEST_NAMESPACE, hashlib.sha256(content.encode()).hexdigest()))


def _identity(d: Decision) -> tuple:
    """What a decision is, apart from where it lives and whether it was undone later."""
    return (d.measure_id, d.reviewer, d.relevant, d.settles, d.document_sha256, d.text)
