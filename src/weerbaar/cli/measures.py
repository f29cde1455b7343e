"""``weerbaar maatregelen``: the measures of the codebook."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from weerbaar.cli.jsonout import measures_json
from weerbaar.cli.options import CodebookOption, JsonOption
from weerbaar.cli.output import out, print_json
from weerbaar.codebook import load_codebook

app = typer.Typer()


@app.command()
def maatregelen(
    codeboek: CodebookOption = None,
    pijler: Annotated[int | None, typer.Option("--pijler", "-p", help="Alleen deze pijler (1-6).")] = None,
    cruciaal: Annotated[bool, typer.Option("--cruciaal", help="Alleen de meest cruciale maatregelen.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Toon de maatregelen van het codeboek (standaard de 41 van de VNG-handreiking 2025)."""
    book = load_codebook(codeboek)
    pillars = [p for p in book.pillars if pijler is None or p.id == pijler]
    if pijler is not None and not pillars:
        raise typer.BadParameter(f"pijler {pijler} bestaat niet; kies uit {', '.join(str(p.id) for p in book.pillars)}.")
    if json_out:
        print_json(measures_json(book, pillars, crucial_only=cruciaal))
        return
    table = Table(title=f"{book.name} ({book.version})", title_justify="left")
    table.add_column("Nr.", no_wrap=True)
    table.add_column("Maatregel")
    table.add_column("Cruciaal", justify="center")
    table.add_column("Eindverantwoordelijk")
    table.add_column("Partners")
    for p in pillars:
        table.add_section()
        table.add_row("", f"[bold]Pijler {p.id}: {p.name}[/]", "", p.authority or "", "")
        for m in p.measures:
            if cruciaal and not m.crucial:
                continue
            table.add_row(m.id, m.label, "●" if m.crucial else "", ", ".join(m.lead), ", ".join(m.partners))
    out.print(table)
    shown = sum(1 for p in pillars for m in p.measures if m.crucial or not cruciaal)
    out.print(f"{shown} maatregelen; ● = meest cruciaal. Details en woordenlijst: weerbaar maatregelen --json")
