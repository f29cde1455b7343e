"""Reviewers' decisions: the rules of the portable file format, over the workspace's decision log.

The log itself (``ws.decisions``, :mod:`weerbaar.workspace.decisions`) stores decisions, undoes
them, re-attaches them after a re-ingest and says which decision counts (``current``, ``final``,
``conflicts``, ``agreement``); ask it directly (or :class:`weerbaar.api.Decisions`).

What this module owns is the exchange: :func:`export_decisions` / :func:`import_decisions` move
decisions between workspaces (JSONL, or CSV for Excel; a published format), matched by uid,
re-attached by document hash and text. An import checks every record first and writes all or
nothing (:class:`DecisionImportError` lists each bad line).
"""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path
from typing import Literal, overload

from weerbaar import jsonl
from weerbaar.errors import WeerbaarError
from weerbaar.safe_cells import FORMULA_PREFIXES, csv_restore, csv_safe
from weerbaar.workspace import Workspace
from weerbaar.workspace.decisions import CHECKS, MAX_NOTE_CHARS, Decision

EXPORT_FIELDS = ("uid", "measure_id", "reviewer", "relevant", "quote_correct", "about_measure", "enough_context",
                 "stage", "elements", "note", "settles", "decided_at", "undone_at", "document_sha256",
                 "document_path", "page_no", "start", "end", "text", "subject")
REQUIRED_FIELDS = ("uid", "measure_id", "reviewer", "relevant", "document_sha256", "text")
MAX_POSITION = 2**31 - 1  # pages and character offsets; larger numbers cannot be real
#: Booleans in the CSV export, and what the CSV import accepts besides: ja/nee for people who
#: edit the file, WAAR/ONWAAR as Dutch Excel writes a column it retyped. Nothing else.
CSV_TRUE, CSV_FALSE = "1", "0"
_CSV_TRUE_SPELLINGS = {"ja", "1", "waar"}
_CSV_FALSE_SPELLINGS = {"nee", "0", "onwaar"}
_SHA256 = re.compile(r"[0-9a-f]{64}")


def export_decisions(ws: Workspace, path: Path, fmt: str | None = None) -> int:
    """Write every decision (undone ones too) to JSONL or CSV (UTF-8 with BOM, ';' for Dutch Excel).

    JSONL escapes Unicode line separators (see :mod:`weerbaar.jsonl`); CSV writes booleans as
    1/0 and puts an apostrophe before text that a spreadsheet would run as a formula
    (:mod:`weerbaar.safe_cells`); :func:`import_decisions` reads both back exactly."""
    fmt = fmt or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    decisions = ws.decisions.all(include_undone=True)
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

    undone: int

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


@overload
def _text(r: dict, key: str, *, required: Literal[True], limit: int = ...) -> str: ...
@overload
def _text(r: dict, key: str, *, required: bool = False, limit: int = ...) -> str | None: ...
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
    return Decision.snapshot(
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
    for json_line in jsonl.read_lines(path.read_bytes()):
        if json_line.error or json_line.text is None:  # text is None only together with an error
            problems.append(f"{path.name}, regel {json_line.number}: {json_line.error}.")
            continue
        try:
            records.append((json_line.number, jsonl.loads(json_line.text)))
        except jsonl.JsonLineError as exc:
            problems.append(f"{path.name}, regel {json_line.number}: {exc.reason}.")
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
    def refused(found: list[tuple[int, Decision, int | None]]) -> DecisionImportError:
        return DecisionImportError(path.name, [
            f"{path.name}, regel {line}: beslissing {d.uid} staat al in "
            f"{f'regel {earlier} van dit bestand' if earlier else 'deze werkruimte'} "
            "met een andere inhoud (maatregel, beoordelaar, oordeel of passage)." for line, d, earlier in found])

    imported, present, unattached, undone = ws.decisions.store_imported(decisions, refused)
    return ImportResult(imported, present, unattached, undone)


def _line_of(problem: str) -> int:
    """Problems in file order: 'name, regel 12: …' sorts by 12."""
    match = re.search(r", regel (\d+): ", problem)
    return int(match.group(1)) if match else 0
