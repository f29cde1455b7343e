"""The picture per measure, per pillar and per region: counts per level, consistency, a verdict.

Rules (over the organisations with a verdict; "niet beoordeeld" is left out and counted apart):

- **breed geïmplementeerd**: at least half of them score hoog;
- **gedeeltelijk geïmplementeerd**: otherwise, at least half score hoog or midden;
- **nauwelijks geïmplementeerd**: otherwise (or nobody was assessed).

Consistency is the share of the most common level: from 0.7 the picture is *eenduidig*, below it
*wisselend*; the counts per level are always shown beside it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from weerbaar.assess.verdicts import LEVELS, NOT_ASSESSED, Verdict

CONSISTENT_FROM = 0.7
AGGREGATE_RULES = {
    "breed geïmplementeerd": "Breed geïmplementeerd: minstens de helft van de beoordeelde organisaties scoort hoog.",
    "gedeeltelijk geïmplementeerd": "Gedeeltelijk geïmplementeerd: minder dan de helft scoort hoog, maar minstens "
                                    "de helft scoort hoog of midden.",
    "nauwelijks geïmplementeerd": "Nauwelijks geïmplementeerd: minder dan de helft scoort hoog of midden, of er is "
                                  "niets beoordeeld.",
}


@dataclass
class Aggregate:
    key: str  # measure id, pillar id or region name
    counts: dict[str, int]  # hoog / midden / laag
    not_assessed: int
    consistency: float | None  # share of the most common level
    picture: str  # eenduidig / wisselend / –
    verdict: str
    rule: str


def aggregate(key: str, verdicts: list[Verdict]) -> Aggregate:
    counts = Counter(v.level for v in verdicts if v.level != NOT_ASSESSED)
    assessed = sum(counts.values())
    not_assessed = sum(v.level == NOT_ASSESSED for v in verdicts)
    if not assessed:
        verdict = "nauwelijks geïmplementeerd"
        return Aggregate(key, {lvl: 0 for lvl in LEVELS}, not_assessed, None, "–", verdict, AGGREGATE_RULES[verdict])
    if 2 * counts["hoog"] >= assessed:
        verdict = "breed geïmplementeerd"
    elif 2 * (counts["hoog"] + counts["midden"]) >= assessed:
        verdict = "gedeeltelijk geïmplementeerd"
    else:
        verdict = "nauwelijks geïmplementeerd"
    consistency = max(counts.values()) / assessed
    return Aggregate(key, {lvl: counts.get(lvl, 0) for lvl in LEVELS}, not_assessed, consistency,
                     "eenduidig" if consistency >= CONSISTENT_FROM else "wisselend", verdict, AGGREGATE_RULES[verdict])


def per_measure(verdicts: list[Verdict], codebook) -> list[Aggregate]:
    return [aggregate(m.id, [v for v in verdicts if v.measure_id == m.id]) for m in codebook.measures]


def per_pillar(verdicts: list[Verdict], codebook) -> list[Aggregate]:
    return [aggregate(str(p.id), [v for v in verdicts if v.measure_id.split(".")[0] == str(p.id)])
            for p in codebook.pillars]


def per_region(verdicts: list[Verdict], regions: dict[str, str]) -> dict[str, list[Aggregate]]:
    """region → per-measure aggregates of its organisations; organisations without a region are left out."""
    by_region: dict[str, list[Verdict]] = {}
    for v in verdicts:
        region = regions.get(v.organisation)
        if region:
            by_region.setdefault(region, []).append(v)
    out = {}
    for region, vs in sorted(by_region.items()):
        measures = sorted({v.measure_id for v in vs}, key=lambda m: tuple(int(x) for x in m.split(".")))
        out[region] = [aggregate(m, [v for v in vs if v.measure_id == m]) for m in measures]
    return out


def regions_of(ws, mapping: dict[str, str] | None = None) -> dict[str, str]:
    """organisation → safety region: a safety region is its own; a municipality from the mapping
    file, else from what fetching recorded with its documents."""
    import json

    out: dict[str, str] = {}
    for org, org_type, info in ws.conn.execute(
            "SELECT DISTINCT organisation, organisation_type, source_info FROM documents WHERE organisation IS NOT NULL"):
        if org_type == "veiligheidsregio":
            out[org] = org
        elif mapping and org in mapping:
            out[org] = mapping[org]
        else:
            region = json.loads(info or "{}").get("veiligheidsregio")
            if region:
                out.setdefault(org, region)
    return out
