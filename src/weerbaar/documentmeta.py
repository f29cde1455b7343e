"""What a document is: organisation, organisation type, document type, year, date and title.

The record every layer shares (ingest infers it, the workspace stores and corrects it, the CLI
and web validate it), with the rules for a valid value. Inference lives in
:mod:`weerbaar.ingest.metadata`; this module sits below ingest and the workspace so both can use it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from weerbaar.organisations import ORGANISATION_TYPES, normalise_organisation

#: Document types: key → (Dutch label, words that reveal the type, strongest first).
DOC_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "motie": ("motie", ("motie",)),
    "amendement": ("amendement", ("amendement",)),
    "raadsinformatiebrief": (
        "raadsinformatiebrief",
        ("raadsinformatiebrief", "raadsinformatie brief", "informatiebrief", "raadsbrief", "rib"),
    ),
    "raadsvoorstel": ("raadsvoorstel", ("raadsvoorstel", "raadsbesluit", "voorstel van het college")),
    "notulen": (
        "vergaderstukken (agenda, notulen, besluitenlijst)",
        ("notulen", "besluitenlijst", "verslag van de raad", "agenda"),
    ),
    "memo": ("memo of notitie", ("memo", "notitie")),
    "risicoprofiel": ("risicoprofiel", ("risicoprofiel", "regionaal risicoprofiel")),
    "beleidsplan": (
        "beleidsplan of programmaplan",
        ("beleidsplan", "programmaplan", "beleidskader", "uitvoeringsprogramma", "crisisplan", "visie"),
    ),
    "jaarverslag": ("jaarverslag of jaarstukken", ("jaarstukken", "jaarverslag", "jaarrekening", "jaarrapport")),
    "begroting": (
        "begroting of programmabegroting",
        ("programmabegroting", "ontwerpbegroting", "begroting", "kadernota", "voorjaarsnota"),
    ),
    "overig": ("overig", ()),
}
#: Where a value came from when a person, not inference, gave it.
EXPLICIT_ORIGINS = ("manifest", "opdrachtregel", "handmatig")
#: Longest title stored. A text file without line breaks once gave a 1.3 MB "title" that every
#: query listing passages carried along.
MAX_TITLE_CHARS = 300
FIELDS = ("organisation", "organisation_type", "doc_type", "year", "date", "title")

@dataclass
class DocumentMeta:
    organisation: str | None = None
    organisation_type: str = "overig"
    doc_type: str = "overig"
    year: int | None = None
    date: str | None = None
    title: str | None = None
    source: dict[str, str] = field(default_factory=dict)  # field → bestandsnaam/map/inhoud/manifest/…

    def set(self, name: str, value, origin: str) -> None:
        """Set one field; raises ValueError with a Dutch message for an invalid value."""
        if value in (None, ""):
            return
        if name == "organisation":
            type_given = self.source.get("organisation_type") in EXPLICIT_ORIGINS
            org, org_type = normalise_organisation(str(value), self.organisation_type if type_given else None)
            self.organisation = org
            self.source["organisation"] = origin
            if not type_given:  # the type follows the organisation unless it was given itself
                self.organisation_type = org_type
                self.source["organisation_type"] = "afgeleid"
            return
        if name == "organisation_type":
            value = validate_org_type(str(value))
            self.organisation_type = value
            if self.organisation:
                self.organisation = normalise_organisation(self.organisation, value)[0]
        elif name == "doc_type":
            value = validate_doc_type(str(value))
            setattr(self, name, value)
        elif name == "year":
            value = validate_year(value)
            setattr(self, name, value)
        elif name == "date":
            value = validate_date(str(value))
            self.date = value
            if self.year is None:
                self.year = int(value[:4])
                self.source["year"] = origin
        elif name == "title":
            self.title = cap_title(str(value))
        else:
            setattr(self, name, str(value))
        self.source[name] = origin

    def apply(self, values: dict, origin: str) -> None:
        for name in FIELDS:
            if name in values:
                self.set(name, values[name], origin)


def validate_doc_type(value: str) -> str:
    key = value.strip().lower()
    if key == "programmabegroting":
        key = "begroting"
    if key in ("jaarstukken", "jaarrekening"):
        key = "jaarverslag"
    if key == "programmaplan":
        key = "beleidsplan"
    if key not in DOC_TYPES:
        raise ValueError(f"onbekend documenttype '{value}'; kies uit: {', '.join(DOC_TYPES)}")
    return key


def validate_org_type(value: str) -> str:
    key = value.strip().lower().replace("ghor", "ggd").replace("ggd/ggd", "ggd")
    if key not in ORGANISATION_TYPES:
        raise ValueError(f"onbekend organisatietype '{value}'; kies uit: {', '.join(ORGANISATION_TYPES)}")
    return key


def validate_year(value) -> int:
    try:
        year = int(str(value).strip())
    except ValueError:
        raise ValueError(f"jaar '{value}' is geen jaartal") from None
    if not 1900 <= year <= 2100:
        raise ValueError(f"jaar {year} ligt buiten 1900–2100")
    return year


def validate_date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ValueError(f"datum '{value}' is geen datum in de vorm JJJJ-MM-DD") from None


def cap_title(title: str, limit: int = MAX_TITLE_CHARS) -> str:
    """``title`` cut to at most ``limit`` characters, at a word boundary where one is near, with '…'."""
    if len(title) <= limit:
        return title
    title = " ".join(title[: 4 * limit].split())
    if len(title) <= limit:
        return title
    cut = title.rfind(" ", limit * 2 // 3, limit - 1)
    return title[: cut if cut != -1 else limit - 1].rstrip() + "…"
