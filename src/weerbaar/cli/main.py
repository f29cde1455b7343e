"""Entry point: the command group, version flag and the one place errors become messages."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from typer import rich_utils
from typer.core import TyperGroup

from weerbaar import __version__
from weerbaar.cli.output import print_error
from weerbaar.errors import WeerbaarError


# Typer's own help and error panels, in Dutch like the rest of the interface.
rich_utils.ARGUMENTS_PANEL_TITLE = "Argumenten"
rich_utils.OPTIONS_PANEL_TITLE = "Opties"
rich_utils.COMMANDS_PANEL_TITLE = "Opdrachten"
rich_utils.ERRORS_PANEL_TITLE = "Fout"
rich_utils.ABORTED_TEXT = "Afgebroken."
rich_utils.DEFAULT_STRING = "[standaard: {}]"
rich_utils.ENVVAR_STRING = "[omgevingsvariabele: {}]"
rich_utils.REQUIRED_LONG_STRING = "[verplicht]"
rich_utils.RICH_HELP = "Zie [blue]'{command_path} {help_option}'[/] voor hulp."


class WeerbaarGroup(TyperGroup):
    """Turns domain errors into a Dutch message and exit code 1, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except WeerbaarError as exc:
            print_error(exc.message, exc.hint)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=WeerbaarGroup,
    name="weerbaar",
    help="Hoe ver zijn gemeenten en veiligheidsregio's met de maatregelen van de VNG-handreiking "
    "weerbaarheid en veerkracht? Bewijs uit hun eigen documenten, met bron en pagina.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"weerbaar {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        Optional[bool], typer.Option("--versie", "--version", callback=_version, is_eager=True, help="Toon de versie.")
    ] = None,
) -> None:
    """weerbaar: bewijs van weerbaarheidsbeleid uit openbare documenten."""


from weerbaar.cli import assess, classify, demo, documents, fetch, ingest, measures, review, search  # noqa: E402,F401  (register commands)


def run() -> None:
    app()
