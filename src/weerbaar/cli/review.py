"""``weerbaar beslissingen``, ``weerbaar review`` and ``weerbaar gebruiker``: decisions, the review app, its accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from weerbaar.cli.jsonout import accounts_json, agreement_json
from weerbaar.cli.options import CodebookOption, JsonOption, WorkspaceOption, open_project
from weerbaar.cli.output import err, out, print_json

app = typer.Typer()

review_app = typer.Typer(no_args_is_help=True, help="Beslissingen van beoordelaars: exporteren, importeren, "
                                                     "overeenstemming en conflicten.")
app.add_typer(review_app, name="beslissingen")


@review_app.command("exporteer")
def exporteer(
    bestand: Annotated[Path, typer.Argument(help="Doelbestand: .jsonl, of .csv voor Excel.", show_default=False)],
    werkruimte: WorkspaceOption = None,
) -> None:
    """Schrijf alle beslissingen (ook ongedaan gemaakte) weg, met hun bron, pagina en tekst."""
    with open_project(werkruimte) as project:
        n = project.decisions.export(bestand)
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
    from weerbaar.api import DecisionImportError

    with open_project(werkruimte, codeboek) as project:
        try:
            result = project.decisions.import_(bestand)
        except DecisionImportError as exc:  # file names and values may hold [brackets]: no markup
            err.print("Fout: " + exc.message, markup=False, style="bold red", highlight=False, soft_wrap=True)
            if exc.hint:
                err.print("Tip: " + exc.hint, markup=False, style="yellow", soft_wrap=True)
            raise typer.Exit(1) from None
    err.print(f"Ingelezen: {result.imported}; al aanwezig: {result.present}"
              + (f" (waarvan {result.undone} nu ongedaan gemaakt)" if result.undone else "")
              + f"; zonder passage in deze werkruimte: {result.unattached} "
              "(bewaard; ze koppelen zodra het document wordt ingelezen).")


@review_app.command("overeenstemming")
def overeenstemming(werkruimte: WorkspaceOption = None, json_out: JsonOption = False) -> None:
    """Cohen's kappa per maatregel voor elk paar beoordelaars, en het aantal open conflicten."""
    with open_project(werkruimte) as project:
        rows = project.decisions.agreement()
        open_conflicts = project.decisions.conflicts()
    if json_out:
        print_json(agreement_json(rows, len(open_conflicts)))
        return
    table = Table(title="Overeenstemming (Cohen's kappa op 'relevant')", title_justify="left")
    for col in ("Maatregel", "Beoordelaar A", "Beoordelaar B", "Samen beoordeeld", "Kappa"):
        table.add_column(col)
    for r in rows:
        table.add_row(r.measure_id, r.reviewer_a, r.reviewer_b, str(r.n), "–" if r.kappa is None else f"{r.kappa:.2f}")
    out.print(table)
    out.print(f"Open conflicten: {len(open_conflicts)}.")


def is_loopback(address: str) -> bool:
    """127.0.0.0/8, ::1 and localhost: only this computer can reach the app."""
    import ipaddress

    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def url_host(address: str) -> str:
    """The host part of a URL for an address: IPv6 literals in brackets; 'all addresses' as this computer."""
    address = address.strip("[]")
    if address in ("0.0.0.0", ""):
        return "127.0.0.1"
    if address == "::":
        return "[::1]"
    return f"[{address}]" if ":" in address else address


LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]


def network_host_names(address: str, extra: list[str]) -> list[str]:
    """The Host names a server bound beyond loopback answers to (the Host check stays on: DNS rebinding):
    loopback, the bound address, this computer's names and addresses, and the names given."""
    import socket

    names = [*LOOPBACK_HOSTS, url_host(address)]
    hostname = socket.gethostname()
    names += [hostname, socket.getfqdn()]
    for name in {hostname, socket.getfqdn()}:
        try:
            names += [url_host(str(info[4][0])) for info in socket.getaddrinfo(name, None)]
        except OSError:
            pass
    try:  # the address of the default route; a UDP "connect" sends nothing, it only asks the routing table
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            names.append(probe.getsockname()[0])
    except OSError:
        pass
    names += [url_host(n.strip()) for n in extra if n.strip()]
    return sorted({n.lower() for n in names if n})


@app.command("review")
def review(
    werkruimte: WorkspaceOption = None,
    codeboek: CodebookOption = None,
    beoordelaar: Annotated[str | None, typer.Option("--beoordelaar", "-b",
                                                       help="Uw naam; anders vraagt de app erom (zonder accounts).")] = None,
    poort: Annotated[int, typer.Option("--poort", help="Poort van de webapp.")] = 8765,
    adres: Annotated[str, typer.Option("--adres", help="Adres om op te luisteren. Standaard alleen deze computer "
                                                      "(127.0.0.1; ook ::1 en localhost). 0.0.0.0 maakt de app "
                                                      "bereikbaar voor het netwerk en vraagt accounts "
                                                      "(weerbaar gebruiker toevoegen).")] = "127.0.0.1",
    hostnaam: Annotated[list[str] | None, typer.Option(
        "--hostnaam", help="Extra servernaam of adres waaronder collega's de app openen (bij --adres buiten deze "
                           "computer; herhaalbaar). De namen en adressen van deze computer gelden al.")] = None,
    geen_browser: Annotated[bool, typer.Option("--geen-browser", help="Open de browser niet automatisch.")] = False,
) -> None:
    """Start de beoordelingsapp in de browser: wachtrij per maatregel, bronpagina ernaast, sneltoetsen.

    Alleen op deze computer werkt de app zonder accounts. Op het netwerk (--adres 0.0.0.0) moet
    iedereen inloggen; maak de accounts eerst met 'weerbaar gebruiker toevoegen'."""
    import threading
    import webbrowser

    import uvicorn

    from weerbaar.codebook import load_codebook
    from weerbaar.web.app import create_app
    from weerbaar.workspace import resolve_workspace_path

    folder = resolve_workspace_path(werkruimte)
    public = not is_loopback(adres)
    hosts = network_host_names(adres, hostnaam or []) if public else sorted({*LOOPBACK_HOSTS, url_host(adres)})
    application = create_app(folder, load_codebook(codeboek), reviewer=beoordelaar, allowed_hosts=hosts, public=public)
    url = f"http://{url_host(adres)}:{poort}/"
    if public:
        err.print(f"[bold]Let op:[/] de app luistert op {adres} en is bereikbaar voor anderen in het netwerk; "
                  "iedereen moet inloggen. De verbinding is niet versleuteld (http): gebruik dit alleen op een "
                  "vertrouwd netwerk, of zet er een HTTPS-proxy voor.")
        err.print(f"Servernamen die de app accepteert: {', '.join(hosts)} (meer met --hostnaam).")
    err.print(f"Beoordelingsapp: {url}  (stoppen met Ctrl+C; elke beslissing is direct opgeslagen)")
    if not geen_browser:
        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    uvicorn.run(application, host=adres.strip("[]"), port=poort, log_level="warning")


gebruiker_app = typer.Typer(no_args_is_help=True, help="Accounts voor een gedeelde beoordelingsapp (op het netwerk): "
                                                        "toevoegen, tonen, wachtwoord, rol en verwijderen.")
app.add_typer(gebruiker_app, name="gebruiker")

RoleOption = Annotated[str, typer.Option("--rol", help="coordinator (beslecht conflicten, importeert en exporteert) "
                                                       "of beoordelaar.")]
StdinOption = Annotated[bool, typer.Option("--wachtwoord-stdin", help="Lees het wachtwoord van de eerste regel van de "
                                                                       "standaardinvoer (voor scripts).")]
NameArgument = Annotated[str, typer.Argument(help="De naam waaronder iemand inlogt en beslissingen opslaat.",
                                             show_default=False)]


def _password(from_stdin: bool) -> str:
    import sys

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Wachtwoord", hide_input=True, confirmation_prompt="Herhaal het wachtwoord",
                        err=True)


@gebruiker_app.command("toevoegen")
def gebruiker_toevoegen(naam: NameArgument, rol: RoleOption = "beoordelaar", wachtwoord_stdin: StdinOption = False,
                        werkruimte: WorkspaceOption = None) -> None:
    """Maak een account met een wachtwoord (gevraagd zonder het te tonen; alleen een Argon2-hash wordt bewaard)."""
    with open_project(werkruimte) as project:
        account = project.accounts.add(naam, _password(wachtwoord_stdin), rol)
    err.print(f"Account '{account.name}' gemaakt ({account.role}).")


@gebruiker_app.command("lijst")
def gebruiker_lijst(werkruimte: WorkspaceOption = None, json_out: JsonOption = False) -> None:
    """Toon de accounts en hun rol (nooit wachtwoorden)."""
    with open_project(werkruimte) as project:
        accounts = project.accounts.all()
    if json_out:
        print_json(accounts_json(accounts))
        return
    if not accounts:
        out.print("Nog geen accounts. Zonder accounts werkt de app alleen op deze computer.")
        return
    table = Table(title="Accounts", title_justify="left")
    for col in ("Naam", "Rol", "Gemaakt"):
        table.add_column(col)
    for a in accounts:
        table.add_row(a.name, a.role, a.created_at[:16].replace("T", " "))
    out.print(table)


@gebruiker_app.command("wachtwoord")
def gebruiker_wachtwoord(naam: NameArgument, wachtwoord_stdin: StdinOption = False,
                         werkruimte: WorkspaceOption = None) -> None:
    """Zet een nieuw wachtwoord; wie met dit account is ingelogd, moet opnieuw inloggen."""
    with open_project(werkruimte) as project:
        project.accounts.set_password(naam, _password(wachtwoord_stdin))
    err.print(f"Nieuw wachtwoord voor '{naam}' opgeslagen.")


@gebruiker_app.command("rol")
def gebruiker_rol(naam: NameArgument, rol: Annotated[str, typer.Argument(help="coordinator of beoordelaar.",
                                                                          show_default=False)],
                  werkruimte: WorkspaceOption = None) -> None:
    """Maak iemand coordinator of beoordelaar."""
    with open_project(werkruimte) as project:
        project.accounts.set_role(naam, rol)
    err.print(f"'{naam}' is nu {rol}.")


@gebruiker_app.command("verwijder")
def gebruiker_verwijder(naam: NameArgument, werkruimte: WorkspaceOption = None) -> None:
    """Verwijder een account; de beslissingen onder die naam blijven bewaard."""
    with open_project(werkruimte) as project:
        project.accounts.remove(naam)
    err.print(f"Account '{naam}' verwijderd; de beslissingen blijven bewaard.")
