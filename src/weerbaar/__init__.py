"""weerbaar: evidence of local resilience policy, from the organisations' own documents."""

#: The one place the version is written: pyproject.toml reads it (dynamic version), the installed
#: package's metadata carries it, ``weerbaar --versie`` and the HTTP User-Agent show it.
__version__ = "0.1.0"
