"""Print the command reference (docs/cli.md) from the commands' own --help texts.

    .venv/bin/python docs/gen_cli_reference.py > docs/cli.md   (or: make docs)
"""

from __future__ import annotations

import os

os.environ.update({"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"})

import typer  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from weerbaar.cli.main import app  # noqa: E402


def commands(group, prefix: list[str]):
    for name in sorted(group.commands):
        cmd = group.commands[name]
        yield [*prefix, name], cmd
        if hasattr(cmd, "commands"):  # a group of subcommands
            yield from commands(cmd, [*prefix, name])


def main() -> None:
    runner = CliRunner()
    root = typer.main.get_command(app)
    print("# Opdrachten van weerbaar\n")
    print("Gegenereerd uit `--help` met `make docs`; niet met de hand bewerken.\n")
    print("```text\n" + runner.invoke(app, ["--help"]).stdout.rstrip() + "\n```\n")
    for path, _ in commands(root, []):
        print(f"## weerbaar {' '.join(path)}\n")
        print("```text\n" + runner.invoke(app, [*path, "--help"]).stdout.rstrip() + "\n```\n")


if __name__ == "__main__":
    main()
