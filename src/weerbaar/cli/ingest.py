"""``weerbaar ingest``: read files and folders into the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from weerbaar.api import (
    DEFAULT_MAX_PAGE_CHARS,
    DEFAULT_MAX_PASSAGES,
    DEFAULT_MAX_UNPACKED_MB,
    INGEST_MAX_MB,
    MIN_PAGE_CHARS,
    Project,
    display_path,
)
from weerbaar.cli.jsonout import ingest_json
from weerbaar.cli.options import JsonOption, WorkspaceOption, check_doc_type, open_project
from weerbaar.cli.output import err, print_json
from weerbaar.documentmeta import validate_org_type, validate_year
from weerbaar.errors import SKIP_REASONS, WeerbaarError

if TYPE_CHECKING:
    from weerbaar.api import IngestReport

app = typer.Typer()

STATUS_LABELS = {
    "nieuw": "Nieuw ingelezen",
    "gewijzigd": "Gewijzigd, opnieuw ingelezen",
    "ongewijzigd": "Ongewijzigd (al ingelezen)",
    "verplaatst": "Verplaatst of hernoemd",
    "overgeslagen": "Overgeslagen",
}


def run_ingest(paths: list[Path], project: Project, options: dict[str, Any], quiet: bool,
               processes: int | None = None) -> IngestReport:
    """Ingest with a progress bar (by bytes, so that long documents weigh in) unless ``quiet``."""
    with Progress(
        TextColumn("[bold]Inlezen[/]"), BarColumn(), MofNCompleteColumn(), TextColumn("bytes"),
        TimeElapsedColumn(), TextColumn("nog"), TimeRemainingColumn(), TextColumn("{task.fields[file]}"),
        console=err, disable=quiet, transient=True,
    ) as bar:
        task = bar.add_task("ingest", total=None, file="")

        def advance(path: Path, size: int) -> None:
            bar.update(task, advance=size, file=display_path(path.name)[:40])

        def waiting(message: str) -> None:
            err.print(f"[yellow]Wachten[/] {escape(message)}")

        return project.ingest(paths, progress=advance, on_total=lambda total: bar.update(task, total=total),
                              on_wait=waiting, processes=processes, **options)


def print_summary(report: IngestReport, ws_folder: Path) -> None:
    table = Table(title="Samenvatting", show_header=False, box=None)
    for status, label in STATUS_LABELS.items():
        n = report.count(status)
        if n or status in ("nieuw", "overgeslagen"):
            table.add_row(label, str(n))
    table.add_row("Pagina's ingelezen", str(report.pages))
    table.add_row("Passages gemaakt", str(report.passages))
    err.print(table)
    if report.skipped:
        skipped = Table(title="Overgeslagen bestanden", title_justify="left")
        skipped.add_column("Bestand", overflow="fold")
        skipped.add_column("Reden")
        skipped.add_column("Toelichting", overflow="fold")
        for o in report.skipped:
            skipped.add_row(o.display_name, SKIP_REASONS.get(o.reason or "", o.reason or ""),
                            (o.message or "") + (f" {o.hint}" if o.hint else ""))
        err.print(skipped)
    noted = [o for o in report.outcomes if o.notes]
    for o in noted:
        err.print(f"[yellow]Let op[/] {o.display_name}: " + " ".join(o.notes))
    err.print(f"Werkruimte: [bold]{ws_folder}[/]. Volgende stap: [bold]weerbaar documenten[/] of "
              "[bold]weerbaar zoek \"noodsteunpunten\"[/].")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Bestanden en mappen (mappen worden doorzocht).", show_default=False)],
    werkruimte: WorkspaceOption = None,
    organisatie: Annotated[str | None, typer.Option(help="Organisatie van alle bestanden van deze run.")] = None,
    organisatietype: Annotated[
        str | None, typer.Option(help="gemeente, veiligheidsregio, ggd, provincie, waterschap of overig.")
    ] = None,
    documenttype: Annotated[str | None, typer.Option(help="Documenttype van alle bestanden van deze run.")] = None,
    jaar: Annotated[int | None, typer.Option(help="Jaar van alle bestanden van deze run.")] = None,
    manifest: Annotated[
        Path | None, typer.Option(help="Manifest (CSV of YAML) met metadata per bestand.", exists=True, dir_okay=False)
    ] = None,
    max_mb: Annotated[float, typer.Option("--max-mb", help="Grootste bestand dat wordt ingelezen, in MB.")] = INGEST_MAX_MB,
    max_uitgepakt_mb: Annotated[float, typer.Option(
        "--max-uitgepakt-mb",
        help="Grootste uitgepakte omvang van een DOCX of ODT, in MB (tegen zip-bommen).")] = DEFAULT_MAX_UNPACKED_MB,
    max_passages: Annotated[int, typer.Option(
        "--max-passages", help="Meeste passages per document; een document met meer wordt overgeslagen.")] = DEFAULT_MAX_PASSAGES,
    max_tekstdeel: Annotated[int, typer.Option(
        "--max-tekstdeel", help="Tekst zonder pagina's (TXT, HTML) wordt verdeeld in tekstdelen van hoogstens "
        "zoveel tekens.")] = DEFAULT_MAX_PAGE_CHARS,
    processen: Annotated[int | None, typer.Option(
        "--processen", help="Zoveel processen lezen tegelijk (standaard: één per processorkern; 1: alles in "
        "één proces). Het resultaat is hetzelfde.", show_default=False)] = None,
    stil: Annotated[bool, typer.Option("--stil", "-q", help="Geen voortgangsbalk en samenvatting.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Lees documenten in (PDF, DOCX, ODT, HTML, TXT/MD): tekst per pagina, metadata en passages.

    Hetzelfde bestand opnieuw doet niets; een gewijzigd bestand wordt opnieuw ingelezen; een
    onderbroken run gaat de volgende keer verder waar hij was. Metadata wordt afgeleid uit map,
    bestandsnaam en inhoud, en kan worden vastgelegd met een manifest of met de opties hieronder.
    """
    for value, name, least in ((max_uitgepakt_mb, "--max-uitgepakt-mb", 1), (max_passages, "--max-passages", 1),
                               (max_tekstdeel, "--max-tekstdeel", MIN_PAGE_CHARS),
                               (1 if processen is None else processen, "--processen", 1)):
        if value < least:
            raise typer.BadParameter(f"moet minstens {least} zijn.", param_hint=name)
    options: dict[str, Any] = {"max_mb": max_mb, "max_unpacked_mb": max_uitgepakt_mb, "max_passages": max_passages,
                               "max_page_chars": max_tekstdeel, "manifest": manifest}
    try:
        if organisatietype:
            options["organisation_type"] = validate_org_type(organisatietype)
        if organisatie:
            options["organisation"] = organisatie
        doc_type = check_doc_type(documenttype)  # None only when not given
        if doc_type:
            options["doc_type"] = doc_type
        if jaar is not None:
            options["year"] = validate_year(jaar)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    project = open_project(werkruimte, create=True)
    try:
        report = run_ingest(paths, project, options, quiet=stil or json_out, processes=processen)
    except KeyboardInterrupt:
        err.print("[yellow]Onderbroken.[/] Alles wat volledig was ingelezen is bewaard; "
                  "start dezelfde opdracht opnieuw om verder te gaan.")
        raise typer.Exit(130) from None
    finally:
        project.close()
    if json_out:
        print_json(ingest_json(report))
    elif not stil:
        print_summary(report, project.folder)
    if report.outcomes and not any(o.status != "overgeslagen" for o in report.outcomes):
        if json_out:  # the JSON above says why; the exit code says that nothing was read
            raise typer.Exit(1)
        raise WeerbaarError("Geen enkel bestand kon worden ingelezen.", hint="Zie de redenen hierboven.")
