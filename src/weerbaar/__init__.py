"""weerbaar: evidence of local resilience policy, from the organisations' own documents.

The Python API is :func:`weerbaar.open` (a :class:`weerbaar.Project`); see docs/python-api.md.
It is loaded on first use, so that ``import weerbaar`` (and the command line) stay fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

#: The one place the version is written: pyproject.toml reads it (dynamic version), the installed
#: package's metadata carries it, ``weerbaar --versie`` and the HTTP User-Agent show it.
__version__ = "0.1.0"
__all__ = ["Project", "__version__", "demo_documents", "open"]

if TYPE_CHECKING:
    from weerbaar.api import Project, demo_documents, open  # noqa: A004


def __getattr__(name: str) -> Any:
    # import_module, not an import statement: the API sits near the top of the layers
    # (pyproject.toml, [tool.importlinter]) while every layer may read __version__ from here.
    if name in ("Project", "demo_documents", "open"):
        return getattr(import_module("weerbaar.api"), name)
    raise AttributeError(f"module 'weerbaar' has no attribute {name!r}")
