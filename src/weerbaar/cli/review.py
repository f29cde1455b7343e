"""``weerbaar beslissingen``: export, import, agreement and conflicts of reviewers' decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from weerbaar.cli.main import app
from weerbaar.cli.options import JsonOption, WorkspaceOption, open_workspace
from weerbaar.cli.output import err, out, print_json

review_app = typer.Typer(no_args_is_help=True, help="Beslissingen van beoordelaars: exporteren, importeren, "
                                                     "overeenstemming en conflicten.")
app.add_typer(review_app, name="beslissingen")


@review_app.command("exporteer")
def exporteer(
    bestand: Annotated[Path, typer.Argument(help="Doelbestand: .jsonl, of .csv voor Excel.", show_default=False)],
    werkruimte: WorkspaceOption = None,
) -> None:
    """Schrijf alle beslissingen (ook ongedaan gemaakte) weg, met hun bron, pagina en tekst."""
    from weerbaar.review.decisions import export_decisions

    with open_workspace(werkruimte) as ws:
        n = export_decisions(ws, bestand)
    err.print(f"{n} beslissingen geschreven naar {bestand}.")


@review_app.command("importeer")
def importeer(
    bestand: Annotated[Path, typer.Argument(help="Een eerder geëxporteerd bestand (.jsonl of .csv).", exists=True,
                                            dir_okay=False, show_default=False)],
    werkruimte: WorkspaceOption = None,
) -> None:
    """Lees beslissingen in uit een andere werkruimte; wat er al is, wordt overgeslagen."""
    from weerbaar.review.decisions import import_decisions

    with open_workspace(werkruimte) as ws:
        imported, present, unattached = import_decisions(ws, bestand)
    err.print(f"Ingelezen: {imported}; al aanwezig: {present}; zonder passage in deze werkruimte: {unattached} "
              "(bewaard; ze koppelen zodra het document wordt ingelezen).")


@review_app.command("overeenstemming")
def overeenstemming(werkruimte: WorkspaceOption = None, json_out: JsonOption = False) -> None:
    """Cohen's kappa per maatregel voor elk paar beoordelaars, en het aantal open conflicten."""
    from weerbaar.review.decisions import agreement, conflicts

    with open_workspace(werkruimte) as ws:
        rows = agreement(ws)
        open_conflicts = conflicts(ws)
    if json_out:
        print_json({"overeenstemming": [r.__dict__ for r in rows], "conflicten": len(open_conflicts)})
        return
    table = Table(title="Overeenstemming (Cohen's kappa op 'relevant')", title_justify="left")
    for col in ("Maatregel", "Beoordelaar A", "Beoordelaar B", "Samen beoordeeld", "Kappa"):
        table.add_column(col)
    for r in rows:
        table.add_row(r.measure_id, r.reviewer_a, r.reviewer_b, str(r.n), "–" if r.kappa is None else f"{r.kappa:.2f}")
    out.print(table)
    out.print(f"Open conflicten: {len(open_conflicts)}.")
