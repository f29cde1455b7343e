"""One report, five forms: HTML (self-contained), PDF (WeasyPrint, from that HTML), XLSX, CSV, JSON.

:func:`collect` gathers everything once (verdicts, summaries, aggregates, charts, method figures);
the writers only lay it out, so every form shows the same quotes with the same sources. Every
spreadsheet cell with text goes through :mod:`weerbaar.safe_cells`, so a name or a quote that
starts with ``=`` stays text.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from weerbaar.assess.aggregate import (
    AGGREGATE_RULES,
    CONSISTENT_FROM,
    MIN_COVERAGE,
    Aggregate,
    per_measure,
    per_pillar,
    per_region,
    pillar_of,
    regions_of,
)
from weerbaar.assess.summary import quoted, summarise
from weerbaar.assess.verdicts import (
    LEVELS,
    NO_EVIDENCE,
    NOT_ASSESSED,
    STATES,
    Verdict,
    assess,
    fill_texts,
    plural,
    rules,
)
from weerbaar.codebook.model import Codebook, Pillar
from weerbaar.safe_cells import csv_safe, xlsx_safe
from weerbaar.workspace import Workspace

FORMATS = ("html", "pdf", "xlsx", "csv", "json")
#: Most measure columns in one block of the overview matrix: 22 columns fit A4 landscape and 1280 px.
MATRIX_COLUMNS = 22
#: Most organisations per measure whose evidence the PDF quotes; the others are named per level and
#: quoted in the HTML and the spreadsheet. A report of 40 organisations would otherwise quote 1,640
#: cells on about 560 pages, which no director reads and WeasyPrint takes minutes to lay out.
PDF_QUOTED_CELLS = 5
SYMBOLS = {"hoog": "H", "midden": "M", "laag": "L", NO_EVIDENCE: "0", NOT_ASSESSED: "–"}
CSS_CLASS = {"hoog": "hoog", "midden": "midden", "laag": "laag", NO_EVIDENCE: "geen", NOT_ASSESSED: "niet"}


def matrix_blocks(pillars: Sequence[Pillar]) -> list[list[Pillar]]:
    """The overview matrix in blocks of whole pillars, each at most MATRIX_COLUMNS measures wide, so
    that every measure is readable on A4 landscape and on a 1280 px screen without scrolling."""
    out: list[list[Pillar]] = []
    current: list[Pillar] = []
    for pillar in pillars:
        if current and sum(len(p.measures) for p in current) + len(pillar.measures) > MATRIX_COLUMNS:
            out.append(current)
            current = []
        current.append(pillar)
    return out + ([current] if current else [])


@dataclass
class Report:
    title: str
    made_on: str
    organisations: list[str]
    measures: list  # codebook measures
    pillars: list
    verdicts: dict[tuple[str, str], Verdict]
    summaries: dict[tuple[str, str], list]
    by_measure: list[Aggregate]
    by_pillar: list[Aggregate]
    by_region: dict[str, list[Aggregate]]
    method: dict
    provisional: bool
    stage_labels: dict[int, str] = field(default_factory=dict)
    element_labels: dict[tuple[str, str], str] = field(default_factory=dict)  # (measure, element id) → label
    charts: dict = field(default_factory=dict)
    regions: dict[str, list[str]] = field(default_factory=dict)  # region → its organisations

    def blocks(self) -> list[list]:
        return matrix_blocks(self.pillars)

    def measure_aggregate(self, measure_id: str) -> Aggregate:
        return next(a for a in self.by_measure if a.key == measure_id)

    def elements_text(self, measure_id: str, ids) -> str:
        return "; ".join(self.element_labels.get((measure_id, i), i) for i in ids)

    def stage_text(self, stage: int) -> str:
        return f"{stage} {self.stage_labels.get(stage, '')}".strip()

    def pdf_cells(self, measure_id: str) -> tuple[list[Verdict], dict[str, list[str]]]:
        """A measure's cells with evidence as the PDF shows them: the PDF_QUOTED_CELLS strongest
        (validated before provisional, then level, stage and amount of evidence) quoted in full, and
        the other organisations with evidence named per level."""
        rank = {level: i for i, level in enumerate(STATES)}
        cells = [v for org in self.organisations for v in [self.verdicts[(org, measure_id)]] if v.evidence]
        cells.sort(key=lambda v: (v.provisional, rank[v.level], -max((e.stage for e in v.evidence), default=0),
                                  -len(v.evidence), self.organisations.index(v.organisation)))
        quoted, rest = cells[:PDF_QUOTED_CELLS], cells[PDF_QUOTED_CELLS:]
        named: dict[str, list[str]] = {}
        for v in sorted(rest, key=lambda v: self.organisations.index(v.organisation)):
            named.setdefault(v.level, []).append(v.organisation)
        quoted.sort(key=lambda v: self.organisations.index(v.organisation))
        return quoted, {level: named[level] for level in STATES if level in named}

    def pdf_leaves_out_cells(self) -> bool:
        return any(self.pdf_cells(m.id)[1] for m in self.measures)


def collect(ws: Workspace, codebook: Codebook, *, include_suggestions: bool = False, regions: dict[str, str] | None = None,
            title: str = "Weerbaarheid en veerkracht: stand van zaken per maatregel", charts: bool = True) -> Report:
    # Unvalidated passages' texts are read only for the ones the report quotes.
    verdicts = assess(ws, codebook, include_suggestions=include_suggestions, texts=False)
    fill_texts(ws, [e for v in verdicts for e in quoted(v) if not e.validated])
    measures = {m.id: m for m in codebook.measures}
    review = ws.decisions.review_summary()  # items by the decision log's one key
    counts = ws.documents.totals()
    region_of = regions_of(ws, regions)
    organisations = sorted({v.organisation for v in verdicts})
    by_region_orgs: dict[str, list[str]] = {}
    for org in organisations:
        if region_of.get(org):
            by_region_orgs.setdefault(region_of[org], []).append(org)

    report = Report(
        title=title, made_on=date.today().isoformat(), organisations=organisations, measures=codebook.measures,
        pillars=codebook.pillars, verdicts={(v.organisation, v.measure_id): v for v in verdicts},
        summaries={(v.organisation, v.measure_id): summarise(v, measures.get(v.measure_id), codebook.scale)
                   for v in verdicts},
        by_measure=per_measure(verdicts, codebook), by_pillar=per_pillar(verdicts, codebook),
        by_region=per_region(verdicts, region_of),
        method={"documents": counts[0], "pages": counts[1], "reviewed": review["reviewed"],
                "reviewers": review["reviewers"], "double_reviewed": review["double_reviewed"],
                "rules": rules(codebook.scale), "aggregate_rules": AGGREGATE_RULES,
                "min_coverage": MIN_COVERAGE, "consistent_from": CONSISTENT_FROM,
                "threshold": ws.analysis.threshold(),
                "stages": codebook.scale.labels},
        provisional=include_suggestions,
        stage_labels=codebook.scale.labels,
        element_labels={(m.id, e.id): e.label for m in codebook.measures for e in m.elements},
        regions={r: orgs for r, orgs in sorted(by_region_orgs.items())})
    if charts:
        report.charts = _charts(report)
    return report


def _charts(report: Report) -> dict:
    from weerbaar.report import charts

    rows = []
    for pillar, agg in zip(report.pillars, report.by_pillar):
        rows.append((f"{pillar.id} {_short(pillar.name, 28)}", {**agg.counts, NOT_ASSESSED: agg.not_assessed}))
    out: dict[str, Any] = {"pillars": charts.stacked_states(rows)}
    per_org: list[tuple[str, dict[int, tuple[int, int, int]]]] = []
    for org in report.organisations:
        per_year: dict[int, list[int]] = {}
        for m in report.measures:
            v = report.verdicts[(org, m.id)]
            for index, year in enumerate((v.first_mention, v.first_plan, v.first_execution)):
                if year:
                    per_year.setdefault(year, [0, 0, 0])[index] += 1
        if per_year:
            per_org.append((org, {y: (c[0], c[1], c[2]) for y, c in per_year.items()}))
    years = [y for _, per_year in per_org for y in per_year]
    out["timelines"] = charts.timelines(per_org, (min(years), max(years))) if per_org else None
    ids = [m.id for m in report.measures]
    state = {k: v.level for k, v in report.verdicts.items()}
    out["regions"] = {region: charts.state_grid(orgs, ids, state) for region, orgs in report.regions.items()}
    return out


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(resources.files("weerbaar.report").joinpath("templates"))),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["nl"] = lambda x, digits=2: "–" if x is None else f"{x:.{digits}f}".replace(".", ",")
    env.filters["pct"] = lambda x: "–" if x is None else f"{round(100 * x)}%"
    env.globals["plural"] = plural
    return env


def render_html(report: Report, *, for_pdf: bool = False) -> str:
    return _environment().get_template("rapport.html").render(
        r=report, for_pdf=for_pdf, pdf_quoted_cells=PDF_QUOTED_CELLS, levels=LEVELS, states=STATES,
        not_assessed=NOT_ASSESSED, no_evidence=NO_EVIDENCE, symbols=SYMBOLS, css=CSS_CLASS, pillar_of=pillar_of)


def write_html(report: Report, path: Path) -> None:
    path.write_text(render_html(report), encoding="utf-8")


def write_pdf(report: Report, path: Path) -> None:
    from weasyprint import HTML

    HTML(string=render_html(report, for_pdf=True)).write_pdf(str(path))


def cell_rows(report: Report) -> list[dict]:
    labels = {m.id: m.label for m in report.measures}
    rows = []
    for (org, mid), v in report.verdicts.items():
        rows.append({
            "organisatie": org, "maatregel": mid, "maatregel_naam": labels.get(mid, ""), "oordeel": v.level,
            "voorlopig": "ja" if v.provisional else "nee", "onderbouwing": v.reason, "gezocht": v.searched,
            "beoordeelde_passages": v.reviewed, "relevante_passages": len(v.evidence),
            "aangetoonde_elementen": report.elements_text(mid, v.elements_found),
            "ontbrekende_elementen": report.elements_text(mid, v.elements_missing) if v.assessed else "",
            "eerste_vermelding": v.first_mention or "", "eerste_plan": v.first_plan or "",
            "eerste_uitvoering": v.first_execution or "",
            "samenvatting": " ".join(s.text for s in report.summaries[(org, mid)]),
        })
    return rows


def listed_evidence(report: Report, key: tuple[str, str]) -> list:
    """The passages a cell lists in the exports: every validated one and every one the report
    quotes. Further unvalidated suggestions are counted (relevante_passages), not listed: a
    provisional report on a large workspace would otherwise list tens of thousands of them
    ('weerbaar passages' shows them all)."""
    cited = {id(s.evidence) for s in report.summaries[key]}
    return [e for e in report.verdicts[key].evidence if e.validated or id(e) in cited]


def evidence_rows(report: Report) -> list[dict]:
    rows = []
    for org, mid in report.verdicts:
        for e in listed_evidence(report, (org, mid)):
            rows.append({"organisatie": org, "maatregel": mid, "gevalideerd": "ja" if e.validated else "nee (voorlopig)",
                         "document": e.title, "documenttype": e.doc_type or "", "jaar": e.year or "",
                         "pagina": e.page_no if e.paginated else "", "fase": report.stage_text(e.stage),
                         "elementen": report.elements_text(mid, e.elements), "beoordelaars": ", ".join(e.reviewers),
                         "passage_id": e.passage_id, "citaat": e.quote})
    return rows


def write_csv(report: Report, path: Path) -> None:
    """UTF-8 with BOM and ';': opens in Dutch Excel as it is; no cell can become a formula."""
    rows = cell_rows(report)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["organisatie"], delimiter=";")
        writer.writeheader()
        writer.writerows({k: csv_safe(value) for k, value in row.items()} for row in rows)


def _evidence_json(e) -> dict:
    data = e.to_json()
    data["citaat"] = e.quote
    return data


def _verdict_json(v: Verdict) -> dict:
    """The verdict's own fields, without copying its evidence list (asdict would deep-copy it)."""
    from dataclasses import fields

    return {f.name: getattr(v, f.name) for f in fields(v) if f.name != "evidence"}


def write_json(report: Report, path: Path) -> None:
    def cell(key, v: Verdict) -> dict:
        data = _verdict_json(v)
        data["relevante_passages"] = len(v.evidence)
        data["evidence"] = [_evidence_json(e) for e in listed_evidence(report, key)]
        data["samenvatting"] = [{"zin": s.text, "passage_id": s.evidence.passage_id, "voorlopig": s.provisional}
                                for s in report.summaries[key]]
        return data

    def agg(a: Aggregate) -> dict:
        return {**asdict(a), "dekking": round(a.coverage, 3)}

    data = {
        "titel": report.title, "gemaakt_op": report.made_on, "voorlopig": report.provisional,
        "methode": dict(report.method),
        "cellen": [cell(k, v) for k, v in report.verdicts.items()],
        "per_maatregel": [agg(a) for a in report.by_measure],
        "per_pijler": [agg(a) for a in report.by_pillar],
        "per_regio": {region: [agg(a) for a in aggs] for region, aggs in report.by_region.items()},
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def write_xlsx(report: Report, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    fills = {"hoog": "1D6B2F", "midden": "F5C400", "laag": "C4314B", NO_EVIDENCE: "F0B8C2", NOT_ASSESSED: "E6E6E6"}
    wb = Workbook()
    matrix = wb.active
    matrix.title = "Matrix"
    _append(matrix, ["Organisatie", *[m.id for m in report.measures]])
    for org in report.organisations:
        cells = _append(matrix, [org, *[report.verdicts[(org, m.id)].level for m in report.measures]])
        for cell in cells[1:]:
            cell.fill = PatternFill("solid", fgColor=fills[cell.value])
            cell.font = Font(color="FFFFFF" if cell.value in ("hoog", "laag") else "000000")
    _append(matrix, ["Beoordeeld (dekking)", *[report.measure_aggregate(m.id).coverage_text for m in report.measures]])
    matrix.freeze_panes = "B2"
    matrix.column_dimensions["A"].width = 34
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    for name, rows in (("Cellen", cell_rows(report)), ("Passages", evidence_rows(report))):
        sheet = wb.create_sheet(name)
        headers = list(rows[0]) if rows else ["organisatie"]
        for cell in _append(sheet, headers):
            cell.font = bold
        for row in rows:
            for cell in _append(sheet, [row[h] for h in headers]):
                if isinstance(cell.value, str) and len(cell.value) > 60:
                    cell.alignment = wrap
        sheet.freeze_panes = "A2"
    agg = wb.create_sheet("Per maatregel")
    _append(agg, ["Maatregel", "Naam", "Hoog", "Midden", "Laag", "Geen bewijs gevonden", "Niet beoordeeld",
                  "Dekking", "Eenduidigheid", "Beeld", "Oordeel"])
    for m, a in zip(report.measures, report.by_measure):
        _append(agg, [a.key, m.label, a.counts["hoog"], a.counts["midden"], a.counts["laag"], a.counts[NO_EVIDENCE],
                      a.not_assessed, a.coverage_text, None if a.consistency is None else round(a.consistency, 2),
                      a.picture, a.verdict])
    method = wb.create_sheet("Methode")
    for rule in (*report.method["rules"].values(), *report.method["aggregate_rules"].values()):
        _append(method, [rule])
    wb.save(path)


def _append(sheet, values: list) -> list:
    """Append a row and return its cells, each made safe (text that looks like a formula stays text)."""
    sheet.append(values)
    row = sheet._current_row
    cells = [sheet.cell(row=row, column=i + 1) for i in range(len(values))]
    for cell in cells:
        xlsx_safe(cell)
    return cells


WRITERS = {"html": write_html, "pdf": write_pdf, "xlsx": write_xlsx, "csv": write_csv, "json": write_json}
