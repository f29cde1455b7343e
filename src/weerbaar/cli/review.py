"""``weerbaar beslissingen``: export, import, agreement and conflicts of reviewers' decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from weerbaar.cli.main import app
from weerbaar.cli.options import CodebookOption, JsonOption, WorkspaceOption, open_workspace
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
    codeboek: CodebookOption = None,
) -> None:
    """Lees beslissingen in uit een andere werkruimte; wat er al is, wordt overgeslagen.

    Elke regel wordt eerst gecontroleerd (velden, fasen en maatregelen van het codeboek); bij één
    fout wordt niets ingelezen en noemt weerbaar elke foute regel. Een beslissing die hier al is,
    neemt een later ongedaan maken over; twee keer hetzelfde bestand inlezen voegt niets toe.
    """
    from weerbaar.codebook import load_codebook
    from weerbaar.review.decisions import DecisionImportError, import_decisions

    book = load_codebook(codeboek)
    with open_workspace(werkruimte) as ws:
        try:
            result = import_decisions(ws, bestand, book)
        except DecisionImportError as exc:  # file names and values may hold [brackets]: no markup
            err.print("Fout: " + exc.message, markup=False, style="bold red", highlight=False, soft_wrap=True)
            err.print("Tip: " + exc.hint, markup=False, style="yellow", soft_wrap=True)
            raise typer.Exit(1) from None
    err.print(f"Ingelezen: {result.imported}; al aanwezig: {result.present}"
              + (f" (waarvan {result.undone} nu ongedaan gemaakt)" if result.undone else "")
              + f"; zonder passage in deze werkruimte: {result.unattached} "
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


@app.command("review")
def review(
    werkruimte: WorkspaceOption = None,
    codeboek: CodebookOption = None,
    beoordelaar: Annotated[Optional[str], typer.Option("--beoordelaar", "-b",
                                                       help="Uw naam; anders vraagt de app erom.")] = None,
    poort: Annotated[int, typer.Option("--poort", help="Poort van de webapp.")] = 8765,
    adres: Annotated[str, typer.Option("--adres", help="Adres om op te luisteren. Standaard alleen deze computer; "
                                                      "0.0.0.0 maakt de app zichtbaar voor het netwerk.")] = "127.0.0.1",
    geen_browser: Annotated[bool, typer.Option("--geen-browser", help="Open de browser niet automatisch.")] = False,
) -> None:
    """Start de beoordelingsapp in de browser: wachtrij per maatregel, bronpagina ernaast, sneltoetsen."""
    import threading
    import webbrowser

    import uvicorn

    from weerbaar.codebook import load_codebook
    from weerbaar.web.app import create_app
    from weerbaar.workspace import resolve_workspace_path

    folder = resolve_workspace_path(werkruimte)
    hosts = None if adres not in ("127.0.0.1", "localhost") else ["127.0.0.1", "localhost"]
    application = create_app(folder, load_codebook(codeboek), reviewer=beoordelaar, allowed_hosts=hosts)
    url = f"http://{'127.0.0.1' if adres in ('0.0.0.0', '::') else adres}:{poort}/"
    if adres not in ("127.0.0.1", "localhost"):
        err.print(f"[bold]Let op:[/] de app luistert op {adres} en is dus bereikbaar voor anderen in het netwerk.")
    err.print(f"Beoordelingsapp: {url}  (stoppen met Ctrl+C; elke beslissing is direct opgeslagen)")
    if not geen_browser:
        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    uvicorn.run(application, host=adres, port=poort, log_level="warning")
