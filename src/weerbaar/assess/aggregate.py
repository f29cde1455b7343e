"""The picture per measure, per pillar and per region: coverage, counts per state, a verdict that
never claims more than was assessed.

Coverage is the share of cells (organisation × measure) that were assessed, i.e. not "niet
beoordeeld". Below :data:`MIN_COVERAGE` the verdict is *te weinig beoordeeld*, whatever the
levels. Above it, over the assessed cells ("geen bewijs gevonden" counts as laag):

- **breed geïmplementeerd**: at least half score hoog;
- **gedeeltelijk geïmplementeerd**: otherwise, at least half score hoog or midden;
- **nauwelijks geïmplementeerd**: otherwise.

Consistency is the share of the most common level: from 0.7 the picture is *eenduidig*, below it
*wisselend*; the counts per state are always shown beside it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from weerbaar.assess.verdicts import LEVELS, NO_EVIDENCE, NOT_ASSESSED, Verdict

if TYPE_CHECKING:
    from weerbaar.codebook.model import Codebook

CONSISTENT_FROM = 0.7
MIN_COVERAGE = 0.5
TOO_FEW = "te weinig beoordeeld"
AGGREGATE_RULES = {
    TOO_FEW: f"Te weinig beoordeeld: minder dan {int(MIN_COVERAGE * 100)}% van de cellen (organisatie × "
             "maatregel) is beoordeeld; er volgt geen oordeel over het geheel.",
    "breed geïmplementeerd": "Breed geïmplementeerd: minstens de helft van de beoordeelde cellen scoort hoog.",
    "gedeeltelijk geïmplementeerd": "Gedeeltelijk geïmplementeerd: minder dan de helft scoort hoog, maar minstens "
                                    "de helft scoort hoog of midden.",
    "nauwelijks geïmplementeerd": "Nauwelijks geïmplementeerd: minder dan de helft scoort hoog of midden "
                                  "(geen bewijs gevonden telt als laag).",
}
COUNTED = (*LEVELS, NO_EVIDENCE)


@dataclass
class Aggregate:
    key: str  # measure id, pillar id or region name
    counts: dict[str, int]  # hoog / midden / laag / geen bewijs gevonden
    not_assessed: int
    assessed: int
    total: int
    consistency: float | None  # share of the most common level (geen bewijs counted as laag)
    picture: str  # eenduidig / wisselend / –
    verdict: str
    rule: str

    @property
    def coverage(self) -> float:
        return self.assessed / self.total if self.total else 0.0

    @property
    def coverage_text(self) -> str:
        return f"{self.assessed} van {self.total} beoordeeld"


def aggregate(key: str, verdicts: list[Verdict]) -> Aggregate:
    counts = Counter(v.level for v in verdicts if v.level != NOT_ASSESSED)
    assessed = sum(counts.values())
    total = len(verdicts)
    not_assessed = total - assessed
    full = {state: counts.get(state, 0) for state in COUNTED}
    if not assessed or assessed / total < MIN_COVERAGE:
        consistency = None
        if assessed:
            as_levels = Counter(v.counts_as for v in verdicts if v.assessed)
            consistency = max(as_levels.values()) / assessed
        return Aggregate(key, full, not_assessed, assessed, total, consistency,
                         _picture(consistency), TOO_FEW, AGGREGATE_RULES[TOO_FEW])
    high, mid = counts["hoog"], counts["midden"]
    if 2 * high >= assessed:
        verdict = "breed geïmplementeerd"
    elif 2 * (high + mid) >= assessed:
        verdict = "gedeeltelijk geïmplementeerd"
    else:
        verdict = "nauwelijks geïmplementeerd"
    as_levels = Counter(v.counts_as for v in verdicts if v.assessed)
    consistency = max(as_levels.values()) / assessed
    return Aggregate(key, full, not_assessed, assessed, total, consistency, _picture(consistency), verdict,
                     AGGREGATE_RULES[verdict])


def _picture(consistency: float | None) -> str:
    if consistency is None:
        return "–"
    return "eenduidig" if consistency >= CONSISTENT_FROM else "wisselend"


def pillar_of(measure_id: str) -> str:
    return measure_id.split(".")[0]


def per_measure(verdicts: list[Verdict], codebook: Codebook) -> list[Aggregate]:
    by: dict[str, list[Verdict]] = {}
    for v in verdicts:
        by.setdefault(v.measure_id, []).append(v)
    return [aggregate(m.id, by.get(m.id, [])) for m in codebook.measures]


def per_pillar(verdicts: list[Verdict], codebook: Codebook) -> list[Aggregate]:
    by: dict[str, list[Verdict]] = {}
    for v in verdicts:
        by.setdefault(pillar_of(v.measure_id), []).append(v)
    return [aggregate(str(p.id), by.get(str(p.id), [])) for p in codebook.pillars]


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
    out: dict[str, str] = {}
    for org, org_type, info in ws.documents.organisations():
        if org_type == "veiligheidsregio":
            out[org] = org
        elif mapping and org in mapping:
            out[org] = mapping[org]
        else:
            region = info.get("veiligheidsregio")
            if region:
                out.setdefault(org, region)
    return out
