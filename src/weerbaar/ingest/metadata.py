"""Document metadata: organisation, organisation type, document type, year and date.

Inferred from the folder and file names and the first pages, then overridden, in this order,
by a manifest beside the documents, by command-line flags and by corrections a person made
later (``weerbaar documenten wijzig``). Each field remembers where its value came from, so the
user can see which values are guesses.

*Year* is the year the document is about (the budget year of a begroting, the reporting year of
a jaarverslag, the first year of a multi-year plan); *date* is the date of the document or the
meeting, when known.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from weerbaar.documentmeta import (  # noqa: F401
    DOC_TYPES,
    EXPLICIT_ORIGINS,
    FIELDS,
    MAX_TITLE_CHARS,
    DocumentMeta,
    cap_title,
    validate_date,
    validate_doc_type,
    validate_org_type,
    validate_year,
)
from weerbaar.organisations import find_safety_region, split_type

_MONTHS = {
    m: i
    for i, m in enumerate(
        "januari februari maart april mei juni juli augustus september oktober november december".split(), 1
    )
}
_YEAR = r"(?:19[89]\d|20[0-4]\d)"
_FILENAME_DATE = re.compile(
    rf"(?<!\d)(?:(?P<y1>{_YEAR})-?(?P<m1>[01]\d)-?(?P<d1>[0-3]\d)|(?P<d2>[0-3]?\d)-(?P<m2>[01]?\d)-(?P<y2>{_YEAR}))(?!\d)"
)
_YEAR_ALONE = re.compile(rf"(?<!\d){_YEAR}(?!\d)")
_DUTCH_DATE = rf"(\d{{1,2}})\s+({'|'.join(_MONTHS)})\s+({_YEAR})"
_DATED_LINE = re.compile(rf"datum\W{{0,3}}(?:\w+dag\s+)?{_DUTCH_DATE}", re.IGNORECASE)
_ANY_DATE = re.compile(_DUTCH_DATE, re.IGNORECASE)
_ORG_IN_TEXT = re.compile(
    r"\b(Gemeente|gemeente|Veiligheidsregio|veiligheidsregio|GGD|Provincie|provincie|Waterschap|waterschap)"
    r"\s+((?:'s-|’s-)?[A-Z][\w’'-]+(?:\s+(?:aan|op|den|de|a/d)\s+[A-Z][\w’'-]+)*(?:\s+[A-Z][\w’'-]+)?)"
)
_NAME_STOPS = frozenset({"raad", "gemeenteraad", "documenten", "stukken", "pdf", "docs", "bestanden", "archief"})
_NOT_A_NAME = frozenset("De Het Een In Op Voor Als Dit Deze Wij We Zij Ook En Of Met Bij Naar Door Dat".split())
_TITLE_NOISE = re.compile(r"^(microsoft (word|powerpoint) - )|(\.(docx?|pdf|odt))$", re.IGNORECASE)
_PAGE_LINE = re.compile(r"^(pagina\s+)?\d+(\s*(van|/)\s*\d+)?$", re.IGNORECASE)
# A title taken from a line of text is cut at a word near this length, with '…' (a text without
# line breaks has one line of a million characters).
LINE_TITLE_CHARS = 160
# A letter or council form names its subject after a label ("Onderwerp: ...", or the label on a
# line of its own and the subject on the next); that is its title. Running text may begin a line
# with the same word ("betreft de ..."), so the label needs its colon or a line of its own.
_SUBJECT_LABEL = re.compile(r"^(onderwerp|betreft)\s*(?::\s*(.*))?$", re.IGNORECASE)
# Letterhead and form lines that are never a title: the sender's address, labels of the
# reference block, contact details, a page footer.
_LETTERHEAD = re.compile(
    r"\bpostbus\b|\b(telefoon|tel|fax|e-?mail|website|internet)\b\s*:|www\.|https?://|\S@\S|\bpagina \d+ van \d+"
    r"|^(datum|ons kenmerk|uw kenmerk|kenmerk|bijlagen?|registratienummer|zaaknummer|dienst|afdeling|"
    r"behandeld door|contactpersoon|doorkiesnummer|verzonden|retouradres)\b",
    re.IGNORECASE)
# A postcode before its place ("2500 DJ Den Haag"), not a year before an abbreviation ("Jaarverslag 2024 VR").
_POSTCODE = re.compile(r"\b[1-9]\d{3}\s?[A-Z]{2}\s+[A-Z'’][a-z]")
_DATE_LINE = re.compile(rf"^(\w+dag\s+)?{_DUTCH_DATE}$", re.IGNORECASE)


def _words(name: str) -> str:
    """A file or folder name as words: 'begroting_wassenaar-2025' → 'begroting wassenaar 2025'."""
    return re.sub(r"[_\-.+]+", " ", name).lower()


def _doc_type_in(text: str) -> str | None:
    """The type whose word comes first in the text ('raadsvoorstel zienswijze begroting' → raadsvoorstel)."""
    found = _doc_type_words().search(text.lower())
    return list(DOC_TYPES)[found.lastindex - 1] if found and found.lastindex else None


@lru_cache(maxsize=1)
def _doc_type_words() -> re.Pattern[str]:
    """One expression with a group per type, in the order of DOC_TYPES: the leftmost match wins,
    and at the same place the type listed first (one search instead of one per word; ingest asks
    this of every file). Short words (rib, memo) must stand alone; longer ones may start a compound."""
    return re.compile("|".join(
        "(" + ("|".join(rf"(?<![a-z]){re.escape(word)}" + (r"\b" if len(word) <= 4 else "") for word in words)
               or "(?!)") + ")"  # a type without words ('overig') never matches
        for _, words in DOC_TYPES.values()))


def _date_in_filename(stem: str) -> str | None:
    for m in _FILENAME_DATE.finditer(stem):
        y, mth, d = (m["y1"], m["m1"], m["d1"]) if m["y1"] else (m["y2"], m["m2"], m["d2"])
        try:
            return dt.date(int(y), int(mth), int(d)).isoformat()
        except ValueError:
            continue
    return None


def _year_next_to_type(text: str, doc_type: str) -> int | None:
    """'Programmabegroting 2025', 'jaarstukken 2023', 'Beleidsplan 2024-2027' → the year."""
    words = DOC_TYPES.get(doc_type, ("", ()))[1]
    low = text.lower()
    for word in words:
        m = re.search(rf"{re.escape(word)}\w*[\s_\-:]{{0,3}}(?:\w+[\s_\-]+){{0,2}}?({_YEAR})(?!\d)", low)
        if m:
            return int(m.group(1))
    return None


@lru_cache(maxsize=4096)  # a folder's name is asked for every file in it
def _organisation_from_name(name: str) -> str | None:
    """A folder or file name that names an organisation: 'gemeente-wassenaar', 'vr_haaglanden'."""
    if find_safety_region(name):
        return name
    words = _words(name).split()
    for i, word in enumerate(words):
        if word in ("gemeente", "veiligheidsregio", "vr", "ggd", "provincie", "waterschap"):
            rest = [w for w in words[i + 1 :] if not w.isdigit() and not _YEAR_ALONE.fullmatch(w)]
            rest = rest[: _name_length(rest)]
            if rest:
                return f"{word} {' '.join(rest)}"
    return None


def _name_length(words: list[str]) -> int:
    """How many of the words after a type word form the name ('den haag 2025 raad' → 2)."""
    n = 0
    for w in words:
        if w in _NAME_STOPS or _doc_type_in(w):
            break
        n += 1
    return min(n, 4)


def _organisation_from_text(text: str) -> str | None:
    """The organisation that dominates the opening pages (at least twice and at least half of all
    organisation mentions: a research report that cites many municipalities belongs to none of
    them), else the one named in the first lines (the letterhead)."""
    counts: Counter[str] = Counter()
    letterhead: str | None = None
    mentions = 0
    for m in _ORG_IN_TEXT.finditer(text):
        name = m.group(2)
        if name.split()[0] in _NOT_A_NAME:
            continue
        mentions += 1
        if name.split()[0] in ("Den", "De", "Het") or len(name.split()) == 1:
            key = f"{m.group(1).lower()} {name}"
        else:
            key = f"{m.group(1).lower()} {name.split()[0]}"
            counts[f"{m.group(1).lower()} {name}"] += 1
        counts[key] += 1
        if m.start() < 300 and letterhead is None:
            letterhead = key
    if not counts:
        return None
    (best, n), *_ = counts.most_common(1)
    return best if n >= 2 and n >= mentions / 2 else letterhead


def _title_from(extracted_title: str | None, first_page: str, stem: str, organisation: str | None = None) -> str:
    return cap_title(_raw_title(extracted_title, first_page, stem, organisation))


def _raw_title(extracted_title: str | None, first_page: str, stem: str, organisation: str | None = None) -> str:
    """The file's own title; else the subject a letter names ("Onderwerp: ..."); else the first
    line of the first page that reads like a title, passing over the letterhead (the sender's
    address, dates, references, the organisation's or its place's name alone); else the file name."""
    own_names = _own_names(organisation)
    if extracted_title:
        title = _TITLE_NOISE.sub("", extracted_title[: 4 * MAX_TITLE_CHARS].strip()).strip()
        if len(title) >= 4 and not title.lower().startswith(("untitled", "document")):
            return title
    lines = [line.strip() for line in first_page.splitlines()[:40]]
    lines = [line for line in lines if line]
    for i, line in enumerate(lines):
        subject = _SUBJECT_LABEL.match(line)
        if subject:
            text = (subject.group(2) or "").strip() or (lines[i + 1] if i + 1 < len(lines) else "")
            if _reads_like_a_title(text, own_names):
                return cap_title(text, LINE_TITLE_CHARS)
    for line in lines:
        if _reads_like_a_title(line, own_names):
            return cap_title(line, LINE_TITLE_CHARS)
    return re.sub(r"[_\-]+", " ", stem).strip()


def _own_names(organisation: str | None) -> frozenset[str]:
    """The organisation's name and its place's name alone, casefolded ('Gemeente Den Haag', 'Den Haag')."""
    if not organisation:
        return frozenset()
    org_type, place = split_type(organisation)
    return frozenset(n.casefold() for n in (organisation, place, f"{org_type or ''} {place}".strip()))


def _reads_like_a_title(line: str, own_names: frozenset[str]) -> bool:
    return (
        len(line.split()) >= 2
        and not line.endswith(":")
        and not _PAGE_LINE.match(line)
        and sum(c.isalpha() for c in line) >= 6
        and not _LETTERHEAD.search(line)
        and not _POSTCODE.search(line)
        and not _DATE_LINE.match(line)
        and line.casefold() not in own_names
    )


def infer_metadata(path: Path, pages: list[str], extracted_title: str | None, root: Path | None = None) -> DocumentMeta:
    """Best guess from names and content; every value is marked with where it came from."""
    meta = DocumentMeta()
    head = "\n".join(pages[:10])[:30000]  # covers are often images; the name may come pages later
    first = pages[0] if pages else ""

    # Organisation: the nearest folder that names one, then the file name, then the text.
    folders = list(path.parent.parts[::-1])
    if root is not None:
        try:
            depth = len(path.parent.relative_to(root).parts)
            folders = folders[: depth + 1]
        except ValueError:
            pass
    for origin, candidate in [("map", _organisation_from_name(f)) for f in folders] + [
        ("bestandsnaam", _organisation_from_name(path.stem)),
        ("inhoud", _organisation_from_text(head)),
    ]:
        if candidate:
            meta.set("organisation", candidate, origin)
            break
    # The title after the organisation: a line that is only its name (or its place's) is letterhead.
    meta.title = _title_from(extracted_title, first, path.stem, meta.organisation)
    meta.source["title"] = "inhoud" if extracted_title or first.strip() else "bestandsnaam"

    doc_type = _doc_type_in(_words(path.stem))
    origin = "bestandsnaam"
    if doc_type is None:  # the title and the first lines only: later text names other documents
        opening = "\n".join(first.splitlines()[:6])[:400]
        doc_type, origin = _doc_type_in(meta.title + "\n" + opening), "inhoud"
    if doc_type:
        meta.set("doc_type", doc_type, origin)

    date = _date_in_filename(path.stem)
    if date:
        meta.set("date", date, "bestandsnaam")
    else:
        m = _DATED_LINE.search(head) or _ANY_DATE.search(first[:3000])
        if m:
            meta.set("date", dt.date(int(m[3]), _MONTHS[m[2].lower()], int(m[1])).isoformat(), "inhoud")

    year = _year_next_to_type(_words(path.stem), meta.doc_type)
    origin = "bestandsnaam"
    if year is None:
        stem_without_date = _FILENAME_DATE.sub(" ", path.stem)
        years = _YEAR_ALONE.findall(stem_without_date)
        year = int(years[0]) if years else None
    if year is None:
        year, origin = _year_next_to_type(meta.title + "\n" + first[:1500], meta.doc_type), "inhoud"
    if year is None and meta.date:
        year, origin = int(meta.date[:4]), meta.source["date"]
    if year is None:
        counted = Counter(_YEAR_ALONE.findall(first))
        if counted:
            year, origin = int(counted.most_common(1)[0][0]), "inhoud"
    if year is not None:
        meta.year = year
        meta.source["year"] = origin
    return meta
