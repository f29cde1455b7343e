"""Project habits a user or packager relies on: one version everywhere, a changelog entry for it."""

from importlib.metadata import version

from typer.testing import CliRunner

from tests.conftest import REPO
from weerbaar import __version__
from weerbaar.cli.main import app


def test_one_version_everywhere():
    """The installed package's metadata, `weerbaar --versie`, publiccode.yml and the changelog agree."""
    installed = version("weerbaar")
    assert installed == __version__
    result = CliRunner().invoke(app, ["--versie"])
    assert result.exit_code == 0 and result.stdout.strip() == f"weerbaar {installed}"
    publiccode = (REPO / "publiccode.yml").read_text("utf-8")
    assert f'softwareVersion: "{installed}"' in publiccode
    changelog = (REPO / "CHANGELOG.md").read_text("utf-8")
    assert "## [Unreleased]" in changelog and f"## [{installed}] - " in changelog
