"""Reviewers' decisions: recorded at once, never lost, undoable, portable, comparable.

- :func:`record` stores a decision in one transaction, with a snapshot of its passage
  (document hash and path, page, offsets, text); :func:`decide` also stores the same passage for
  other measures ("hoort ook bij"), validating everything before one transaction writes it all.
- :func:`undo_last` marks a reviewer's last decision as undone; nothing is deleted, so the
  history of changed decisions stays.
- When a document is ingested again (a changed file), :func:`reattach` links decisions to the
  passage with the same text; a decision whose text is gone keeps its snapshot and is reported.
- :func:`final_labels` is what the workspace has decided per passage and measure: a settling
  decision, else the reviewers' agreement; a disagreement is a conflict (:func:`conflicts`).
- :func:`agreement` gives Cohen's kappa per measure for every pair of reviewers.
- :func:`export_decisions` / :func:`import_decisions` move decisions between workspaces (JSONL,
  or CSV for Excel), matched by uid, re-attached by document hash and text. An import checks
  every record first and writes all or nothing (:class:`DecisionImportError` lists each bad line).
"""

from __future__ import annotations

import csv
import json
import re
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from itertools import combinations
from pathlib import Path

from weerbaar import jsonl
from weerbaar.codebook.model import DEFAULT_SCALE, StageScale
from weerbaar.errors import WeerbaarError
from weerbaar.safe_cells import FORMULA_PREFIXES, csv_restore, csv_safe
from weerbaar.workspace import Workspace
from weerbaar.workspace.db import timestamp

CHECKS = ("quote_correct", "about_measure", "enough_context")
EXPORT_FIELDS = ("uid", "measure_id", "reviewer", "relevant", "quote_correct", "about_measure", "enough_context",
                 "stage", "elements", "note", "settles", "decided_at", "undone_at", "document_sha256",
                 "document_path", "page_no", "start", "end", "text", "subject")
REQUIRED_FIELDS = ("uid", "measure_id", "reviewer", "relevant", "document_sha256", "text")
#: The longest note a reviewer can write; CSV import raises the csv module's field limit to it.
MAX_NOTE_CHARS = 1_000_000
MAX_POSITION = 2**31 - 1  # pages and character offsets; larger numbers cannot be real
#: Booleans in the CSV export, and what the CSV import accepts besides: ja/nee for people who
#: edit the file, WAAR/ONWAAR as Dutch Excel writes a column it retyped. Nothing else.
CSV_TRUE, CSV_FALSE = "1", "0"
_CSV_TRUE_SPELLINGS = {"ja", "1", "waar"}
_CSV_FALSE_SPELLINGS = {"nee", "0", "onwaar"}
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass
class Decision:
    uid: str
    passage_id: int | None
    measure_id: str
    reviewer: str
    relevant: bool
    quote_correct: bool | None = None
    about_measure: bool | None = None
    enough_context: bool | None = None
    stage: int | None = None
    elements: list[str] = field(default_factory=list)
    note: str | None = None
    settles: bool = False
    decided_at: str = ""
    undone_at: str | None = None
    document_sha256: str = ""
    document_path: str = ""
    page_no: int = 0
    start: int = 0
    end: int = 0
    text: str = ""
    id: int | None = None
    subject: str | None = None  # the reviewer's correction of whom the passage speaks for (an organisation)

    @property
    def item(self) -> tuple:
        """What the decision is about, also when its passage is gone: document, place, measure."""
        return (self.document_sha256, self.page_no, self.start, self.end, self.measure_id)



def _from_row(row) -> Decision:
    d = dict(row)
    for key in ("relevant", "settles", *CHECKS):
        d[key] = None if d[key] is None else bool(d[key])
    d["elements"] = json.loads(d["elements"])
    return Decision(**d)


def record(ws: Workspace, passage_id: int, measure_id: str, reviewer: str, relevant: bool, *,
           quote_correct: bool | None = None, about_measure: bool | None = None, enough_context: bool | None = None,
           stage: int | None = None, elements: list[str] | tuple = (), note: str | None = None,
           settles: bool = False, subject: str | None = None) -> Decision:
    return decide(ws, passage_id, measure_id, reviewer, relevant, quote_correct=quote_correct,
                  about_measure=about_measure, enough_context=enough_context, stage=stage, elements=elements,
                  note=note, settles=settles, subject=subject)[0]


def decide(ws: Workspace, passage_id: int, measure_id: str, reviewer: str, relevant: bool, *,
           quote_correct: bool | None = None, about_measure: bool | None = None, enough_context: bool | None = None,
           stage: int | None = None, elements: list[str] | tuple = (), note: str | None = None,
           settles: bool = False, also_for: list[str] | tuple = (), known_measures=None,
           subject: str | None = None, scale: StageScale = DEFAULT_SCALE) -> list[Decision]:
    """A reviewer's decision, and the same passage as evidence for the measures in ``also_for``
    ("hoort ook bij"): all validated first, then written in one transaction, so that either all
    of them are stored or none. With ``known_measures`` every measure id must be one of them;
    ``stage`` must be a level of ``scale`` (the codebook's).
    ``subject``: the reviewer's correction of whom the passage speaks for (an organisation)."""
    if not reviewer.strip():
        raise WeerbaarError("Geef de naam van de beoordelaar.")
    if stage is not None and stage not in scale.labels:
        raise WeerbaarError(f"Fase {stage} bestaat niet; kies {scale.choices()}.")
    if note and len(note) > MAX_NOTE_CHARS:
        raise WeerbaarError(f"De notitie is {len(note)} tekens lang; de grens is {MAX_NOTE_CHARS}.")
    others = list(dict.fromkeys(m for m in also_for if m != measure_id))
    if known_measures is not None:
        unknown = [m for m in (measure_id, *others) if m not in known_measures]
        if unknown:
            raise WeerbaarError(f"Maatregel {', '.join(repr(m) for m in unknown)} bestaat niet in het codeboek; "
                                "er is niets opgeslagen.", hint="Gebruik de nummers uit het codeboek, zoals 2.2.")
    row = ws.conn.execute(
        """SELECT p.page_no, p.start, p.end, p.text, d.sha256, d.path FROM passages p
           JOIN documents d ON d.id = p.document_id WHERE p.id = ?""", (passage_id,)).fetchone()
    if row is None:
        raise WeerbaarError(f"Passage {passage_id} bestaat niet in deze werkruimte.")
    checks = dict(quote_correct=quote_correct, about_measure=about_measure, enough_context=enough_context)
    snapshot = dict(passage_id=passage_id, reviewer=reviewer.strip(), stage=stage, decided_at=timestamp("milliseconds"),
                    document_sha256=row["sha256"], document_path=row["path"], page_no=row["page_no"], start=row["start"],
                    end=row["end"], text=row["text"], subject=(subject or "").strip() or None)
    decisions = [Decision(uid=str(uuid.uuid4()), measure_id=measure_id, relevant=bool(relevant), elements=list(elements),
                          note=note or None, settles=settles, **checks, **snapshot)]
    decisions += [Decision(uid=str(uuid.uuid4()), measure_id=other, relevant=True, **checks, **snapshot,
                           note=f"Toegevoegd bij beoordeling voor maatregel {measure_id}.") for other in others]
    with ws.transaction() as conn:
        for decision in decisions:
            decision.id = _insert(conn, decision)
    return decisions


def _insert(conn, d: Decision) -> int:
    values = asdict(d)
    values.pop("id")
    values["elements"] = json.dumps(values["elements"], ensure_ascii=False)
    columns = ", ".join(values)
    return conn.execute(f"INSERT INTO decisions ({columns}) VALUES ({', '.join('?' * len(values))})",
                        list(values.values())).lastrowid


def undo_last(ws: Workspace, reviewer: str) -> Decision | None:
    """Mark the reviewer's most recent active decision as undone and return it."""
    with ws.transaction() as conn:
        row = conn.execute("SELECT * FROM decisions WHERE reviewer = ? AND undone_at IS NULL ORDER BY id DESC LIMIT 1",
                           (reviewer,)).fetchone()
        if row is None:
            return None
        conn.execute("UPDATE decisions SET undone_at = ? WHERE id = ?", (timestamp("milliseconds"), row["id"]))
    return _from_row(row)


def all_decisions(ws: Workspace, *, include_undone: bool = True) -> list[Decision]:
    sql = "SELECT * FROM decisions" + ("" if include_undone else " WHERE undone_at IS NULL") + " ORDER BY id"
    return [_from_row(r) for r in ws.conn.execute(sql)]


def current(ws: Workspace) -> dict[tuple, dict[str, Decision]]:
    """item → reviewer → that reviewer's latest active decision."""
    out: dict[tuple, dict[str, Decision]] = defaultdict(dict)
    for d in all_decisions(ws, include_undone=False):
        out[d.item][d.reviewer] = d  # ordered by id: later decisions replace earlier ones
    return out


def final_of(votes):
    """The vote that counts among one item's current votes (objects with relevant, settles, id):
    the latest settling one, else the latest when all agree; None for an open conflict."""
    settling = [v for v in votes if v.settles]
    if settling:
        return max(settling, key=lambda v: v.id)
    if len({v.relevant for v in votes}) == 1:
        return max(votes, key=lambda v: v.id)
    return None


def final_labels(ws: Workspace) -> dict[tuple, Decision]:
    """item → the decision that counts: the latest settling one, else the agreed one; conflicts excluded."""
    final = {}
    for item, by_reviewer in current(ws).items():
        decision = final_of(list(by_reviewer.values()))
        if decision is not None:
            final[item] = decision
    return final


def conflicts(ws: Workspace) -> list[tuple[tuple, list[Decision]]]:
    out = []
    for item, by_reviewer in current(ws).items():
        decisions = list(by_reviewer.values())
        if final_of(decisions) is None:
            out.append((item, decisions))
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


def agreement(ws: Workspace) -> list[Agreement]:
    """Cohen's kappa on 'relevant' per measure, for every pair of reviewers with common items."""
    from sklearn.metrics import cohen_kappa_score

    by_measure: dict[str, dict[tuple, dict[str, bool]]] = defaultdict(lambda: defaultdict(dict))
    for d in all_decisions(ws, include_undone=False):
        if not d.settles:  # a settling decision is not an independent judgement; the vote before it counts
            by_measure[d.measure_id][d.item][d.reviewer] = d.relevant
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


def reattach(ws: Workspace, document_id: int) -> int:
    """Link decisions without a passage to this document's passage with the same text
    (the nearest page when the text occurs more than once). Runs inside the caller's transaction."""
    doc = ws.conn.execute("SELECT sha256, path FROM documents WHERE id = ?", (document_id,)).fetchone()
    waiting = ws.conn.execute(
        "SELECT id, text, page_no FROM decisions WHERE passage_id IS NULL AND (document_path = ? OR document_sha256 = ?)",
        (doc["path"], doc["sha256"])).fetchall()
    linked = 0
    for d in waiting:
        match = ws.conn.execute(
            "SELECT id FROM passages WHERE document_id = ? AND text = ? ORDER BY abs(page_no - ?), id LIMIT 1",
            (document_id, d["text"], d["page_no"])).fetchone()
        if match:
            ws.conn.execute("UPDATE decisions SET passage_id = ? WHERE id = ?", (match[0], d["id"]))
            linked += 1
    return linked


def orphaned(ws: Workspace) -> list[Decision]:
    """Decisions whose passage is no longer in the workspace (kept with their snapshot)."""
    return [_from_row(r) for r in ws.conn.execute("SELECT * FROM decisions WHERE passage_id IS NULL ORDER BY id")]


def export_decisions(ws: Workspace, path: Path, fmt: str | None = None) -> int:
    """Write every decision (undone ones too) to JSONL or CSV (UTF-8 with BOM, ';' for Dutch Excel).

    JSONL escapes Unicode line separators (see :mod:`weerbaar.jsonl`); CSV writes booleans as
    1/0 and puts an apostrophe before text that a spreadsheet would run as a formula
    (:mod:`weerbaar.safe_cells`); :func:`import_decisions` reads both back exactly."""
    fmt = fmt or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    decisions = all_decisions(ws)
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=EXPORT_FIELDS, delimiter=";")
            writer.writeheader()
            for d in decisions:
                row = {k: getattr(d, k) for k in EXPORT_FIELDS}
                row["elements"] = ",".join(d.elements)
                writer.writerow({k: _csv_cell(v) for k, v in row.items()})
    else:
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            for d in decisions:
                fh.write(jsonl.dumps({k: getattr(d, k) for k in EXPORT_FIELDS}) + "\n")
    return len(decisions)


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return CSV_TRUE if value else CSV_FALSE
    if _quoted_formula(value):  # "'=x" itself: one more apostrophe, or reading back would drop its own
        return "'" + value
    return csv_safe(value)


def _csv_value(value: str) -> str:
    """The inverse of :func:`_csv_cell` for text."""
    if _quoted_formula(value) and value[1] == "'":
        return value[1:]
    return csv_restore(value)


def _quoted_formula(value) -> bool:
    return isinstance(value, str) and value.startswith("'") and value.lstrip("'").startswith(FORMULA_PREFIXES)


class DecisionImportError(WeerbaarError):
    """An import file with records that cannot be taken over; nothing of it was written.

    ``problems`` holds one Dutch message per bad record, each naming the file and line."""

    code = "import"
    SHOWN = 20

    def __init__(self, filename: str, problems: list[str]):
        self.filename = filename
        self.problems = problems
        shown = "\n".join(problems[: self.SHOWN])
        more = f"\n… en nog {len(problems) - self.SHOWN} fout(en)." if len(problems) > self.SHOWN else ""
        super().__init__(
            f"{filename}: {len(problems)} fout(en) gevonden; er is niets ingelezen.\n{shown}{more}",
            hint="Verbeter de genoemde regels en lees het bestand opnieuw in. De werkruimte is niet veranderd.")


class ImportResult(tuple):
    """``(imported, already present, without a passage here)``; unpacks like that three-tuple.
    ``undone``: decisions that were here already and whose later undo came with this import."""

    def __new__(cls, imported: int, present: int, unattached: int, undone: int = 0):
        result = super().__new__(cls, (imported, present, unattached))
        result.undone = undone
        return result

    @property
    def imported(self) -> int:
        return self[0]

    @property
    def present(self) -> int:
        return self[1]

    @property
    def unattached(self) -> int:
        return self[2]


class _Invalid(ValueError):
    """One field of one record is wrong; the message is Dutch."""


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _text(r: dict, key: str, *, required: bool = False, limit: int = 10_000) -> str | None:
    value = r.get(key)
    if value is None or value == "":
        if required:
            raise _Invalid(f"veld '{key}' ontbreekt of is leeg")
        return None
    if not isinstance(value, str):
        raise _Invalid(f"veld '{key}' moet tekst zijn, niet {_short(value)}")
    if required and not value.strip():
        raise _Invalid(f"veld '{key}' is leeg")
    if len(value) > limit:
        raise _Invalid(f"veld '{key}' is {len(value)} tekens lang; de grens is {limit}")
    if "\x00" in value:
        raise _Invalid(f"veld '{key}' bevat een NUL-teken")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _Invalid(f"veld '{key}' bevat een ongeldig teken (een losse surrogaat)") from None
    return value


def _bool(r: dict, key: str, *, from_csv: bool, required: bool = False) -> bool | None:
    value = r.get(key)
    if value is None or (from_csv and value == ""):
        if required:
            raise _Invalid(f"veld '{key}' ontbreekt")
        return None
    if isinstance(value, bool):
        return value
    if from_csv and isinstance(value, str):
        spelled = value.strip().lower()
        if spelled in _CSV_TRUE_SPELLINGS:
            return True
        if spelled in _CSV_FALSE_SPELLINGS:
            return False
        raise _Invalid(f"veld '{key}' moet {CSV_TRUE} of {CSV_FALSE} (of ja of nee) zijn, niet {_short(value)}")
    raise _Invalid(f"veld '{key}' moet true of false zijn (zonder aanhalingstekens), niet {_short(value)}")


def _int(r: dict, key: str, *, from_csv: bool, low: int, high: int, required: bool = False) -> int | None:
    value = r.get(key)
    if value is None or (from_csv and value == ""):
        if required:
            raise _Invalid(f"veld '{key}' ontbreekt")
        return None
    if from_csv and isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 20:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"veld '{key}' moet een geheel getal zijn, niet {_short(value)}")
    if not low <= value <= high:
        raise _Invalid(f"veld '{key}' is {value}; toegestaan is {low} tot en met {high}")
    return value


def _timestamp(r: dict, key: str) -> str | None:
    value = _text(r, key, limit=64)
    if value is None:
        return None
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _Invalid(f"veld '{key}' is geen tijdstip (verwacht bijv. 2026-01-31T12:00:00+00:00), "
                       f"maar {_short(value)}") from None
    return value


def _elements(r: dict, *, from_csv: bool) -> list[str]:
    value = r.get("elements")
    if value is None or value == "":
        return []
    if from_csv and isinstance(value, str):
        value = [e.strip() for e in value.split(",") if e.strip()]
    if not isinstance(value, list) or not all(isinstance(e, str) and e and "," not in e and len(e) <= 200
                                              for e in value):
        raise _Invalid(f"veld 'elements' moet een lijst van element-id's zijn, niet {_short(value)}")
    return list(value)


def _validate(r, codebook, *, from_csv: bool) -> Decision:
    """The decision a record describes, or :class:`_Invalid` for the first wrong field."""
    if not isinstance(r, dict):
        raise _Invalid("verwacht een object met de velden van een beslissing, niet " + _short(r))
    if from_csv:
        if r.get(None):
            raise _Invalid(f"{len(r[None])} kolom(men) te veel")
        missing = [k for k, v in r.items() if v is None]
        if missing:
            raise _Invalid("te weinig kolommen (geen waarde voor " + ", ".join(missing) + ")")
        r = {k: _csv_value(v) if isinstance(v, str) else v for k, v in r.items()}
    levels = sorted(s.level for s in codebook.stages) or [0, 1, 2, 3, 4]
    measure_id = _text(r, "measure_id", required=True, limit=20)
    if measure_id not in {m.id for m in codebook.measures}:
        raise _Invalid(f"maatregel {_short(measure_id)} bestaat niet in het codeboek")
    sha = _text(r, "document_sha256", required=True, limit=64)
    if not _SHA256.fullmatch(sha):
        raise _Invalid(f"veld 'document_sha256' is geen SHA-256 (64 tekens 0-9 en a-f), maar {_short(sha)}")
    stage = _int(r, "stage", from_csv=from_csv, low=levels[0], high=levels[-1])
    if stage is not None and stage not in levels:
        raise _Invalid(f"fase {stage} bestaat niet; kies uit {', '.join(map(str, levels))}")
    page_no = _int(r, "page_no", from_csv=from_csv, low=1, high=MAX_POSITION) or 1
    start = _int(r, "start", from_csv=from_csv, low=0, high=MAX_POSITION) or 0
    end = _int(r, "end", from_csv=from_csv, low=0, high=MAX_POSITION) or 0
    if end < start:
        raise _Invalid(f"veld 'end' ({end}) ligt voor 'start' ({start})")
    return Decision(
        uid=_text(r, "uid", required=True, limit=200), passage_id=None, measure_id=measure_id,
        reviewer=_text(r, "reviewer", required=True, limit=200).strip(),
        relevant=_bool(r, "relevant", from_csv=from_csv, required=True),
        **{k: _bool(r, k, from_csv=from_csv) for k in CHECKS}, stage=stage,
        elements=_elements(r, from_csv=from_csv), note=_text(r, "note", limit=MAX_NOTE_CHARS),
        settles=bool(_bool(r, "settles", from_csv=from_csv)), decided_at=_timestamp(r, "decided_at") or "",
        undone_at=_timestamp(r, "undone_at"), document_sha256=sha,
        document_path=_text(r, "document_path", limit=4096) or "", page_no=page_no, start=start, end=end,
        text=_text(r, "text", required=True, limit=MAX_NOTE_CHARS), subject=_text(r, "subject", limit=300) or None)


def _read_records(path: Path) -> tuple[list[tuple[int, object]], list[str], bool]:
    """([(line, raw record)], problems, from_csv): every record of the file with the line it starts on."""
    problems: list[str] = []
    records: list[tuple[int, object]] = []
    if path.suffix.lower() == ".csv":
        from weerbaar.csvfile import dict_reader

        reader = dict_reader(path, field_limit=MAX_NOTE_CHARS + 16)
        try:
            fields = [f.strip() for f in reader.fieldnames or []]
        except csv.Error as exc:
            return [], [f"{path.name}, regel 1: de kopregel is geen geldige CSV ({exc})."], True
        missing = [k for k in REQUIRED_FIELDS if k not in fields]
        if missing:
            return [], [f"{path.name}, regel 1: kolom(men) ontbreken: {', '.join(missing)} "
                        "(de eerste regel moet de kolomnamen van een export bevatten)."], True
        reader.fieldnames = fields
        line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                reason = (f"een veld is langer dan {MAX_NOTE_CHARS} tekens, de grens van een notitie"
                          if "field limit" in str(exc) else f"geen geldige CSV ({exc})")
                problems.append(f"{path.name}, regel {line}: {reason}; de rest van het bestand is niet gelezen.")
                break
            if any((v or "").strip() for v in row.values() if isinstance(v, str)) or row.get(None):
                records.append((line, row))
            line = reader.line_num + 1
        return records, problems, True
    for line in jsonl.read_lines(path.read_bytes()):
        if line.error:
            problems.append(f"{path.name}, regel {line.number}: {line.error}.")
            continue
        try:
            records.append((line.number, jsonl.loads(line.text)))
        except jsonl.JsonLineError as exc:
            problems.append(f"{path.name}, regel {line.number}: {exc.reason}.")
    return records, problems, False


def import_decisions(ws: Workspace, path: Path, codebook=None) -> ImportResult:
    """(imported, already present, without a passage here). Matched by uid; attached by document and text.

    Every record is checked first (types, ranges from the codebook's stage scale, known measures);
    one bad record refuses the whole file with :class:`DecisionImportError`, so nothing is half
    imported. A decision that is here already takes over an undo made after the earlier transfer;
    importing the same file twice adds nothing."""
    if codebook is None:
        from weerbaar.codebook import load_codebook

        codebook = load_codebook()
    raw, problems, from_csv = _read_records(path)
    decisions: list[tuple[int, Decision]] = []
    for line, r in raw:
        try:
            decisions.append((line, _validate(r, codebook, from_csv=from_csv)))
        except _Invalid as exc:
            problems.append(f"{path.name}, regel {line}: {exc}.")
    if problems:
        raise DecisionImportError(path.name, sorted(problems, key=_line_of))
    imported = present = unattached = undone = 0
    with ws.transaction() as conn:
        seen: dict[str, tuple[int, Decision]] = {}
        for line, d in decisions:
            earlier = seen.get(d.uid)
            here = earlier[1] if earlier else _stored(conn, d.uid)
            if here is not None:
                if _identity(here) != _identity(d):
                    where = f"regel {earlier[0]} van dit bestand" if earlier else "deze werkruimte"
                    problems.append(f"{path.name}, regel {line}: beslissing {d.uid} staat al in {where} "
                                    "met een andere inhoud (maatregel, beoordelaar, oordeel of passage).")
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
                (d.document_sha256, d.text, d.page_no)).fetchone()
            d.passage_id = match[0] if match else None
            d.decided_at = d.decided_at or timestamp("milliseconds")
            d.id = _insert(conn, d)
            seen[d.uid] = (line, d)
            imported += 1
            unattached += match is None
        if problems:
            raise DecisionImportError(path.name, problems)  # rolls the transaction back
    return ImportResult(imported, present, unattached, undone)


def _line_of(problem: str) -> int:
    """Problems in file order: 'name, regel 12: …' sorts by 12."""
    match = re.search(r", regel (\d+): ", problem)
    return int(match.group(1)) if match else 0


def _stored(conn, uid: str) -> Decision | None:
    row = conn.execute("SELECT * FROM decisions WHERE uid = ?", (uid,)).fetchone()
    return _from_row(row) if row else None


def _identity(d: Decision) -> tuple:
    """What a decision is, apart from where it lives and whether it was undone later."""
    return (d.measure_id, d.reviewer, d.relevant, d.settles, d.document_sha256, d.text)
