"""Entry point: the command group, version flag and the one place errors become messages.

Every command lives in its own module with its own Typer app (``app`` in ``weerbaar.cli.search``
and so on). This module does not import them: :data:`COMMANDS` names each command's module and
its one-line help, so ``weerbaar --help`` lists the commands from the table, and a command's
module is imported only when that command runs or shows its own help. Start-up stays well under
half a second although some commands need numpy, scikit-learn or WeasyPrint (imported inside
the functions that use them).
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:  # the click that Typer builds on (its own copy since Typer 0.2x, not the click package)
    from typer._click import Command, Context, HelpFormatter

from weerbaar import __version__
from weerbaar.errors import WeerbaarError

_DUTCH_PANELS = {
    "ARGUMENTS_PANEL_TITLE": "Argumenten",
    "OPTIONS_PANEL_TITLE": "Opties",
    "COMMANDS_PANEL_TITLE": "Opdrachten",
    "ERRORS_PANEL_TITLE": "Fout",
    "ABORTED_TEXT": "Afgebroken.",
    "DEFAULT_STRING": "[standaard: {}]",
    "ENVVAR_STRING": "[omgevingsvariabele: {}]",
    "REQUIRED_LONG_STRING": "[verplicht]",
    "RICH_HELP": "Zie [blue]'{command_path} {help_option}'[/] voor hulp.",
}


class _DutchPanels(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Puts Typer's help and error panels in Dutch the moment Typer imports them.

    Typer imports ``typer.rich_utils`` (with rich.markdown: about 0.1 s) only to print help or an
    error; translating it here instead of importing it up front keeps every other run that much
    quicker.
    """

    def find_spec(self, fullname, path, target=None):
        if fullname != "typer.rich_utils":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        self._loader: importlib.abc.Loader = spec.loader
        spec.loader = self
        return spec

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        self._loader.exec_module(module)
        _translate(module)


def _translate(rich_utils) -> None:
    for name, text in _DUTCH_PANELS.items():
        setattr(rich_utils, name, text)


if "typer.rich_utils" in sys.modules:  # imported already (a test process, say): translate it now
    _translate(sys.modules["typer.rich_utils"])
else:
    sys.meta_path.insert(0, _DutchPanels())

#: Top-level command → (module in ``weerbaar.cli`` whose ``app`` holds it, the first paragraph of
#: its help). In the order ``weerbaar --help`` shows them. ``tests/test_cli_startup.py`` checks
#: every entry against the command itself, so the table cannot drift from the docstrings.
COMMANDS: dict[str, tuple[str, str]] = {
    "beoordeel": ("assess", "Oordeel per organisatie en maatregel (hoog / midden / laag, geen bewijs gevonden of "
                            "niet beoordeeld), met de reden, het bewijs en de kernhiaten."),
    "rapport": ("assess", "Maak het rapport: HTML (op zichzelf staand), PDF, Excel, CSV en JSON, met citaten en "
                          "paginanummers."),
    "vergelijk": ("assess", "Wat is er veranderd tussen twee momenten: twee werkruimten, of twee datums in één "
                            "werkruimte."),
    "analyseer": ("classify", "Zoek per maatregel het bewijs: score, fase met aanwijzing, bewijselementen, "
                              "kwetsbare groepen."),
    "passages": ("classify", "Toon het bewijs voor één maatregel, beste eerst, met fase, aanwijzing, elementen en "
                             "bron."),
    "classificeer": ("classify", "Classificeer teksten van buiten een werkruimte (JSONL in, JSONL uit; UTF-8, één "
                                 "object per regel)."),
    "evalueer": ("classify", "Meet de kwaliteit op organisaties en documenttypen die het model niet zag."),
    "ingest": ("ingest", "Lees documenten in (PDF, DOCX, ODT, HTML, TXT/MD): tekst per pagina, metadata en "
                         "passages."),
    "demo": ("demo", "Maak een werkruimte van het ingebouwde voorbeeldcorpus (fictieve gemeenten en "
                     "veiligheidsregio)\nen zoek daarin het bewijs per maatregel."),
    "maatregelen": ("measures", "Toon de maatregelen van het codeboek (standaard de 41 van de VNG-handreiking "
                                "2025)."),
    "review": ("review", "Start de beoordelingsapp in de browser: wachtrij per maatregel, bronpagina ernaast, "
                         "sneltoetsen."),
    "zoek": ("search", "Zoek in alle passages, met een Nederlandse stemmer (noodsteunpunt vindt ook "
                       "noodsteunpunten)."),
    "documenten": ("documents", "Toon de ingelezen documenten met metadata en aantallen; corrigeer metadata met "
                                "'wijzig'."),
    "haal": ("fetch", "Haal openbare documenten op en lees ze meteen in."),
    "beslissingen": ("review", "Beslissingen van beoordelaars: exporteren, importeren, overeenstemming en "
                               "conflicten."),
    "gebruiker": ("review", "Accounts voor een gedeelde beoordelingsapp (op het netwerk): toevoegen, tonen, "
                            "wachtwoord, rol en verwijderen."),
}


def load_command(name: str) -> Command:
    """Import the module that holds command ``name`` and build the command from its Typer app."""
    module = import_module(f"weerbaar.cli.{COMMANDS[name][0]}")
    return typer.main.get_group(module.app).commands[name]


class LazyCommands(Mapping[str, "Command"]):
    """The group's commands, each loaded (and kept) the first time it is looked up."""

    def __init__(self) -> None:
        self._loaded: dict[str, Command] = {}

    def __getitem__(self, name: str) -> Command:
        if name not in COMMANDS:
            raise KeyError(name)
        if name not in self._loaded:
            self._loaded[name] = load_command(name)
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class WeerbaarGroup(TyperGroup):
    """Loads commands lazily, and turns domain errors into a Dutch message and exit code 1, never a traceback."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Read-only: every command comes from COMMANDS, none is added after the group is built.
        self.commands = LazyCommands()  # type: ignore[assignment]
        self._listing = False

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if self._listing and cmd_name in COMMANDS:  # the overview needs a name and a line, not the module
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except WeerbaarError as exc:
            from weerbaar.cli.output import print_error

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
        bool | None, typer.Option("--versie", "--version", callback=_version, is_eager=True, help="Toon de versie.")
    ] = None,
) -> None:
    """weerbaar: bewijs van weerbaarheidsbeleid uit openbare documenten."""


def run() -> None:
    app()
