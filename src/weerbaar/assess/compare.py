"""Two moments compared: per organisation and measure, the level before and after and new evidence.

Evidence is matched by its text and document (title, year, page), so two workspaces with
different passage ids compare correctly.
"""

from __future__ import annotations

from dataclasses import dataclass

from weerbaar.assess.verdicts import LEVELS, NO_EVIDENCE, NOT_ASSESSED, Verdict

_RANK = {NOT_ASSESSED: -1, NO_EVIDENCE: 1, **{level: len(LEVELS) - i for i, level in enumerate(LEVELS)}}  # geen bewijs = laag


@dataclass
class Change:
    organisation: str
    measure_id: str
    before: str
    after: str
    change: str  # omhoog / omlaag / gelijk / nieuw beoordeeld
    new_evidence: int


def compare(before: list[Verdict], after: list[Verdict]) -> list[Change]:
    old = {(v.organisation, v.measure_id): v for v in before}
    changes = []
    for v in after:
        prev = old.get((v.organisation, v.measure_id))
        prev_level = prev.level if prev else NOT_ASSESSED
        known = {(e.title, e.year, e.page_no, e.text) for e in (prev.evidence if prev else [])}
        new = sum((e.title, e.year, e.page_no, e.text) not in known for e in v.evidence)
        if prev_level == v.level and not new:
            continue
        if prev_level == NOT_ASSESSED and v.level != NOT_ASSESSED:
            kind = "nieuw beoordeeld"
        elif _RANK[v.level] > _RANK[prev_level]:
            kind = "omhoog"
        elif _RANK[v.level] < _RANK[prev_level]:
            kind = "omlaag"
        else:
            kind = "gelijk"
        changes.append(Change(v.organisation, v.measure_id, prev_level, v.level, kind, new))
    return changes
