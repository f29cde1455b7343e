"""``weerbaar demo``: build a workspace from the built-in demo corpus and show what to do next."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from weerbaar.api import DEFAULT_DEMO_WORKSPACE, build_demo, demo_documents, demo_regions
from weerbaar.api import open as open_project
from weerbaar.cli.ingest import print_summary
from weerbaar.cli.output import err

app = typer.Typer()


@app.command()
def demo(
    werkruimte: Annotated[Path, typer.Option("--werkruimte", "-w", help="Map voor de demo-werkruimte.")] = Path(
        DEFAULT_DEMO_WORKSPACE
    ),
    opnieuw: Annotated[bool, typer.Option("--opnieuw", help="Begin met een lege demo-werkruimte.")] = False,
    zonder_analyse: Annotated[bool, typer.Option("--zonder-analyse", help="Alleen inlezen, niet analyseren.")] = False,
) -> None:
    """Maak een werkruimte van het ingebouwde voorbeeldcorpus (fictieve gemeenten en veiligheidsregio)
    en zoek daarin het bewijs per maatregel."""
    err.print(f"Voorbeelddocumenten: {demo_documents()}")
    with err.status("Inlezen en analyseren…"):
        report, analysis = build_demo(werkruimte, fresh=opnieuw, analyse=not zonder_analyse)
    print_summary(report, werkruimte)
    if analysis:
        err.print(f"Geanalyseerd: {analysis.analysed} passages; model: {analysis.config.model}.")
        from weerbaar.regions import load_region_mapping

        target = werkruimte / "rapport"
        regions, _ = load_region_mapping(demo_regions(), allow_unknown=True)
        with open_project(werkruimte, create=False) as project, err.status("Rapport maken (HTML, PDF, Excel, CSV, JSON)…"):
            project.write_report(target, regions=regions,
                                 title="Demo: Dijkwaard, Heemvoort en Veiligheidsregio Rijnvallei (fictief)")
        err.print(f"[bold]Rapport met gevalideerde oordelen:[/] {target / 'rapport.html'} (ook .pdf, .xlsx, .csv, .json)")
    w = f"--werkruimte {werkruimte}"
    cmd = command_name()
    err.print(
        "\n[bold]Probeer nu:[/]\n"
        f"  {cmd} review {w}          (beoordelen in de browser)\n"
        f"  {cmd} beoordeel {w}\n"
        f"  {cmd} passages --maatregel 2.2 {w}\n"
        f"  {cmd} documenten {w}\n"
        f"  {cmd} zoek noodsteunpunten {w}\n"
        f"  {cmd} zoek \"kritieke processen\" --organisatie Dijkwaard {w}\n"
        f"  {cmd} zoek drinkwater --type beleidsplan {w} --json\n"
        f"  {cmd} maatregelen --cruciaal\n"
        "\nOf stel de werkruimte één keer in: export WEERBAAR_WERKRUIMTE=" + str(werkruimte),
        soft_wrap=True,
    )


def command_name() -> str:
    """'weerbaar' when it is on the PATH, else the path the user can type (.venv/bin/weerbaar)."""
    if shutil.which("weerbaar"):
        return "weerbaar"
    program = Path(sys.argv[0])
    if program.name == "weerbaar" and program.exists():
        return os.path.relpath(program) if not program.is_absolute() or Path.cwd() in program.parents else str(program)
    return "weerbaar"
