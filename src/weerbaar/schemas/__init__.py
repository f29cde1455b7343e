"""JSON Schemas (draft 2020-12) of every ``--json`` output, shipped with the package.

One file per output, named as in docs/json.md; ``citation.json`` is the shared form of a quote
that the others refer to. Validate with any JSON Schema library, for instance::

    import json, jsonschema, referencing
    from weerbaar import schemas
    registry = referencing.Registry().with_resources(
        (s["$id"], referencing.Resource.from_contents(s)) for s in map(schemas.load, schemas.NAMES))
    jsonschema.Draft202012Validator(schemas.load("search"), registry=registry).validate(output)
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

NAMES = ("citation", "ingest", "documents", "skipped-files", "search", "passages", "analysis", "classification",
         "measures", "verdicts", "changes", "fetch", "agreement", "accounts", "evaluation")


def load(name: str) -> dict[str, Any]:
    """The schema ``name`` (one of :data:`NAMES`) as a dict."""
    if name not in NAMES:
        raise KeyError(f"no schema '{name}'; available: {', '.join(NAMES)}")
    return json.loads(resources.files(__name__).joinpath(f"{name}.json").read_text("utf-8"))
