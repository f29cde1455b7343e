"""Organisation names and types, normalised so that one organisation has one name everywhere.

Safety regions are matched against the 25 official regions (built in); municipalities and other
bodies keep their proper name behind a canonical prefix ("Gemeente Wassenaar").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: Organisation types with their Dutch display label and the canonical name prefix.
ORGANISATION_TYPES = {
    "gemeente": "Gemeente",
    "veiligheidsregio": "Veiligheidsregio",
    "ggd": "GGD/GHOR",
    "provincie": "Provincie",
    "waterschap": "Waterschap",
    "overig": "Overig",
}

# Words that name an organisation type at the start of a name (lower case, diacritics folded).
_TYPE_PREFIXES = [
    ("veiligheidsregio", "veiligheidsregio"),
    ("vr", "veiligheidsregio"),
    ("gemeente", "gemeente"),
    ("gem", "gemeente"),
    ("ggd", "ggd"),
    ("ghor", "ggd"),
    ("provincie", "provincie"),
    ("waterschap", "waterschap"),
    ("hoogheemraadschap", "waterschap"),
]
_CANONICAL_PREFIX = {
    "gemeente": "Gemeente",
    "veiligheidsregio": "Veiligheidsregio",
    "ggd": "GGD",
    "provincie": "Provincie",
    "waterschap": "Waterschap",
}
_LOWER_PARTICLES = {"aan", "op", "de", "den", "der", "van", "het", "en", "in", "bij", "a/d"}


@dataclass(frozen=True)
class SafetyRegion:
    number: int
    name: str
    aliases: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return f"Veiligheidsregio {self.name}"


_NOT_IN_KEY = re.compile(r"[^a-z0-9]+")


def _key(text: str) -> str:
    folded = text.lower()
    if not folded.isascii():  # most names are: their decomposition is themselves (a file's name per ingested file)
        folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return _NOT_IN_KEY.sub("", folded)


@lru_cache(maxsize=1)
def safety_regions() -> tuple[SafetyRegion, ...]:
    import yaml  # here, not at the top: 'weerbaar zoek' and '--help' import this module and never need it

    data = yaml.safe_load(resources.files("weerbaar.data").joinpath("veiligheidsregios.yaml").read_text("utf-8"))
    return tuple(SafetyRegion(r["number"], r["name"], tuple(r.get("aliases", []))) for r in data["regions"])


@lru_cache(maxsize=1)
def _region_index() -> tuple[dict[str, SafetyRegion], dict[str, SafetyRegion]]:
    """(by name or spelling, by abbreviation such as VRBZO)."""
    names: dict[str, SafetyRegion] = {}
    abbreviations: dict[str, SafetyRegion] = {}
    for region in safety_regions():
        names[_key(region.name)] = region
        for alias in region.aliases:
            (abbreviations if alias.isupper() else names)[_key(alias)] = region
    return names, abbreviations


def find_safety_region(name: str) -> SafetyRegion | None:
    """The official region for "Veiligheidsregio X", "VR X" or an abbreviation ("VRBZO").

    A bare place name ("Utrecht") is not enough: it is also a municipality.
    """
    names, abbreviations = _region_index()
    key = _key(name)
    if key in abbreviations:
        return abbreviations[key]
    for prefix in ("veiligheidsregio", "vr"):
        if key.startswith(prefix) and key[len(prefix):] in names:
            return names[key[len(prefix):]]
    return None


def _title_case(words: list[str]) -> str:
    out = []
    for i, word in enumerate(words):
        if i > 0 and word.lower() in _LOWER_PARTICLES:
            out.append(word.lower())
        elif word.startswith("'s-") or word.startswith("’s-"):
            out.append("'s-" + word[3:4].upper() + word[4:])
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in word.split("-")))
    return " ".join(out)


def split_type(name: str) -> tuple[str | None, str]:
    """('gemeente', 'Wassenaar') for 'gemeente Wassenaar'; (None, name) without a type word."""
    words = re.split(r"[\s_]+", name.strip())
    if words and words[0]:
        head = _key(words[0])
        for prefix, org_type in _TYPE_PREFIXES:
            if head == prefix and len(words) > 1:
                return org_type, " ".join(words[1:])
    return None, name.strip()


def normalise_organisation(name: str, org_type: str | None = None) -> tuple[str, str]:
    """Canonical (name, type) for any spelling: 'VRBZO' → ('Veiligheidsregio Brabant-Zuidoost', ...)."""
    region = find_safety_region(name)
    if region and org_type in (None, "veiligheidsregio"):
        return region.full_name, "veiligheidsregio"
    found_type, rest = split_type(name)
    org_type = org_type or found_type or "overig"
    if org_type == "veiligheidsregio":
        region = find_safety_region("veiligheidsregio " + rest)
        if region:
            return region.full_name, "veiligheidsregio"
    words = rest.split()
    if rest.isupper() or rest.islower():
        rest = _title_case(words)
    prefix = _CANONICAL_PREFIX.get(org_type)
    return (f"{prefix} {rest}" if prefix else rest), org_type


def organisation_type_of(name: str) -> str:
    return normalise_organisation(name)[1]
