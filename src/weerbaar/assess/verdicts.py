"""Verdicts per organisation × measure: hoog / midden / laag, with the rule, evidence, gaps and timeline.

The rule (the same for every measure, written out in :data:`RULES`):

- **hoog**: at least one validated passage shows execution (stage 3) or testing/embedding (stage 4),
  and for a measure with concrete evidence elements at least half of them are shown;
- **midden**: the highest stage is planning (2), or execution is shown but fewer than half of the
  elements are;
- **laag**: reviewed passages show only context or intention (stage 0–1), or none was relevant;
- **niet beoordeeld**: nobody reviewed a passage of this organisation for this measure.

A passage's stage and elements are the reviewer's when the reviewer gave them, else the
analysis's. With ``include_suggestions`` unreviewed suggestions above the threshold count too and
the verdict is marked provisional. Only validated passages (final decision: relevant) are quoted
as validated evidence; nothing is claimed without a passage.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from weerbaar.review.decisions import Decision, final_of
from weerbaar.workspace import Workspace

LEVELS = ("hoog", "midden", "laag")
NOT_ASSESSED = "niet beoordeeld"
EXECUTION, PLANNING = 3, 2
RULES = {
    "hoog": "Hoog: minstens één passage toont uitvoering of borging (fase 3 of 4) en, als de maatregel "
            "concrete bewijselementen heeft, is minstens de helft daarvan aangetoond.",
    "midden": "Midden: de hoogste fase is planning (fase 2), of uitvoering is getoond maar minder dan de helft "
              "van de bewijselementen is aangetoond.",
    "laag": "Laag: de beoordeelde passages tonen alleen context of intentie (fase 0–1), of geen enkele "
            "beoordeelde passage was relevant.",
    NOT_ASSESSED: "Niet beoordeeld: er is voor deze organisatie en maatregel geen passage beoordeeld.",
}
QUOTE_CHARS = 240


@dataclass
class Evidence:
    passage_id: int
    document_id: int
    organisation: str
    title: str
    doc_type: str
    year: int | None
    page_no: int
    paginated: bool
    start: int
    end: int
    text: str  # the whole passage, verbatim (== page text[start:end])
    stage: int
    elements: list[str]
    validated: bool  # a reviewer's final decision says relevant; else an unreviewed suggestion
    reviewers: list[str] = field(default_factory=list)
    vulnerable_terms: list[str] = field(default_factory=list)  # people in a vulnerable position named

    @property
    def quote(self) -> str:
        """A short quote: the passage's opening, cut at a word; always a verbatim substring."""
        if len(self.text) <= QUOTE_CHARS:
            return self.text
        cut = self.text.rfind(" ", 0, QUOTE_CHARS)
        return self.text[: cut if cut > QUOTE_CHARS // 2 else QUOTE_CHARS].rstrip(" ,;:")

    @property
    def quote_is_cut(self) -> bool:
        return len(self.quote) < len(self.text)

    @property
    def source(self) -> str:
        page = f", p. {self.page_no}" if self.paginated else ""
        return f"{self.organisation}, {self.title} ({self.year or 'jaar onbekend'}{page})"


@dataclass
class Verdict:
    organisation: str
    measure_id: str
    level: str
    rule: str  # the general rule of the level
    reason: str  # why this cell got it: which passages, stages and elements
    provisional: bool
    evidence: list[Evidence]  # in time order
    elements_found: dict[str, int]  # element id → the passage that shows it
    elements_missing: list[str]
    reviewed: int  # passages reviewed for this cell
    first_mention: int | None = None
    first_plan: int | None = None
    first_execution: int | None = None
    vulnerable: bool = False


def level_for(stages: list[int], elements_shown: int, elements_total: int) -> str:
    """The scoring rule on its own, so that it can be tested on constructed cases."""
    if not stages:
        return "laag"
    top = max(stages)
    enough_elements = elements_total == 0 or 2 * elements_shown >= elements_total
    if top >= EXECUTION and enough_elements:
        return "hoog"
    if top >= PLANNING:
        return "midden"
    return "laag"


def _first_year(evidence: list[Evidence], min_stage: int) -> int | None:
    years = [e.year for e in evidence if e.stage >= min_stage and e.year is not None]
    return min(years) if years else None


def _decisions_until(ws: Workspace, until: str | None) -> dict[tuple, list[Decision]]:
    """(passage, measure) → each reviewer's latest decision active at ``until`` (ISO date or time)."""
    from weerbaar.review.decisions import all_decisions

    latest: dict[tuple, dict[str, Decision]] = defaultdict(dict)
    for d in all_decisions(ws):
        if d.passage_id is None:
            continue
        if until and d.decided_at[: len(until)] > until:
            continue
        if d.undone_at and (not until or d.undone_at[: len(until)] <= until):
            continue
        latest[(d.passage_id, d.measure_id)][d.reviewer] = d
    return {k: list(v.values()) for k, v in latest.items()}


def assess(ws: Workspace, codebook, *, include_suggestions: bool = False, until: str | None = None) -> list[Verdict]:
    """A verdict for every organisation in the workspace × every measure of the codebook."""
    passages = {r["id"]: r for r in ws.conn.execute(
        """SELECT p.id, p.document_id, p.page_no, p.start, p.end, p.text, d.organisation, d.title, d.filename,
                  d.doc_type, d.year, d.paginated, a.stage AS a_stage, a.vulnerable_terms
           FROM passages p JOIN documents d ON d.id = p.document_id
           LEFT JOIN passage_analysis a ON a.passage_id = p.id WHERE d.organisation IS NOT NULL""")}
    suggested = {(r[0], r[1]): json.loads(r[2]) for r in ws.conn.execute(
        "SELECT passage_id, measure_id, elements FROM suggestions")}
    decided = _decisions_until(ws, until)
    cells: dict[tuple, dict] = defaultdict(lambda: {"evidence": [], "reviewed": 0})
    for (pid, mid), votes in decided.items():
        p = passages.get(pid)
        if p is None:
            continue
        cell = cells[(p["organisation"], mid)]
        cell["reviewed"] += 1
        final = final_of(votes)
        if final is None or not final.relevant:
            continue
        stage = final.stage if final.stage is not None else (p["a_stage"] or 0)
        elements = final.elements if final.stage is not None else list(suggested.get((pid, mid), {}))
        cell["evidence"].append(_evidence(p, stage, elements, True, sorted({v.reviewer for v in votes})))
    if include_suggestions:
        from weerbaar.classify.ranking import analysed_threshold

        threshold = analysed_threshold(ws)
        if threshold is not None:
            for pid, mid, elements in ws.conn.execute(
                    "SELECT passage_id, measure_id, elements FROM suggestions WHERE score >= ?", (threshold,)):
                p = passages.get(pid)
                if p is None or (pid, mid) in decided:
                    continue
                cell = cells[(p["organisation"], mid)]
                cell["evidence"].append(_evidence(p, p["a_stage"] or 0, list(json.loads(elements)), False, []))
                cell["provisional"] = True
    organisations = sorted({p["organisation"] for p in passages.values()})
    verdicts = []
    for org in organisations:
        for measure in codebook.measures:
            cell = cells.get((org, measure.id))
            verdicts.append(_verdict(org, measure, cell))
    return verdicts


def _evidence(p, stage: int, elements: list[str], validated: bool, reviewers: list[str]) -> Evidence:
    return Evidence(passage_id=p["id"], document_id=p["document_id"], organisation=p["organisation"],
                    title=p["title"] or p["filename"], doc_type=p["doc_type"], year=p["year"], page_no=p["page_no"],
                    paginated=bool(p["paginated"]), start=p["start"], end=p["end"], text=p["text"], stage=stage,
                    elements=elements, validated=validated, reviewers=reviewers,
                    vulnerable_terms=json.loads(p["vulnerable_terms"] or "[]"))


def _verdict(org: str, measure, cell: dict | None) -> Verdict:
    element_ids = [e.id for e in measure.elements]
    if cell is None or (not cell["evidence"] and not cell["reviewed"]):
        return Verdict(org, measure.id, NOT_ASSESSED, RULES[NOT_ASSESSED], "Geen beoordeelde passages.", False, [],
                       {}, element_ids, 0)
    evidence = sorted(cell["evidence"], key=lambda e: (e.year or 0, e.document_id, e.page_no, e.start))
    found: dict[str, int] = {}
    for e in evidence:
        for el in e.elements:
            if el in element_ids:
                found.setdefault(el, e.passage_id)
    stages = [e.stage for e in evidence]
    level = level_for(stages, len(found), len(element_ids))
    reason = _reason(level, evidence, found, element_ids, cell["reviewed"])
    return Verdict(org, measure.id, level, RULES[level], reason, bool(cell.get("provisional")), evidence, found,
                   [e for e in element_ids if e not in found], cell["reviewed"],
                   first_mention=_first_year(evidence, 0), first_plan=_first_year(evidence, PLANNING),
                   first_execution=_first_year(evidence, EXECUTION),
                   vulnerable=any(e.vulnerable_terms for e in evidence))


def _reason(level: str, evidence: list[Evidence], found: dict, element_ids: list[str], reviewed: int) -> str:
    if not evidence:
        return f"{reviewed} passage(s) beoordeeld, geen enkele relevant."
    top = max(evidence, key=lambda e: e.stage)
    parts = [f"{len(evidence)} relevante passage(s); hoogste fase {top.stage} in passage {top.passage_id} "
             f"({top.source})"]
    if element_ids:
        parts.append(f"{len(found)} van {len(element_ids)} bewijselementen aangetoond")
    if any(not e.validated for e in evidence):
        parts.append(f"{sum(not e.validated for e in evidence)} daarvan zijn niet-gevalideerde suggesties (voorlopig)")
    return "; ".join(parts) + "."
