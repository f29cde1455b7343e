"""``weerbaar haal``: fetch documents from ORI, OpenBesluitvorming, websites and URL lists."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from weerbaar.api import (
    FETCH_MAX_MB,
    FETCH_RETRIES,
    PROBE_RETRIES,
    FetchError,
    OpenBesluitvormingSource,
    OriSource,
    Source,
    UrlListSource,
    WebsiteSource,
    probe,
)
from weerbaar.cli.jsonout import fetch_json
from weerbaar.cli.options import JsonOption, WorkspaceOption, open_project
from weerbaar.cli.output import err, out, print_json
from weerbaar.documentmeta import validate_date

if TYPE_CHECKING:
    from weerbaar.api import FetchReport

app = typer.Typer()

fetch_app = typer.Typer(no_args_is_help=True, help="Haal openbare documenten op en lees ze meteen in.")
app.add_typer(fetch_app, name="haal")

MaxMb = Annotated[float, typer.Option("--max-mb", help="Grootste bestand dat wordt opgehaald, in MB.")]
Delay = Annotated[float, typer.Option("--wachttijd", help="Seconden tussen twee verzoeken aan dezelfde server.")]
Retries = Annotated[int | None, typer.Option(
    "--pogingen", help=f"Nieuwe pogingen bij netwerk- of serverfouten (standaard {FETCH_RETRIES}; bij --proef "
                       f"{PROBE_RETRIES}).", show_default=False)]
Quiet = Annotated[bool, typer.Option("--stil", "-q", help="Geen voortgang.")]
Regions = Annotated[Path | None, typer.Option("--regio-indeling", help="CSV met gemeente;veiligheidsregio.")]
DateFrom = Annotated[str | None, typer.Option("--van", help="Vanaf datum (JJJJ-MM-DD).")]
DateTo = Annotated[str | None, typer.Option("--tot", help="Tot en met datum (JJJJ-MM-DD).")]


def _date(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        return validate_date(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=name) from None


def _run(werkruimte, source: Source, *, max_mb, delay, retries: int | None, quiet, json_out, regions_file) -> None:
    from weerbaar.regions import load_region_mapping

    regions = load_region_mapping(regions_file, allow_unknown=True)[0] if regions_file else None
    with open_project(werkruimte, create=True) as project, Progress(
        SpinnerColumn(), TextColumn("[bold]Ophalen[/]"), TextColumn("{task.completed} documenten"),
        TextColumn("{task.fields[last]}"), TimeElapsedColumn(), console=err, disable=quiet or json_out,
        transient=True,
    ) as bar:
        task = bar.add_task("fetch", total=None, last="")
        try:
            report = project.fetch(source, max_mb=max_mb, delay=delay, regions=regions,
                                   retries=FETCH_RETRIES if retries is None else retries,
                                   progress=lambda r: bar.update(task, advance=1, last=(r.candidate.title or "")[:40]))
        except FetchError as exc:
            raise typer.Exit(_fail(exc)) from None
        except KeyboardInterrupt:
            err.print("[yellow]Onderbroken.[/] Wat binnen was, is bewaard; dezelfde opdracht gaat verder.")
            raise typer.Exit(130) from None
    if isinstance(source, WebsiteSource) and source.skipped_by_robots and not (quiet or json_out):
        err.print(f"{len(set(source.skipped_by_robots))} adressen overgeslagen wegens robots.txt.")
    _print_report(report, json_out)
    failed = report.count("fout")
    if report.items and failed == len(report.items):
        if not json_out:
            err.print(Text.assemble(("Fout: ", "bold red"), f"alle {failed} downloads zijn mislukt; er is niets "
                                    "opgehaald. Zie de redenen hierboven."))
        raise typer.Exit(1)
    if not report.items and not json_out:
        err.print("Niets gevonden om op te halen.")


def _fail(exc: FetchError) -> int:
    err.print(Text.assemble(("Fout: ", "bold red"), exc.message))
    return 1


def _print_report(report: FetchReport, json_out: bool) -> None:
    if json_out:
        print_json(fetch_json(report))
        return
    err.print(f"Nieuw opgehaald en ingelezen: {report.count('nieuw')}; gewijzigd: {report.count('gewijzigd')}; "
              f"ongewijzigd: {report.count('ongewijzigd')}; "
              f"mislukt: {report.count('fout')} van {len(report.items)}.")
    if report.failures:
        table = Table(title="Mislukt (wordt de volgende keer opnieuw geprobeerd)", title_justify="left")
        table.add_column("Adres", overflow="fold")
        table.add_column("Reden", overflow="fold")
        for item in report.failures:
            table.add_row(item.candidate.url, item.message or "")
        err.print(table)


def _probe(source: Source, delay: float = 0.0, retries: int | None = None) -> None:
    ok, message = probe(source, delay=delay, retries=PROBE_RETRIES if retries is None else retries)
    label = ("In orde: ", "green") if ok else ("Niet in orde: ", "bold red")
    (out.print if ok else err.print)(Text.assemble(label, message))  # Text: URLs with [] are not markup
    raise typer.Exit(0 if ok else 1)


Probe = Annotated[bool, typer.Option("--proef", help="Controleer alleen of de bron bereikbaar is en antwoordt zoals "
                                                     "verwacht; er wordt niets opgehaald of opgeslagen.")]


@fetch_app.command("ori")
def haal_ori(
    gemeenten: Annotated[
        list[str] | None, typer.Argument(help="Gemeenten, bijv. Utrecht 'Den Haag'.", show_default=False)
    ] = None,
    werkruimte: WorkspaceOption = None,
    van: DateFrom = None,
    tot: DateTo = None,
    zoek: Annotated[str | None, typer.Option("--zoek", help="Alleen documenten met deze woorden.")] = None,
    api: Annotated[str, typer.Option("--api", help="Adres van het Elasticsearch-eindpunt.")] = "https://api.openraadsinformatie.nl/v1/elastic",
    proef: Probe = False,
    max_mb: MaxMb = FETCH_MAX_MB, wachttijd: Delay = 1.0, pogingen: Retries = None, stil: Quiet = False,
    regio_indeling: Regions = None, json_out: JsonOption = False,
) -> None:
    """Open Raadsinformatie (klassiek): documenten per gemeente, met datumbereik en zoekvraag.

    Let op: deze API kondigde aan op 1 november 2026 te stoppen; gebruik 'haal openbesluitvorming'.
    """
    if proef:
        _probe(OriSource([], base=api), retries=pogingen)
    if not gemeenten:
        raise typer.BadParameter("noem minstens één gemeente.", param_hint="GEMEENTEN")
    source = OriSource(gemeenten, date_from=_date(van, "--van"), date_to=_date(tot, "--tot"), text=zoek, base=api)
    _run(werkruimte, source, max_mb=max_mb, delay=wachttijd, retries=pogingen, quiet=stil, json_out=json_out,
         regions_file=regio_indeling)


@fetch_app.command("openbesluitvorming")
def haal_openbesluitvorming(
    bronnen: Annotated[
        list[str] | None, typer.Argument(help="Bronsleutels, bijv. soest utrecht (zie /api/sources).", show_default=False)
    ] = None,
    werkruimte: WorkspaceOption = None,
    zoek: Annotated[str | None, typer.Option("--zoek", help="Zoekvraag (\"een zin\" tussen aanhalingstekens).")] = None,
    van: DateFrom = None,
    tot: DateTo = None,
    volg: Annotated[
        bool, typer.Option("--volg", help="Volg de bron via de exportfeed: eerst alles, daarna alleen wijzigingen.")
    ] = False,
    api: Annotated[str, typer.Option("--api", help="Basisadres van OpenBesluitvorming.")] = "https://openbesluitvorming.nl",
    proef: Probe = False,
    max_mb: MaxMb = FETCH_MAX_MB, wachttijd: Delay = 1.0, pogingen: Retries = None, stil: Quiet = False,
    regio_indeling: Regions = None, json_out: JsonOption = False,
) -> None:
    """OpenBesluitvorming: zoeken per bron, of een bron volgen via de export (snapshot, daarna wijzigingen)."""
    if proef:
        _probe(OpenBesluitvormingSource(base=api), retries=pogingen)
    if not bronnen and not zoek:
        raise typer.BadParameter("noem een bron of geef --zoek.", param_hint="BRONNEN")
    source = OpenBesluitvormingSource(bronnen or [], query=zoek, date_from=_date(van, "--van"),
                                      date_to=_date(tot, "--tot"), follow=volg, base=api)
    _run(werkruimte, source, max_mb=max_mb, delay=wachttijd, retries=pogingen, quiet=stil, json_out=json_out,
         regions_file=regio_indeling)


@fetch_app.command("website")
def haal_website(
    url: Annotated[str, typer.Argument(help="Beginadres, bijv. https://www.vrhaaglanden.nl/", show_default=False)],
    werkruimte: WorkspaceOption = None,
    organisatie: Annotated[str | None, typer.Option(help="Organisatie van de gevonden documenten.")] = None,
    diepte: Annotated[int, typer.Option("--diepte", min=0, help="Hoe veel klikken vanaf het beginadres.")] = 3,
    max_paginas: Annotated[int, typer.Option("--max-paginas", min=1, help="Hoogstens zo veel pagina's bekijken.")] = 500,
    woorden: Annotated[
        str | None, typer.Option("--filter", help="Woorden, komma-gescheiden (standaard begroting, jaarverslag, …).")
    ] = None,
    paginas: Annotated[bool, typer.Option("--paginas", help="Ook HTML-pagina's zelf ophalen als hun tekst past.")] = False,
    proef: Probe = False,
    max_mb: MaxMb = FETCH_MAX_MB, wachttijd: Delay = 1.0, pogingen: Retries = None, stil: Quiet = False,
    regio_indeling: Regions = None, json_out: JsonOption = False,
) -> None:
    """Doorzoek een website (binnen het domein; sitemap, dan links; robots.txt wordt gerespecteerd)."""
    if not url.startswith(("http://", "https://")):
        raise typer.BadParameter("geef een volledig adres met http:// of https://.", param_hint="URL")
    words = tuple(w.strip() for w in woorden.split(",") if w.strip()) if woorden else None
    source = WebsiteSource(url, organisation=organisatie, depth=diepte, max_pages=max_paginas, words=words,
                           pages_too=paginas)
    if proef:
        _probe(source, retries=pogingen)
    _run(werkruimte, source, max_mb=max_mb, delay=wachttijd, retries=pogingen, quiet=stil, json_out=json_out,
         regions_file=regio_indeling)


@fetch_app.command("lijst")
def haal_lijst(
    bestand: Annotated[Path, typer.Argument(help="CSV met kolom url en eventueel organisatie, documenttype, jaar, datum, titel.",
                                            exists=True, dir_okay=False, show_default=False)],
    werkruimte: WorkspaceOption = None,
    proef: Annotated[bool, typer.Option("--proef", help="Controleer alleen of elk adres antwoordt (zonder de "
                                                        "bestanden op te halen); er wordt niets opgeslagen.")] = False,
    max_mb: MaxMb = FETCH_MAX_MB, wachttijd: Delay = 1.0, pogingen: Retries = None, stil: Quiet = False,
    regio_indeling: Regions = None, json_out: JsonOption = False,
) -> None:
    """Haal de adressen uit een CSV-lijst op, met de metadata uit de lijst."""
    source = UrlListSource(bestand)
    if proef:
        _probe(source, delay=wachttijd, retries=pogingen)
    _run(werkruimte, source, max_mb=max_mb, delay=wachttijd, retries=pogingen, quiet=stil,
         json_out=json_out, regions_file=regio_indeling)
