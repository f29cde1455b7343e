"""One report, five forms: HTML (self-contained), PDF (WeasyPrint, from that HTML), XLSX, CSV, JSON.

:func:`collect` gathers everything once (verdicts, summaries, aggregates, method figures); the
writers only lay it out, so every form shows the same quotes with the same sources.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from weerbaar.assess.aggregate import AGGREGATE_RULES, Aggregate, per_measure, per_pillar, per_region, regions_of
from weerbaar.assess.summary import summarise
from weerbaar.assess.verdicts import LEVELS, NOT_ASSESSED, RULES, Verdict, assess
from weerbaar.workspace import Workspace

FORMATS = ("html", "pdf", "xlsx", "csv", "json")


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


def collect(ws: Workspace, codebook, *, include_suggestions: bool = False, regions: dict[str, str] | None = None,
            title: str = "Weerbaarheid en veerkracht: stand van zaken per maatregel") -> Report:
    verdicts = assess(ws, codebook, include_suggestions=include_suggestions)
    reviewers = ws.conn.execute("SELECT count(DISTINCT reviewer) FROM decisions WHERE undone_at IS NULL").fetchone()[0]
    reviewed = ws.conn.execute(
        "SELECT count(DISTINCT passage_id || ':' || measure_id) FROM decisions WHERE undone_at IS NULL").fetchone()[0]
    double = ws.conn.execute(
        """SELECT count(*) FROM (SELECT passage_id, measure_id FROM decisions WHERE undone_at IS NULL AND settles = 0
           GROUP BY passage_id, measure_id HAVING count(DISTINCT reviewer) > 1)""").fetchone()[0]
    counts = ws.conn.execute("SELECT count(*), coalesce(sum(page_count), 0) FROM documents").fetchone()
    return Report(
        title=title, made_on=date.today().isoformat(),
        organisations=sorted({v.organisation for v in verdicts}), measures=codebook.measures,
        pillars=codebook.pillars, verdicts={(v.organisation, v.measure_id): v for v in verdicts},
        summaries={(v.organisation, v.measure_id): summarise(v) for v in verdicts},
        by_measure=per_measure(verdicts, codebook), by_pillar=per_pillar(verdicts, codebook),
        by_region=per_region(verdicts, regions_of(ws, regions)),
        method={"documents": counts[0], "pages": counts[1], "reviewed": reviewed, "reviewers": reviewers,
                "double_reviewed": double, "rules": RULES, "aggregate_rules": AGGREGATE_RULES,
                "stages": {s.level: s.label for s in codebook.stages}},
        provisional=include_suggestions)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(resources.files("weerbaar.report").joinpath("templates"))),
                      autoescape=select_autoescape(["html"]))
    env.filters["nl"] = lambda x, digits=2: "–" if x is None else f"{x:.{digits}f}".replace(".", ",")
    return env


def render_html(report: Report, *, for_pdf: bool = False) -> str:
    return _environment().get_template("rapport.html").render(r=report, for_pdf=for_pdf, levels=LEVELS,
                                                              not_assessed=NOT_ASSESSED)


def write_html(report: Report, path: Path) -> None:
    path.write_text(render_html(report), encoding="utf-8")


def write_pdf(report: Report, path: Path) -> None:
    from weasyprint import HTML

    HTML(string=render_html(report, for_pdf=True)).write_pdf(str(path))


def cell_rows(report: Report) -> list[dict]:
    rows = []
    for (org, mid), v in report.verdicts.items():
        rows.append({
            "organisatie": org, "maatregel": mid, "niveau": v.level, "voorlopig": "ja" if v.provisional else "nee",
            "regel": v.rule, "onderbouwing": v.reason, "beoordeelde_passages": v.reviewed,
            "relevante_passages": len(v.evidence),
            "gevonden_elementen": ", ".join(v.elements_found), "ontbrekende_elementen": ", ".join(v.elements_missing),
            "eerste_vermelding": v.first_mention or "", "eerste_plan": v.first_plan or "",
            "eerste_uitvoering": v.first_execution or "",
            "samenvatting": " ".join(s.text for s in report.summaries[(org, mid)]),
        })
    return rows


def evidence_rows(report: Report) -> list[dict]:
    rows = []
    for (org, mid), v in report.verdicts.items():
        for e in v.evidence:
            rows.append({"organisatie": org, "maatregel": mid, "gevalideerd": "ja" if e.validated else "nee",
                         "document": e.title, "documenttype": e.doc_type, "jaar": e.year or "",
                         "pagina": e.page_no if e.paginated else "", "fase": e.stage,
                         "elementen": ", ".join(e.elements), "beoordelaars": ", ".join(e.reviewers),
                         "passage_id": e.passage_id, "citaat": e.text})
    return rows


def write_csv(report: Report, path: Path) -> None:
    """UTF-8 with BOM and ';': opens in Dutch Excel as it is."""
    rows = cell_rows(report)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["organisatie"], delimiter=";")
        writer.writeheader()
        writer.writerows(rows)


def write_json(report: Report, path: Path) -> None:
    data = {
        "titel": report.title, "gemaakt_op": report.made_on, "voorlopig": report.provisional,
        "methode": {k: v for k, v in report.method.items()},
        "cellen": [{**asdict(v), "samenvatting": [{"zin": s.text, "passage_id": s.evidence.passage_id}
                                                  for s in report.summaries[k]]}
                   for k, v in report.verdicts.items()],
        "per_maatregel": [asdict(a) for a in report.by_measure],
        "per_pijler": [asdict(a) for a in report.by_pillar],
        "per_regio": {region: [asdict(a) for a in aggs] for region, aggs in report.by_region.items()},
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def write_xlsx(report: Report, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    fills = {"hoog": "1D6B2F", "midden": "F5C400", "laag": "C4314B", NOT_ASSESSED: "E6E6E6"}
    wb = Workbook()
    matrix = wb.active
    matrix.title = "Matrix"
    matrix.append(["Organisatie", *[m.id for m in report.measures]])
    for org in report.organisations:
        matrix.append([org, *[report.verdicts[(org, m.id)].level for m in report.measures]])
        for cell in matrix[matrix.max_row][1:]:
            cell.fill = PatternFill("solid", fgColor=fills[cell.value])
            cell.font = Font(color="FFFFFF" if cell.value in ("hoog", "laag") else "000000")
    matrix.freeze_panes = "B2"
    for name, rows in (("Cellen", cell_rows(report)), ("Passages", evidence_rows(report))):
        sheet = wb.create_sheet(name)
        headers = list(rows[0]) if rows else ["organisatie"]
        sheet.append(headers)
        for row in rows:
            sheet.append([row[h] for h in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.iter_cols(min_row=2):
            for cell in column:
                cell.alignment = Alignment(wrap_text=isinstance(cell.value, str) and len(cell.value) > 60, vertical="top")
        sheet.freeze_panes = "A2"
    agg = wb.create_sheet("Per maatregel")
    agg.append(["Maatregel", "Hoog", "Midden", "Laag", "Niet beoordeeld", "Eenduidigheid", "Beeld", "Oordeel", "Regel"])
    for a in report.by_measure:
        agg.append([a.key, a.counts["hoog"], a.counts["midden"], a.counts["laag"], a.not_assessed,
                    None if a.consistency is None else round(a.consistency, 2), a.picture, a.verdict, a.rule])
    wb.save(path)


WRITERS = {"html": write_html, "pdf": write_pdf, "xlsx": write_xlsx, "csv": write_csv, "json": write_json}
