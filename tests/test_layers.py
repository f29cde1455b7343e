"""The import rules of pyproject.toml ([tool.importlinter]) hold, and a wrong-way import breaks them."""

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

# import-linter's command, installed with the dev extras beside this Python (or on PATH).
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")


def _lint(root: Path, config: Path) -> subprocess.CompletedProcess:
    assert LINT_IMPORTS, "lint-imports is missing: pip install -e '.[dev]'"
    return subprocess.run([LINT_IMPORTS, str(config), "--no-cache"], cwd=root,
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"})


def test_the_package_keeps_its_layers():
    result = _lint(REPO, REPO / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _copy_with(tmp_path: Path, module: str, line: str) -> subprocess.CompletedProcess:
    """The check on a copy of the package in which ``module`` (a path under src/weerbaar) has one more import."""
    def only_python(folder, names):
        return [n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir() or n == "__pycache__"]

    shutil.copytree(REPO / "src" / "weerbaar", tmp_path / "src" / "weerbaar", ignore=only_python)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    source = tmp_path / "src" / "weerbaar" / module
    source.write_text(source.read_text("utf-8") + f"\n{line}  # noqa: E402,F401\n", encoding="utf-8")
    return _lint(tmp_path, tmp_path / "pyproject.toml")


def test_a_wrong_way_import_breaks_the_contract(tmp_path):
    """The store importing the review layer."""
    result = _copy_with(tmp_path, "workspace/settings.py", "from weerbaar.review import queue")
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "weerbaar.workspace.settings -> weerbaar.review.queue" in result.stdout


def test_the_interfaces_reach_the_core_only_through_the_api(tmp_path):
    """A route that imports the search function itself, instead of asking the project, breaks the
    interfaces' contract (and only that one: the layers allow it, the web app sits above the core)."""
    result = _copy_with(tmp_path, "web/routes_browse.py", "from weerbaar.index.search import search")
    assert result.returncode != 0
    assert "Contracts: 4 kept, 1 broken." in result.stdout
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert "The command line and the web app reach the pipeline only through the API" in broken
    assert "weerbaar.web is not allowed to import weerbaar.index" in broken
    assert "weerbaar.web.routes_browse -> weerbaar.index.search" in broken
