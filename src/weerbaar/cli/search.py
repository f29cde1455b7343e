"""``weerbaar zoek``: full-text search over the passages."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from weerbaar.cli.jsonout import search_json
from weerbaar.cli.options import (
    DocTypeFilter,
    JsonOption,
    OrganisationFilter,
    WorkspaceOption,
    YearFilter,
    document_filters,
    open_project,
)
from weerbaar.cli.output import out, print_json

app = typer.Typer()


def page_label(hit) -> str:
    return f"p. {hit.citation.page}" if hit.citation.paginated else "ongepagineerd"


@app.command()
def zoek(
    zoekvraag: Annotated[str, typer.Argument(help='Woorden, "een zin", woord OF woord, -zonder.', show_default=False)],
    werkruimte: WorkspaceOption = None,
    organisatie: OrganisationFilter = None,
    type: DocTypeFilter = None,
    jaar: YearFilter = None,
    limiet: Annotated[int, typer.Option("--limiet", "-n", min=1, help="Hoeveel resultaten.")] = 20,
    betekenis: Annotated[bool, typer.Option(
        "--betekenis", help="Zoek op betekenis (na 'weerbaar analyseer'): passages die hetzelfde zeggen, "
                            "ook met andere woorden.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Zoek in alle passages, met een Nederlandse stemmer (noodsteunpunt vindt ook noodsteunpunten)."""
    filters = document_filters(organisatie, type, jaar)
    with open_project(werkruimte) as project:
        hits = project.search(zoekvraag, filters=filters, limit=limiet, semantic=betekenis)
    if json_out:
        print_json(search_json(zoekvraag, hits))
        return
    if not hits:
        out.print("Geen passages gevonden. Zoeken op betekenis werkt na 'weerbaar analyseer'; probeer anders een ruimer filter."
                  if betekenis else
                  "Geen passages gevonden. Probeer minder of andere woorden, of een ruimer filter.")
        return
    for i, h in enumerate(hits, 1):
        out.print(Text.assemble(
            (f"{i}. ", "bold"), (h.citation.organisation or "onbekende organisatie", "bold cyan"),
            f" — {h.citation.title or h.citation.file} ({h.citation.document_type}, {h.citation.year or 'jaar onbekend'}), ",
            (page_label(h), "bold"),
            (f"  [score {h.score:.2f}, passage {h.passage_id}]" if betekenis else
             f"  [score {h.score:.1f}, passage {h.passage_id}]", "dim"),
        ))
        snippet, spans = h.snippet()
        text = Text(" ".join(snippet.split("\n")))
        for a, b in spans:
            text.stylize("bold black on yellow", a, b)
        out.print(text, style=None)
        out.print()
