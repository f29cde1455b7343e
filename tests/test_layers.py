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


def test_a_wrong_way_import_breaks_the_contract(tmp_path):
    """The same check on a copy of the package in which the store imports the review layer."""
    def only_python(folder, names):
        return [n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir() or n == "__pycache__"]

    shutil.copytree(REPO / "src" / "weerbaar", tmp_path / "src" / "weerbaar", ignore=only_python)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    store = tmp_path / "src" / "weerbaar" / "workspace" / "settings.py"
    store.write_text(store.read_text("utf-8") + "\nfrom weerbaar.review import queue  # noqa: E402,F401\n",
                     encoding="utf-8")
    result = _lint(tmp_path, tmp_path / "pyproject.toml")
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "weerbaar.workspace.settings -> weerbaar.review.queue" in result.stdout
