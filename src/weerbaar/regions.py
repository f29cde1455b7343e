"""Which municipality belongs to which safety region: a file the user keeps up to date.

Municipalities merge (herindelingen), so the mapping is data, not code. CSV with the columns
``gemeente`` and ``veiligheidsregio`` (comma, semicolon or tab). Regions are matched against the
25 official regions (names, spellings and abbreviations such as VRBZO); a region that is not one
of them is refused unless ``allow_unknown`` (for fictional or future regions), and then reported.
"""

from __future__ import annotations

from pathlib import Path

from weerbaar.csvfile import dict_reader
from weerbaar.errors import WeerbaarError
from weerbaar.organisations import find_safety_region, normalise_organisation, safety_regions


def load_region_mapping(path: Path, *, allow_unknown: bool = False) -> tuple[dict[str, str], list[str]]:
    """({'Gemeente Wassenaar': 'Veiligheidsregio Haaglanden', …}, warnings)."""
    if not path.is_file():
        raise WeerbaarError(f"Regio-indeling '{path}' bestaat niet.")
    reader = dict_reader(path)
    columns = {c.strip().lower(): c for c in reader.fieldnames or []}
    if "gemeente" not in columns or "veiligheidsregio" not in columns:
        raise WeerbaarError(f"{path.name}: de kolommen 'gemeente' en 'veiligheidsregio' zijn nodig.")
    mapping: dict[str, str] = {}
    warnings: list[str] = []
    for row in reader:
        municipality = (row.get(columns["gemeente"]) or "").strip()
        region = (row.get(columns["veiligheidsregio"]) or "").strip()
        if not municipality and not region:
            continue
        if not municipality or not region:
            raise WeerbaarError(f"{path.name}, regel {reader.line_num}: gemeente en veiligheidsregio zijn "
                                "allebei nodig.")
        found = find_safety_region(region) or find_safety_region(f"veiligheidsregio {region}")
        if found:
            region_name = found.full_name
        elif allow_unknown:
            region_name = normalise_organisation(region, "veiligheidsregio")[0]
            warnings.append(f"regel {reader.line_num}: '{region}' is geen van de 25 veiligheidsregio's")
        else:
            known = ", ".join(r.name for r in safety_regions())
            raise WeerbaarError(f"{path.name}, regel {reader.line_num}: '{region}' is geen veiligheidsregio.",
                                hint=f"Bekend: {known}.")
        name = normalise_organisation(municipality, "gemeente")[0]
        if name in mapping and mapping[name] != region_name:
            raise WeerbaarError(f"{path.name}, regel {reader.line_num}: {name} staat al bij {mapping[name]}.")
        mapping[name] = region_name
    return mapping, warnings
