"""``weerbaar documenten``: list documents with metadata; ``wijzig`` corrects metadata."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from weerbaar.cli.jsonout import documents_json, skipped_files_json
from weerbaar.cli.options import (
    DocTypeFilter,
    JsonOption,
    OrganisationFilter,
    WorkspaceOption,
    YearFilter,
    document_filters,
    open_workspace,
)
from weerbaar.cli.output import err, out, print_json
from weerbaar.errors import SKIP_REASONS
from weerbaar.workspace.documents import (
    correct_document,
    list_documents,
    skipped_files,
    workspace_counts,
)

app = typer.Typer()

documents_app = typer.Typer(
    invoke_without_command=True, no_args_is_help=False,
    help="Toon de ingelezen documenten met metadata en aantallen; corrigeer metadata met 'wijzig'.",
)
app.add_typer(documents_app, name="documenten")

_INFERRED = {"map", "bestandsnaam", "inhoud", "afgeleid"}


def _mark(doc: dict, field: str, value) -> str:
    """A value, with '?' when it was guessed rather than given by a person."""
    if value in (None, ""):
        return "[dim]–[/]"
    guessed = doc["metadata_source"].get(field, "inhoud") in _INFERRED
    return f"{value}{'[dim]?[/]' if guessed else ''}"


@documents_app.callback()
def documenten(
    ctx: typer.Context,
    werkruimte: WorkspaceOption = None,
    organisatie: OrganisationFilter = None,
    type: DocTypeFilter = None,
    jaar: YearFilter = None,
    overgeslagen: Annotated[bool, typer.Option("--overgeslagen", help="Toon de bestanden die zijn geweigerd.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Toon de ingelezen documenten met metadata en aantallen pagina's en passages.

    Een '?' achter een waarde betekent: afgeleid uit map, bestandsnaam of inhoud, niet door een
    persoon opgegeven. Corrigeer met 'weerbaar documenten wijzig NUMMER --jaar 2024'.
    """
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"werkruimte": werkruimte}
        return
    filters = document_filters(organisatie, type, jaar)
    with open_workspace(werkruimte) as ws:
        if overgeslagen:
            rows = skipped_files(ws)
            if json_out:
                print_json(skipped_files_json(rows))
                return
            table = Table(title="Geweigerde bestanden", title_justify="left")
            for col in ("Bestand", "Reden", "Toelichting", "Poging"):
                table.add_column(col, overflow="fold")
            for r in rows:
                table.add_row(r["path"], SKIP_REASONS.get(r["reason"], r["reason"]), r["message"], r["attempted_at"])
            out.print(table)
            return
        docs = list_documents(ws, filters)
        counts = workspace_counts(ws)
    if json_out:
        print_json(documents_json(docs))
        return
    table = Table(title=f"Documenten in de werkruimte ({len(docs)})", title_justify="left")
    columns: list[tuple[str, dict[str, Any]]] = [
        ("Nr.", {"justify": "right"}), ("Organisatie", {"ratio": 3}), ("Type", {"ratio": 2}), ("Jaar", {"no_wrap": True}),
        ("Titel", {"ratio": 4}), ("Pag.", {"justify": "right"}), ("Pass.", {"justify": "right"})]
    for col, kw in columns:
        table.add_column(col, overflow="fold", **kw)
    for d in docs:
        table.add_row(
            str(d["id"]), _mark(d, "organisation", d["organisation"]), _mark(d, "doc_type", d["doc_type"]),
            _mark(d, "year", d["year"]), d["title"] or d["filename"],
            str(d["page_count"]) if d["paginated"] else "–", str(d["passage_count"]),
        )
    out.print(table)
    out.print(f"Totaal: {counts['documenten']} documenten, {counts['paginas']} pagina's, {counts['passages']} passages"
              + (f"; {counts['overgeslagen']} bestanden geweigerd (zie --overgeslagen)." if counts["overgeslagen"] else "."))


@documents_app.command()
def wijzig(
    ctx: typer.Context,
    nummer: Annotated[int, typer.Argument(help="Documentnummer (zie 'weerbaar documenten').", show_default=False)],
    werkruimte: WorkspaceOption = None,
    organisatie: Annotated[str | None, typer.Option(help="Naam van de organisatie.")] = None,
    organisatietype: Annotated[
        str | None, typer.Option(help="gemeente, veiligheidsregio, ggd, provincie, waterschap, overig.")
    ] = None,
    documenttype: Annotated[str | None, typer.Option(help="Documenttype.")] = None,
    jaar: Annotated[int | None, typer.Option(help="Jaar waarover het document gaat.")] = None,
    datum: Annotated[str | None, typer.Option(help="Datum van het document, JJJJ-MM-DD.")] = None,
    titel: Annotated[str | None, typer.Option(help="Titel.")] = None,
) -> None:
    """Corrigeer de metadata van een document; de correctie blijft gelden als het bestand opnieuw wordt ingelezen."""
    values = {"organisation": organisatie, "organisation_type": organisatietype, "doc_type": documenttype,
              "year": jaar, "date": datum, "title": titel}
    if all(v is None for v in values.values()):
        raise typer.BadParameter("geef minstens één waarde om te wijzigen, bijvoorbeeld --jaar 2024.")
    werkruimte = werkruimte or (ctx.obj or {}).get("werkruimte")
    with open_workspace(werkruimte) as ws:
        try:
            doc = correct_document(ws, nummer, values)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    err.print(f"Document {doc['id']} bijgewerkt: {doc['organisation']} · {doc['doc_type']} · {doc['year']} · {doc['title']}")
