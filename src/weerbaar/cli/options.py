"""Options shared by several commands, defined once, and the project they open."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from weerbaar.documentmeta import DOC_TYPES
from weerbaar.workspace import ENV_WORKSPACE, Workspace, resolve_workspace_path
from weerbaar.workspace.documents import DocumentFilters

if TYPE_CHECKING:
    from weerbaar.api import Project
    from weerbaar.codebook import Codebook

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--werkruimte", "-w", envvar=ENV_WORKSPACE, show_envvar=True,
        help="Map van de werkruimte (standaard ./weerbaar-werkruimte).",
    ),
]
CodebookOption = Annotated[
    Path | None,
    typer.Option("--codeboek", help="Eigen codeboek (YAML) in plaats van de ingebouwde VNG-handreiking."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Uitvoer als JSON (voor scripts).")]
OrganisationFilter = Annotated[
    str | None, typer.Option("--organisatie", "-o", help="Alleen organisaties waarvan de naam dit bevat.")
]
DocTypeFilter = Annotated[
    str | None, typer.Option("--type", "-t", help=f"Documenttype: {', '.join(DOC_TYPES)}.")
]
YearFilter = Annotated[
    str | None, typer.Option("--jaar", "-j", help="Een jaar (2024) of een reeks (2020-2024).")
]


def open_workspace(path: Path | None, *, create: bool = False) -> Workspace:
    return Workspace.open(resolve_workspace_path(path), create=create)


def open_project(path: Path | None, codebook: Codebook | Path | None = None, *, create: bool = False) -> Project:
    """The project (:mod:`weerbaar.api`) in the workspace of ``--werkruimte`` (or the environment or
    the default folder), with the codebook of ``--codeboek`` or the built-in one."""
    from weerbaar.api import open as open_api

    return open_api(resolve_workspace_path(path), codebook, create=create)


def document_filters(organisation: str | None, doc_type: str | None, years: str | None) -> DocumentFilters:
    """The documents ``--organisatie``, ``--type`` and ``--jaar`` ask for (checked, in Dutch)."""
    year_from, year_to = parse_years(years)
    return DocumentFilters(organisation=organisation, doc_type=check_doc_type(doc_type), year_from=year_from,
                           year_to=year_to)


def parse_years(value: str | None) -> tuple[int | None, int | None]:
    if not value:
        return None, None
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?", value)
    if not m:
        raise typer.BadParameter(f"'{value}' is geen jaar of reeks zoals 2024 of 2020-2024.", param_hint="--jaar")
    start, end = int(m[1]), int(m[2] or m[1])
    if end < start:
        raise typer.BadParameter(f"de reeks {value} loopt achteruit.", param_hint="--jaar")
    return start, end


def check_doc_type(value: str | None) -> str | None:
    if value is None:
        return None
    from weerbaar.documentmeta import validate_doc_type

    try:
        return validate_doc_type(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--type") from None
