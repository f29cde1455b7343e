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
  or CSV for Excel), matched by uid, re-attached by document hash and text.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path

from weerbaar.errors import WeerbaarError
from weerbaar.workspace import Workspace
from weerbaar.workspace.db import timestamp

CHECKS = ("quote_correct", "about_measure", "enough_context")
EXPORT_FIELDS = ("uid", "measure_id", "reviewer", "relevant", "quote_correct", "about_measure", "enough_context",
                 "stage", "elements", "note", "settles", "decided_at", "undone_at", "document_sha256",
                 "document_path", "page_no", "start", "end", "text")


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
           settles: bool = False) -> Decision:
    return decide(ws, passage_id, measure_id, reviewer, relevant, quote_correct=quote_correct,
                  about_measure=about_measure, enough_context=enough_context, stage=stage, elements=elements,
                  note=note, settles=settles)[0]


def decide(ws: Workspace, passage_id: int, measure_id: str, reviewer: str, relevant: bool, *,
           quote_correct: bool | None = None, about_measure: bool | None = None, enough_context: bool | None = None,
           stage: int | None = None, elements: list[str] | tuple = (), note: str | None = None,
           settles: bool = False, also_for: list[str] | tuple = (), known_measures=None) -> list[Decision]:
    """A reviewer's decision, and the same passage as evidence for the measures in ``also_for``
    ("hoort ook bij"): all validated first, then written in one transaction, so that either all
    of them are stored or none. With ``known_measures`` every measure id must be one of them."""
    if not reviewer.strip():
        raise WeerbaarError("Geef de naam van de beoordelaar.")
    if stage is not None and not 0 <= stage <= 4:
        raise WeerbaarError(f"Fase {stage} bestaat niet; kies 0 tot en met 4.")
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
                    end=row["end"], text=row["text"])
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
    """Write every decision (undone ones too) to JSONL or CSV (UTF-8 with BOM, ';' for Dutch Excel)."""
    fmt = fmt or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    decisions = all_decisions(ws)
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=EXPORT_FIELDS, delimiter=";")
            writer.writeheader()
            for d in decisions:
                row = {k: getattr(d, k) for k in EXPORT_FIELDS}
                row["elements"] = ",".join(d.elements)
                writer.writerow({k: ("" if v is None else int(v) if isinstance(v, bool) else v) for k, v in row.items()})
    else:
        with path.open("w", encoding="utf-8") as fh:
            for d in decisions:
                fh.write(json.dumps({k: getattr(d, k) for k in EXPORT_FIELDS}, ensure_ascii=False) + "\n")
    return len(decisions)


def _parse_bool(value) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "ja", "waar")


def import_decisions(ws: Workspace, path: Path) -> tuple[int, int, int]:
    """(imported, already present, without a passage here). Matched by uid; attached by document and text."""
    if path.suffix.lower() == ".csv":
        from weerbaar.csvfile import dict_reader

        records = list(dict_reader(path))
    else:
        records = []
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise WeerbaarError(f"{path.name}, regel {number}: geen geldige JSON ({exc.msg}).") from None
    imported = present = unattached = 0
    with ws.transaction() as conn:
        for number, r in enumerate(records, 1):
            missing = [k for k in ("uid", "measure_id", "reviewer", "relevant", "document_sha256", "text") if r.get(k) in (None, "")]
            if missing:
                raise WeerbaarError(f"{path.name}, record {number}: velden ontbreken: {', '.join(missing)}.")
            if conn.execute("SELECT 1 FROM decisions WHERE uid = ?", (r["uid"],)).fetchone():
                present += 1
                continue
            match = conn.execute(
                """SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id
                   WHERE d.sha256 = ? AND p.text = ? ORDER BY abs(p.page_no - ?) LIMIT 1""",
                (r["document_sha256"], r["text"], int(r.get("page_no") or 0))).fetchone()
            elements = r.get("elements") or []
            if isinstance(elements, str):
                elements = [e for e in elements.split(",") if e]
            d = Decision(uid=r["uid"], passage_id=match[0] if match else None, measure_id=str(r["measure_id"]),
                         reviewer=r["reviewer"], relevant=bool(_parse_bool(r["relevant"])),
                         **{k: _parse_bool(r.get(k)) for k in CHECKS},
                         stage=int(r["stage"]) if r.get("stage") not in (None, "") else None, elements=list(elements),
                         note=r.get("note") or None, settles=bool(_parse_bool(r.get("settles"))),
                         decided_at=r.get("decided_at") or timestamp("milliseconds"), undone_at=r.get("undone_at") or None,
                         document_sha256=r["document_sha256"], document_path=r.get("document_path") or "",
                         page_no=int(r.get("page_no") or 0), start=int(r.get("start") or 0), end=int(r.get("end") or 0),
                         text=r["text"])
            _insert(conn, d)
            imported += 1
            unattached += match is None
    return imported, present, unattached
