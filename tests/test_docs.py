"""Docs that cannot drift: every command and option is in docs/cli.md, README commands exist."""

import re

import typer

from tests.conftest import REPO
from weerbaar.cli.main import app


def all_commands(group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if hasattr(cmd, "commands"):
            yield from all_commands(cmd, (*prefix, name))


def test_every_command_and_option_is_in_the_cli_reference():
    reference = (REPO / "docs" / "cli.md").read_text("utf-8")
    for path, cmd in all_commands(typer.main.get_command(app)):
        assert f"## weerbaar {' '.join(path)}" in reference, f"run 'make docs': {' '.join(path)} is missing"
        for param in cmd.params:
            for opt in param.opts:
                if opt.startswith("--"):
                    assert opt in reference, f"run 'make docs': {opt} of {' '.join(path)} is missing"


def test_commands_named_in_the_readme_exist():
    readme = (REPO / "README.md").read_text("utf-8")
    names = set(typer.main.get_command(app).commands)
    code = "\n".join(re.findall(r"```bash\n(.*?)```", readme, flags=re.S))
    used = set(re.findall(r"(?:^|/)weerbaar ([a-z]+)", code, flags=re.M))
    assert used and used <= names, used - names


def test_every_setting_has_help_text():
    for path, cmd in all_commands(typer.main.get_command(app)):
        for param in cmd.params:
            if param.param_type_name == "option" and param.name not in ("help",):
                assert getattr(param, "help", None), f"{' '.join(path)} {param.opts} has no help text"
