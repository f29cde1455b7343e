"""``analyseer``, ``passages``, ``classificeer`` and ``evalueer``: finding evidence per measure."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from weerbaar.cli.jsonout import analysis_json, classified_json, evaluation_json, passages_json
from weerbaar.cli.options import (
    CodebookOption,
    DocTypeFilter,
    JsonOption,
    OrganisationFilter,
    WorkspaceOption,
    YearFilter,
    document_filters,
    open_project,
)
from weerbaar.cli.output import err, out, print_json
from weerbaar.codebook import Codebook, load_codebook
from weerbaar.errors import WeerbaarError
from weerbaar.workspace import Workspace, resolve_workspace_path
from weerbaar.workspace.db import DB_FILENAME

app = typer.Typer()


def _stage(level: int, codebook: Codebook) -> str:
    return codebook.scale.label(level) or str(level)


@app.command()
def analyseer(
    werkruimte: WorkspaceOption = None,
    codeboek: CodebookOption = None,
    stil: Annotated[bool, typer.Option("--stil", "-q", help="Geen voortgangsbalk.")] = False,
    alles_inbedden: Annotated[bool, typer.Option(
        "--alles-inbedden", help="Ook passages zonder enig woord uit het codeboek semantisch inbedden "
                                 "(trager; standaard worden die alleen op woorden gescoord).")] = False,
    dask: Annotated[str | None, typer.Option(
        "--dask", metavar="ADRES", help="Laat een Dask-cluster inbedden en scoren: adres van de scheduler, "
                                        "bijv. tcp://10.0.0.5:8786 (zie docs/schaal.md).",
        show_default=False)] = None,
    json_out: JsonOption = False,
) -> None:
    """Zoek per maatregel het bewijs: score, fase met aanwijzing, bewijselementen, kwetsbare groepen.

    Alleen nieuwe of gewijzigde passages worden verwerkt; een onderbroken run gaat later verder.
    Passages waarin geen enkel woord uit het codeboek voorkomt, worden alleen op woorden gescoord
    en niet ingebed (--alles-inbedden doet dat wel).
    """
    with open_project(werkruimte, codeboek) as project, Progress(
        TextColumn("[bold]Analyseren[/]"), BarColumn(), MofNCompleteColumn(), TextColumn("passages"),
        TimeElapsedColumn(), TextColumn("nog"), TimeRemainingColumn(), console=err, disable=stil or json_out,
        transient=True,
    ) as bar:
        task = bar.add_task("analyse", total=None)
        report = project.analyse(embed_all=alles_inbedden, dask=dask,
                                 progress=lambda done, total: bar.update(task, completed=done, total=total))
        suggested = project.workspace.analysis.suggestion_count(min_score=report.config.threshold)
    if json_out:
        print_json(analysis_json(report, suggested))
        return
    err.print(f"Geanalyseerd: {report.analysed} passages ({report.embedded} nieuw ingebed, "
              f"{report.lexical_only} alleen op woorden gescoord, {report.skipped} waren al geanalyseerd). "
              f"Suggesties boven de drempel: {suggested}.")
    err.print(f"Model: {report.config.model}; drempel {report.config.threshold:.2f}.")
    err.print(f"Waarom dit model: {report.model_choice}.")
    err.print("Volgende stap: [bold]weerbaar passages --maatregel 2.2[/]")


@app.command()
def passages(
    maatregel: Annotated[str, typer.Option("--maatregel", "-m", help="Maatregelnummer, bijv. 2.2.", show_default=False)],
    werkruimte: WorkspaceOption = None,
    codeboek: CodebookOption = None,
    organisatie: OrganisationFilter = None,
    type: DocTypeFilter = None,
    jaar: YearFilter = None,
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="Hoeveel passages.")] = 20,
    alle: Annotated[bool, typer.Option("--alle", help="Ook passages onder de drempel (gemarkeerd).")] = False,
    json_out: JsonOption = False,
) -> None:
    """Toon het bewijs voor één maatregel, beste eerst, met fase, aanwijzing, elementen en bron."""
    book = load_codebook(codeboek)
    filters = document_filters(organisatie, type, jaar)
    with open_project(werkruimte, book) as project:
        ranked = project.passages(maatregel, filters=filters, top=top, include_below=alle)
    measure = book.measure(maatregel)
    if json_out:
        print_json(passages_json(measure, ranked, lambda level: _stage(level, book)))
        return
    out.print(Text.assemble(("Maatregel ", "bold"), (f"{measure.id} {measure.label}", "bold cyan")))
    if not ranked:
        out.print("Geen passages boven de drempel. Probeer --alle, een ruimer filter of meer documenten.")
        return
    labels = {e.id: e.label for e in measure.elements}
    for i, r in enumerate(ranked, 1):
        c = r.citation
        page = f"p. {c.page}" if c.paginated else "ongepagineerd"
        out.print(Text.assemble(
            (f"{i}. ", "bold"), (f"{r.score:.2f}", "bold green" if r.above_threshold else "dim"),
            f"  {c.organisation or 'onbekend'} — {c.title or c.file} ({c.document_type}, {c.year or '?'}), ",
            (page, "bold"), (f"  [passage {r.passage_id}]", "dim")))
        out.print(Text.assemble(("   fase: ", "dim"), f"{r.stage} {_stage(r.stage, book)}",
                                (f"  (aanwijzing: “{r.stage_cue}”)" if r.stage_cue else "  (geen aanwijzing)", "dim")))
        if measure.elements:
            found = ", ".join(labels.get(e, e) for e in r.elements_found) or "geen"
            out.print(Text.assemble(("   elementen: ", "dim"), found))
        if r.vulnerable_terms:
            out.print(Text.assemble(("   kwetsbare groepen: ", "dim"), ", ".join(r.vulnerable_terms)))
        out.print("   " + " ".join(c.text.split())[:400] + ("…" if len(c.text) > 400 else ""))
        out.print()


@app.command()
def classificeer(
    bestand: Annotated[Path, typer.Argument(help="JSONL: per regel {\"id\": …, \"text\": …}; '-' leest van stdin.",
                                            show_default=False)],
    uit: Annotated[Path | None, typer.Option("--uit", "-u", help="Schrijf de uitvoer naar dit bestand.")] = None,
    werkruimte: WorkspaceOption = None,
    codeboek: CodebookOption = None,
    max_tekens: Annotated[int, typer.Option("--max-tekens", help="Langere teksten worden geweigerd.")] = 20000,
) -> None:
    """Classificeer teksten van buiten een werkruimte (JSONL in, JSONL uit; UTF-8, één object per regel).

    Elke uitvoerregel: id, maatregelen boven de drempel (beste eerst, met score), fase, aanwijzing,
    bewijselementen en of mensen in een kwetsbare positie genoemd worden. Een fout in één regel
    wordt op die regel gemeld; de rest gaat door. Met een werkruimte weegt de woordfrequentie van
    die werkruimte mee; zonder wegen alle woorden gelijk.
    """
    from weerbaar.api import classify
    from weerbaar.jsonl import dumps, read_lines

    book = load_codebook(codeboek)
    source = sys.stdin if str(bestand) == "-" else None
    if source is None and not bestand.is_file():
        raise typer.BadParameter(f"'{bestand}' bestaat niet.", param_hint="BESTAND")
    # Bytes, split on "\n" only: a U+2028 in a text is not a line break, and a line that is not
    # UTF-8 gets its own error instead of a silently replaced character.
    lines = list(read_lines(source.buffer.read() if source else bestand.read_bytes()))
    # A workspace sharpens the word weights and may carry a learned model; it is optional here.
    ws_path = resolve_workspace_path(werkruimte)
    ws = Workspace.open(ws_path) if (ws_path / DB_FILENAME).exists() else None
    target = uit.open("w", encoding="utf-8") if uit else sys.stdout
    try:
        errors = 0
        for result in classify(lines, book, workspace=ws, max_chars=max_tekens):
            errors += "error" in result
            target.write(dumps(classified_json(result, lambda level: _stage(level, book))) + "\n")
        target.flush()
    finally:
        if uit:
            target.close()
        if ws:
            ws.close()
    if errors:
        err.print(f"[yellow]{errors} regel(s) met een fout; zie het veld 'error' in de uitvoer.[/]")


@app.command()
def evalueer(
    set_: Annotated[Path | None, typer.Option(
        "--labels", "--set", help="Gelabelde set (JSONL); standaard eval/generalisation.jsonl in de huidige map.")] = None,
    bronnen: Annotated[Path | None, typer.Option(
        "--bronnen", help="Map met de documenten van de set; standaard WEERBAAR_SHARED, anders ../shared.")] = None,
    codeboek: CodebookOption = None,
    groepering: Annotated[str | None, typer.Option(
        "--groepering", help="Alleen deze groepering: 'organisatie' of 'documenttype' (standaard beide).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Meet de kwaliteit op organisaties en documenttypen die het model niet zag.

    Per groep (elke organisatie, en apart elk documenttype) worden alle modellen gefit op de andere
    groepen en gemeten op de weggelaten groep: macro- en micro-F1 op de 12 cruciale maatregelen,
    recall@20, precisie van de suggesties, fase exact en binnen één stap, en wie de passage betreft
    — naast een trefwoordscan op dezelfde passages. Leest de passages uit hun bron (--bronnen).
    """
    from weerbaar.api import Evaluation

    if groepering and groepering not in Evaluation.groupings():
        raise WeerbaarError(f"Onbekende groepering '{groepering}'.", hint="Kies 'organisatie' of 'documenttype'.")
    evaluation = Evaluation(load_codebook(codeboek), set_, bronnen)
    with Progress(TextColumn("[bold]Passages lezen en inbedden[/]"), TimeElapsedColumn(), console=err,
                  disable=json_out, transient=True) as bar:
        bar.add_task("prepare", total=None)
        prepared = evaluation.prepare()
    results = evaluation.by_group((groepering,) if groepering else None)
    if json_out:
        print_json(evaluation_json(str(set_ or Evaluation.default_labels()), prepared, results))
        return
    fmt = lambda v: "–" if v is None or v != v else f"{v:.2f}"  # noqa: E731
    for grouping in dict.fromkeys(r.grouping for r in results):
        table = Table(title=f"Per {grouping}, gemeten buiten de eigen groep (weerbaar / trefwoordscan)",
                      title_justify="left")
        for col in ("Groep", "Passages", "Positieve paren", "Macro-F1", "Micro-F1", "Recall@20", "Precisie",
                    "Fase exact", "Fase ±1", "Betreft-juist"):
            table.add_column(col, justify="left" if col == "Groep" else "right")
        for r in (r for r in results if r.grouping == grouping):
            m, k = r.model, r.keyword
            pair = lambda a, b: f"{fmt(a)} / {fmt(b)}"  # noqa: E731
            table.add_row(r.group, str(m.n_items), str(m.n_positive_pairs), pair(m.macro_f1, k.macro_f1),
                          pair(m.micro_f1, k.micro_f1), pair(m.recall_at[20], k.recall_at[20]),
                          pair(m.precision, k.precision), pair(m.stage_exact, k.stage_exact),
                          pair(m.stage_within_one, k.stage_within_one),
                          pair(r.subject_accuracy, r.subject_baseline))
        out.print(table)
    out.print("Trefwoordscan: een passage telt voor een maatregel als een van zijn termen erin staat; fase = de "
              "meest voorkomende fase in de trainingsgroepen; betreft = altijd de eigen organisatie.")
