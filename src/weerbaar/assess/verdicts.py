"""Verdicts per organisation × measure, in three states kept apart everywhere.

- **niet beoordeeld**: nobody screened this measure's queue for this organisation (or screening
  started but has not reached its end, and nothing relevant was found yet);
- **geen bewijs gevonden**: the queue was screened until the stop suggestion (or no candidate of
  the organisation above the threshold was left) and no passage was relevant; provisionally: the
  analysis found nothing above the threshold. It counts as *laag*, as in the national inventory,
  and the cell names the documents, types and years that were searched;
- **hoog / midden / laag**, from the relevant passages (:func:`level_for`; the rule in words:
  :func:`weerbaar.assess.rules.rules`, on the codebook's stage scale).

A passage's stage and elements are the reviewer's when the reviewer gave them, else the
analysis's. With ``include_suggestions`` unreviewed suggestions above the threshold count too and
the verdict is marked provisional. Nothing is claimed without a passage.

Memory: documents are read once (titles capped at :data:`TITLE_CHARS`) and shared by their
passages; only decided passages and (provisionally) suggestions above the threshold are read,
never the whole workspace. The analysis-derived part (:class:`CandidateSnapshot`) does not depend
on decisions, so the web app can keep it between requests.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace

from weerbaar.assess.rules import LEVELS, NO_EVIDENCE, NOT_ASSESSED, STATES, rules  # noqa: F401 (re-exported)
from weerbaar.codebook.model import DEFAULT_SCALE, Codebook, Measure, StageScale
from weerbaar.review.active import STOP_AFTER_IRRELEVANT
from weerbaar.workspace import Workspace
from weerbaar.workspace.decisions import Decision, final_of
from weerbaar.workspace.evidence import EVIDENCE_ORGANISATION_SQL, OTHER_BODIES  # noqa: F401 - part of this API
from weerbaar.workspace.records import Citation, Placed

TITLE_CHARS = 200  # read from the database at most
SHOWN_TITLE_CHARS = 90  # shown in a source line, cut at a word
# Whom a passage's evidence counts for (issue #10) is the store's EVIDENCE_ORGANISATION_SQL
# (:mod:`weerbaar.workspace.evidence`); a reviewer's correction on a decision overrides it.


def plural(n: int, one: str, many: str) -> str:
    """'1 passage', '3 passages': Dutch that reads well."""
    return f"{n} {one if n == 1 else many}"


@dataclass
class DocumentInfo:
    """What a quote's source line needs, read once per document (the title capped)."""
    id: int
    organisation: str
    title: str
    doc_type: str | None
    year: int | None
    paginated: bool
    filename: str = ""


@dataclass
class SearchScope:
    """What was searched for one organisation: the basis of a 'geen bewijs gevonden'."""
    documents: int
    doc_types: list[str]
    first_year: int | None
    last_year: int | None

    def describe(self) -> str:
        types = ", ".join(self.doc_types) if self.doc_types else "soort onbekend"
        if self.first_year and self.last_year:
            years = str(self.first_year) if self.first_year == self.last_year else f"{self.first_year}–{self.last_year}"
        else:
            years = "jaar onbekend"
        return f"{plural(self.documents, 'document', 'documenten')} ({types}; {years})"


#: The flat JSON form of evidence (report JSON, ``beoordeel --json``): a published shape.
EVIDENCE_JSON_FIELDS = ("passage_id", "document_id", "organisation", "title", "doc_type", "year", "page_no",
                        "paginated", "start", "end", "text", "stage", "elements", "validated", "reviewers",
                        "vulnerable_terms", "cue")


@dataclass
class Evidence(Placed):
    """A passage that speaks for a cell: where it stands (:attr:`citation`, verbatim), for whom it
    counts, and what it shows."""

    citation: Citation  # the whole passage, verbatim (== page text[start:end]); the document's organisation
    organisation: str  # whom the evidence counts for: the document's organisation or the body it speaks for
    stage: int
    elements: list[str]
    validated: bool  # a reviewer's final decision says relevant; else an unreviewed suggestion
    reviewers: list[str] = field(default_factory=list)
    vulnerable_terms: list[str] = field(default_factory=list)  # people in a vulnerable position named
    cue: str | None = None  # the analysis's stage cue, to centre the quote on
    quote_span: tuple[int, int] | None = None  # offsets into ``text``, set by :mod:`weerbaar.assess.quote`

    # The citation's fields under the names verdicts, summaries and reports use. Evidence is always
    # read from a stored passage (:func:`_citation`), so its ids and (shortened) title are set.
    @property
    def passage_id(self) -> int:
        assert self.citation.passage_id is not None
        return self.citation.passage_id

    @property
    def document_id(self) -> int:
        assert self.citation.document_id is not None
        return self.citation.document_id

    @property
    def title(self) -> str:
        assert self.citation.title is not None
        return self.citation.title

    @property
    def text(self) -> str:
        return self.citation.text

    @text.setter
    def text(self, value: str) -> None:
        self.citation = replace(self.citation, text=value)

    def to_json(self) -> dict:
        """The flat JSON form (:data:`EVIDENCE_JSON_FIELDS`), as reports and ``--json`` have always written it."""
        return {name: (list(value) if isinstance(value, list) else value)
                for name in EVIDENCE_JSON_FIELDS for value in [getattr(self, name)]}

    @property
    def quote(self) -> str:
        """The quoted span: verbatim, centred on the evidence when :func:`focus` has run."""
        start, end = self._span()
        return self.text[start:end]

    def _span(self) -> tuple[int, int]:
        """:attr:`quote_span`, set by :func:`focus` when nothing set it before."""
        if self.quote_span is None:
            from weerbaar.assess.quote import focus

            self.quote_span = focus(self.text, self.cue)
        return self.quote_span

    @property
    def cut_before(self) -> bool:
        return self._span()[0] > 0

    @property
    def cut_after(self) -> bool:
        return self._span()[1] < len(self.text)

    @property
    def quote_is_cut(self) -> bool:
        return self.cut_before or self.cut_after

    @property
    def shown_quote(self) -> str:
        """The quote with '…' where the passage goes on."""
        return ("… " if self.cut_before else "") + self.quote + (" …" if self.cut_after else "")

    @property
    def source(self) -> str:
        page = f", p. {self.page_no}" if self.paginated else ""
        return f"{self.organisation}, {self.title} ({self.year or 'jaar onbekend'}{page})"


@dataclass
class Verdict:
    organisation: str
    measure_id: str
    level: str  # one of STATES
    rule: str  # the general rule of the state (written once in the report's method section)
    reason: str  # why this cell got it: which passages, stages and elements, or what was searched
    provisional: bool
    evidence: list[Evidence]  # in time order
    elements_found: dict[str, int]  # element id → the passage that shows it
    elements_missing: list[str]
    reviewed: int  # passages reviewed for this cell
    first_mention: int | None = None
    first_plan: int | None = None
    first_execution: int | None = None
    vulnerable: bool = False
    searched: str = ""  # the documents, types and years searched for this organisation, as a sentence

    @property
    def scope(self) -> str:
        """``searched`` without its frame: '3 documenten (notulen; 2021–2022)'."""
        return self.searched.removeprefix("Gezocht in ").removesuffix(".")

    @property
    def assessed(self) -> bool:
        return self.level != NOT_ASSESSED

    @property
    def counts_as(self) -> str:
        """The level a cell counts as in aggregation: 'geen bewijs gevonden' counts as laag."""
        return "laag" if self.level == NO_EVIDENCE else self.level


def level_for(stages: list[int], elements_shown: int, elements_total: int, scale: StageScale = DEFAULT_SCALE) -> str:
    """The scoring rule on its own, for cells with relevant passages (tested on constructed cases);
    ``scale`` (the codebook's) says which stages mean planning and execution."""
    if not stages:
        return NO_EVIDENCE
    top = max(stages)
    enough_elements = elements_total == 0 or 2 * elements_shown >= elements_total
    if top >= scale.execution and enough_elements:
        return "hoog"
    if top >= scale.planning:
        return "midden"
    return "laag"


def _first_year(evidence: list[Evidence], min_stage: int) -> int | None:
    years = [e.year for e in evidence if e.stage >= min_stage and e.year is not None]
    return min(years) if years else None


def _decisions_until(ws: Workspace, until: str | None) -> dict[tuple, list[Decision]]:
    """(passage, measure) → each reviewer's latest decision that counts at ``until`` (ISO date or
    time; a date counts its whole day), from the decision log; decisions without a passage here
    cannot be evidence."""
    return {(key.passage_id, key.measure_id): list(by_reviewer.values())
            for key, by_reviewer in ws.decisions.current(until).items() if key.passage_id is not None}


@dataclass
class CandidateSnapshot:
    """What the analysis left, independent of decisions: per cell the candidates above the
    threshold and their summed scores, and (for provisional verdicts) the suggestions above it."""
    threshold: float | None
    per_cell: dict[tuple[str, str], tuple[int, float]]  # (org, measure) → (n above threshold, sum of scores)
    scores: dict[tuple[int, str], float]  # (passage, measure) → score, for passages above the threshold
    above: dict[str, list[tuple]]  # measure → the suggestions above the threshold (see candidate_snapshot)


def candidate_snapshot(ws: Workspace, *, organisation: str | None = None, measure_id: str | None = None) -> CandidateSnapshot:

    threshold = ws.analysis.threshold()
    if threshold is None:
        return CandidateSnapshot(None, {}, {}, {})
    per_cell = ws.evidence.cell_candidates(threshold, organisation, measure_id)
    scores: dict[tuple[int, str], float] = {}
    above: dict[str, list[tuple]] = defaultdict(list)
    parsed: dict[str, tuple] = {"[]": (), "{}": ()}  # JSON parsed once per distinct value, shared
    for row in ws.evidence.suggestions_above(threshold, organisation, measure_id):
        pid, mid, score, org = row[0], row[1], row[2], row[3]
        scores[(pid, mid)] = score
        # (passage, organisation, element ids, document, page, start, end, stage, cue, vulnerable terms): no text
        elements = parsed.get(row[4])
        if elements is None:
            elements = parsed[row[4]] = tuple(json.loads(row[4]))
        vulnerable = parsed.get(row[11] or "[]")
        if vulnerable is None:
            vulnerable = parsed[row[11]] = tuple(json.loads(row[11]))
        above[mid].append((pid, org, elements, row[5], row[6], row[7], row[8], row[9], row[10], vulnerable))
    return CandidateSnapshot(threshold, per_cell, scores, dict(above))


def documents_of(ws: Workspace) -> dict[int, DocumentInfo]:
    """Every document with an organisation, read once; titles capped so a 1 MB 'title' costs nothing.
    Not filtered by organisation: which body a passage counts for is EVIDENCE_ORGANISATION_SQL's job."""
    return {r[0]: DocumentInfo(r[0], r[1], _short_title(r[2]), r[3], r[4], bool(r[5]), r[6])
            for r in ws.evidence.documents(TITLE_CHARS)}


def _short_title(title: str) -> str:
    """A title fit for a source line: a text file without a real title has its opening as 'title'."""
    title = " ".join(title.split())
    if len(title) <= SHOWN_TITLE_CHARS:
        return title
    cut = title.rfind(" ", 0, SHOWN_TITLE_CHARS)
    return title[: cut if cut > SHOWN_TITLE_CHARS // 2 else SHOWN_TITLE_CHARS].rstrip(" ,;:-") + " …"


def search_scopes(documents: dict[int, DocumentInfo]) -> dict[str, SearchScope]:
    by_org: dict[str, list[DocumentInfo]] = defaultdict(list)
    for doc in documents.values():
        by_org[doc.organisation].append(doc)
    out = {}
    for org, docs in by_org.items():
        years = [d.year for d in docs if d.year]
        out[org] = SearchScope(len(docs), sorted({d.doc_type for d in docs if d.doc_type}),
                               min(years) if years else None, max(years) if years else None)
    return out


def _passage_rows(ws: Workspace, ids) -> dict[int, tuple]:
    """passage → (document, page, start, end, text, stage, cue, vulnerable, organisation), in chunks."""
    return ws.evidence.passages(ids)


def organisations_of(ws: Workspace) -> list[str]:
    """The organisations with documents of their own, and the bodies passages speak for (issue #10)."""
    return sorted(set(ws.documents.organisation_names()) | set(_subject_documents(ws)))


def _subject_documents(ws: Workspace) -> dict[str, set[int]]:
    """Bodies that passages in organisations' documents speak for → those documents (research reports,
    which belong to no organisation, count for nobody, as in :func:`assess`)."""
    return ws.evidence.subject_documents()


def _subject_scopes(ws: Workspace, documents: dict[int, DocumentInfo], known: set[str]) -> dict[str, SearchScope]:
    """What was searched for a body known only from others' documents: the documents that speak for it."""
    out = {}
    for name, ids in _subject_documents(ws).items():
        if name in known:
            continue
        docs = [documents[i] for i in ids if i in documents]
        years = [d.year for d in docs if d.year]
        if docs:
            out[name] = SearchScope(len(docs), sorted({d.doc_type for d in docs if d.doc_type}),
                                    min(years) if years else None, max(years) if years else None)
    return out


def assess(ws: Workspace, codebook: Codebook, *, include_suggestions: bool = False, until: str | None = None,
           organisation: str | None = None, measure_id: str | None = None,
           snapshot: CandidateSnapshot | None = None, texts: bool = True) -> list[Verdict]:
    """A verdict for every organisation in the workspace × every measure of the codebook.
    ``organisation``/``measure_id``: only that cell (or row, or column). ``snapshot``: a
    :func:`candidate_snapshot` made earlier, to reuse it.
    ``texts=False`` leaves the text of unvalidated evidence empty: for an overview that shows levels only."""
    documents = documents_of(ws)
    scopes = search_scopes(documents)
    if snapshot is None:
        snapshot = candidate_snapshot(ws, organisation=organisation, measure_id=measure_id)
    decided = {k: v for k, v in _decisions_until(ws, until).items() if measure_id is None or k[1] == measure_id}
    # The stop suggestion of a measure's queue: its latest decisions a long run of "not relevant".
    runs: dict[str, int] = {}
    for (_pid, mid), votes in sorted(decided.items(), key=lambda kv: max(v.id or 0 for v in kv[1])):
        final = final_of(votes)
        runs[mid] = 0 if final is None or final.relevant else runs.get(mid, 0) + 1
    stopped = {mid for mid, run in runs.items() if run >= STOP_AFTER_IRRELEVANT}

    rows = _passage_rows(ws, [pid for pid, _ in decided])
    suggested = _suggested_elements(ws, [k for k in decided if k[0] in rows])

    cells: dict[tuple, dict] = defaultdict(lambda: {"evidence": [], "reviewed": 0})
    for (pid, mid), votes in decided.items():
        p = rows.get(pid)
        final = final_of(votes)
        org = (final.subject if final is not None else None) or (p and p[8])
        if p is None or org is None or p[0] not in documents or (organisation is not None and org != organisation):
            continue
        cell = cells[(org, mid)]
        cell["reviewed"] += 1
        if (pid, mid) in snapshot.scores:
            cell["reviewed_above"] = cell.get("reviewed_above", 0) + 1
        if final is None or not final.relevant:
            continue
        stage = final.stage if final.stage is not None else (p[5] or 0)
        elements = final.elements if final.stage is not None else list(suggested.get((pid, mid), {}))
        cell["evidence"].append(_evidence(pid, p, documents[p[0]], stage, elements, True,
                                          sorted({v.reviewer for v in votes})))
    if include_suggestions:
        unvalidated = []
        for mid, candidates in snapshot.above.items():
            if measure_id is not None and mid != measure_id:
                continue
            for pid, org, elements, *place in candidates:
                if (organisation is not None and org != organisation) or (pid, mid) in decided or place[0] not in documents:
                    continue
                # the same tuple layout as _passage_rows, text filled in below (or not at all)
                doc = documents[place[0]]
                e = Evidence(_citation(pid, doc, place[1], place[2], place[3], ""), org, place[4] or 0, list(elements),
                             False, [], list(place[6]), place[5])
                cells[(org, mid)]["evidence"].append(e)
                cells[(org, mid)]["provisional"] = True
                unvalidated.append(e)
        if texts:
            fill_texts(ws, unvalidated)

    scopes.update(_subject_scopes(ws, documents, set(scopes)))
    organisations = [organisation] if organisation is not None else sorted(scopes)
    measures = [m for m in codebook.measures if measure_id is None or m.id == measure_id]
    verdicts = []
    for org in organisations:
        if org not in scopes:
            continue
        for measure in measures:
            above, _ = snapshot.per_cell.get((org, measure.id), (0, 0.0))
            cell = cells.get((org, measure.id)) or {"evidence": [], "reviewed": 0}
            open_above = max(0, above - cell.get("reviewed_above", 0))
            screened = measure.id in stopped or (cell["reviewed"] > 0 and open_above == 0)
            verdicts.append(_verdict(org, measure, cell, scopes[org], screened=screened, open_above=open_above,
                                     provisional=include_suggestions and snapshot.threshold is not None,
                                     scale=codebook.scale))
    return verdicts


def fill_texts(ws: Workspace, evidence: list[Evidence]) -> None:
    """Read the passage texts of evidence made with ``texts=False`` (in chunks, one string per passage)."""
    text = ws.evidence.texts(e.passage_id for e in evidence)
    for e in evidence:
        e.text = text.get(e.passage_id, "")


def _suggested_elements(ws: Workspace, keys: list[tuple[int, str]]) -> dict[tuple[int, str], dict]:
    return ws.evidence.suggested_elements(keys)


def _evidence(pid: int, p: tuple, doc: DocumentInfo, stage: int, elements: list[str], validated: bool,
              reviewers: list[str]) -> Evidence:
    return Evidence(citation=_citation(pid, doc, p[1], p[2], p[3], p[4]), organisation=p[8], stage=stage,
                    elements=elements, validated=validated, reviewers=reviewers,
                    vulnerable_terms=json.loads(p[7] or "[]"), cue=p[6])


def _citation(pid: int, doc: DocumentInfo, page: int, start: int, end: int, text: str) -> Citation:
    return Citation(passage_id=pid, document_id=doc.id, organisation=doc.organisation, document_type=doc.doc_type,
                    year=doc.year, title=doc.title, file=doc.filename, page=page, paginated=doc.paginated,
                    start=start, end=end, text=text)


def _verdict(org: str, measure: Measure, cell: dict, scope: SearchScope, *, screened: bool, open_above: int,
             provisional: bool, scale: StageScale = DEFAULT_SCALE) -> Verdict:
    rule = rules(scale)
    element_ids = [e.id for e in measure.elements]
    searched = f"Gezocht in {scope.describe()}."
    evidence = sorted(cell["evidence"], key=lambda e: (e.year or 0, e.document_id, e.page_no, e.start))
    if not evidence:
        reviewed = cell["reviewed"]
        if screened or (provisional and open_above == 0):
            how = (f"{plural(reviewed, 'passage', 'passages')} beoordeeld, geen relevant; de wachtrij is afgewerkt"
                   if reviewed else "de wachtrij van deze maatregel is tot het stopadvies afgewerkt") if screened else \
                "de analyse vond geen passage boven de drempel (voorlopig)"
            return Verdict(org, measure.id, NO_EVIDENCE, rule[NO_EVIDENCE], f"{how[0].upper()}{how[1:]}. {searched}",
                           provisional and not screened, [], {}, element_ids, reviewed, searched=searched)
        if reviewed:
            reason = (f"{plural(reviewed, 'passage', 'passages')} beoordeeld, nog geen relevant; er "
                      f"{'staat' if open_above == 1 else 'staan'} nog {plural(open_above, 'kandidaat', 'kandidaten')} "
                      "boven de drempel open.")
        else:
            reason = "Nog geen passage beoordeeld."
        return Verdict(org, measure.id, NOT_ASSESSED, rule[NOT_ASSESSED], reason, False, [], {}, element_ids,
                       reviewed, searched=searched)
    found: dict[str, int] = {}
    for e in evidence:
        for el in e.elements:
            if el in element_ids:
                found.setdefault(el, e.passage_id)
    level = level_for([e.stage for e in evidence], len(found), len(element_ids), scale)
    reason = _reason(evidence, found, element_ids, scale)
    return Verdict(org, measure.id, level, rule[level], reason, bool(cell.get("provisional")), evidence, found,
                   [e for e in element_ids if e not in found], cell["reviewed"],
                   first_mention=_first_year(evidence, 0), first_plan=_first_year(evidence, scale.planning),
                   first_execution=_first_year(evidence, scale.execution),
                   vulnerable=any(e.vulnerable_terms for e in evidence), searched=searched)


def _reason(evidence: list[Evidence], found: dict, element_ids: list[str], scale: StageScale) -> str:
    top = max(evidence, key=lambda e: e.stage)
    parts = [f"{plural(len(evidence), 'relevante passage', 'relevante passages')}; hoogste fase {top.stage} "
             f"({scale.label(top.stage)}) in {top.source}"]
    if element_ids:
        parts.append(f"{len(found)} van {len(element_ids)} bewijselementen aangetoond")
    unvalidated = sum(not e.validated for e in evidence)
    if unvalidated:
        which = "is een niet-gevalideerde suggestie" if unvalidated == 1 else "zijn niet-gevalideerde suggesties"
        parts.append(f"{unvalidated} daarvan {which} (voorlopig)")
    return "; ".join(parts) + "."
