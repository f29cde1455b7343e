"""``weerbaar beoordeel``, ``rapport`` and ``vergelijk``: verdicts, the publishable report, two moments compared."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from weerbaar.cli.jsonout import changes_json, verdicts_json
from weerbaar.cli.options import CodebookOption, JsonOption, WorkspaceOption, open_project
from weerbaar.cli.output import err, out, print_json

app = typer.Typer()

SuggestionsOption = Annotated[bool, typer.Option(
    "--inclusief-suggesties", help="Tel ook niet-gevalideerde suggesties boven de drempel mee; elk oordeel heet dan voorlopig.")]
RegionsOption = Annotated[Path | None, typer.Option(
    "--regio-indeling", help="CSV met de kolommen gemeente en veiligheidsregio, voor het beeld per regio.")]


def _regions(path: Path | None) -> dict[str, str] | None:
    if path is None:
        return None
    from weerbaar.regions import load_region_mapping

    mapping, warnings = load_region_mapping(path, allow_unknown=True)
    for w in warnings:
        err.print(f"[yellow]Let op:[/] {w}")
    return mapping


@app.command("beoordeel")
def beoordeel(
    werkruimte: WorkspaceOption = None,
    codeboek: CodebookOption = None,
    inclusief_suggesties: SuggestionsOption = False,
    maatregel: Annotated[str | None, typer.Option("--maatregel", "-m", help="Alleen deze maatregel.")] = None,
    organisatie: Annotated[
        str | None, typer.Option("--organisatie", "-o", help="Alleen organisaties waarvan de naam dit bevat.")
    ] = None,
    json_out: JsonOption = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Uitvoer als CSV (; gescheiden, voor Excel).")] = False,
) -> None:
    # One line: its first paragraph is the command's line in the overview (cli.main.COMMANDS).
    """Oordeel per organisatie en maatregel (hoog / midden / laag, geen bewijs gevonden of niet beoordeeld), met de reden, het bewijs en de kernhiaten."""  # noqa: E501
    from weerbaar.api import NO_EVIDENCE, NOT_ASSESSED
    from weerbaar.safe_cells import csv_safe

    with open_project(werkruimte, codeboek) as project:
        book = project.codebook
        verdicts = project.verdicts(include_suggestions=inclusief_suggesties, measure=maatregel)
        coverage = {a.key: a for a in project.coverage(verdicts)}
    verdicts = [v for v in verdicts if not organisatie or organisatie.lower() in v.organisation.lower()]
    labels = {(m.id, e.id): e.label for m in book.measures for e in m.elements}

    def elements(mid, ids):
        return "; ".join(labels.get((mid, i), i) for i in ids)

    if json_out:
        stages = {s.level: s.label for s in book.stages}
        print_json(verdicts_json(verdicts, include_suggestions=inclusief_suggesties,
                                 coverage={m: a.coverage_text for m, a in coverage.items()},
                                 stage_label=lambda level: stages.get(level, str(level))))
        return
    if csv_out:
        writer = csv.writer(sys.stdout, delimiter=";")
        writer.writerow(["organisatie", "maatregel", "oordeel", "voorlopig", "onderbouwing", "gezocht",
                         "aangetoonde_elementen", "ontbrekende_elementen", "eerste_vermelding", "eerste_plan",
                         "eerste_uitvoering", "dekking_maatregel"])
        for v in verdicts:
            writer.writerow([csv_safe(x) for x in (
                v.organisation, v.measure_id, v.level, "ja" if v.provisional else "nee", v.reason, v.searched,
                elements(v.measure_id, v.elements_found), elements(v.measure_id, v.elements_missing) if v.assessed else "",
                v.first_mention or "", v.first_plan or "", v.first_execution or "", coverage[v.measure_id].coverage_text)])
        return
    table = Table(title="Oordelen" + (" (voorlopig: met niet-gevalideerde suggesties)" if inclusief_suggesties else ""),
                  title_justify="left")
    for col in ("Organisatie", "Maatregel", "Oordeel", "Onderbouwing", "Kernhiaten"):
        table.add_column(col)
    colours = {"hoog": "green", "midden": "yellow", "laag": "red", NO_EVIDENCE: "magenta"}
    shown = [v for v in verdicts if v.level != NOT_ASSESSED]
    for v in shown:
        level = f"[{colours[v.level]}]{v.level}[/]" + (" (voorlopig)" if v.provisional else "")
        table.add_row(v.organisation, v.measure_id, level, v.reason, elements(v.measure_id, v.elements_missing) or "–")
    out.print(table)
    no_evidence = sum(v.level == NO_EVIDENCE for v in shown)
    out.print(f"{len(shown)} van {len(verdicts)} cellen beoordeeld ({no_evidence} daarvan: geen bewijs gevonden); "
              f"{len(verdicts) - len(shown)} niet beoordeeld. De regels staan in de methodesectie van 'weerbaar rapport'.")


@app.command("rapport")
def rapport(
    map_: Annotated[Path, typer.Option("--naar", help="Map voor de rapportbestanden.")] = Path("weerbaar-rapport"),
    werkruimte: WorkspaceOption = None,
    codeboek: CodebookOption = None,
    inclusief_suggesties: SuggestionsOption = False,
    regio_indeling: RegionsOption = None,
    formaat: Annotated[
        list[str] | None, typer.Option("--formaat", "-f", help="html, pdf, xlsx, csv, json (herhaalbaar; standaard alle).")
    ] = None,
    titel: Annotated[str | None, typer.Option("--titel", help="Titel van het rapport.")] = None,
) -> None:
    """Maak het rapport: HTML (op zichzelf staand), PDF, Excel, CSV en JSON, met citaten en paginanummers."""
    from weerbaar.api import REPORT_FORMATS
    from weerbaar.codebook import load_codebook
    from weerbaar.errors import WeerbaarError

    formats = formaat or list(REPORT_FORMATS)
    unknown = [f for f in formats if f not in REPORT_FORMATS]
    if unknown:
        raise WeerbaarError(f"Onbekend formaat: {', '.join(unknown)}.", hint=f"Kies uit {', '.join(REPORT_FORMATS)}.")
    book = load_codebook(codeboek)
    with open_project(werkruimte, book) as project:
        project.write_report(map_, formats, include_suggestions=inclusief_suggesties, regions=_regions(regio_indeling),
                             title=titel, written=lambda path: err.print(f"Geschreven: {path}"))


@app.command("vergelijk")
def vergelijk(
    werkruimte: WorkspaceOption = None,
    andere: Annotated[Path | None, typer.Option("--met", help="Een tweede werkruimte (het latere moment).")] = None,
    tot: Annotated[
        str | None, typer.Option("--tot", help="Eerste moment: beslissingen tot en met deze datum (2025-06-30).")
    ] = None,
    tweede_tot: Annotated[
        str | None, typer.Option("--tweede-tot", help="Tweede moment: tot en met deze datum (standaard nu).")
    ] = None,
    codeboek: CodebookOption = None,
    json_out: JsonOption = False,
) -> None:
    """Wat is er veranderd tussen twee momenten: twee werkruimten, of twee datums in één werkruimte."""
    from weerbaar.api import compare
    from weerbaar.codebook import load_codebook
    from weerbaar.errors import WeerbaarError

    if andere is None and tot is None:
        raise WeerbaarError("Geef een tweede werkruimte (--met) of een datum (--tot).")
    book = load_codebook(codeboek)
    with open_project(werkruimte, book) as project:
        before = project.verdicts(until=tot)
        if andere is None:
            after = project.verdicts(until=tweede_tot)
    if andere is not None:
        with open_project(andere, book) as other:
            after = other.verdicts(until=tweede_tot)
    changes = compare(before, after)
    if json_out:
        print_json(changes_json(changes))
        return
    table = Table(title="Veranderingen", title_justify="left")
    for col in ("Organisatie", "Maatregel", "Eerst", "Nu", "Verandering", "Nieuw bewijs"):
        table.add_column(col)
    for c in changes:
        table.add_row(c.organisation, c.measure_id, c.before, c.after, c.change, str(c.new_evidence))
    out.print(table)
    if not changes:
        out.print("Geen veranderingen.")
