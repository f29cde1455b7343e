"""Loading a codebook from YAML, with errors that name the line to fix."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from weerbaar.codebook.model import Codebook
from weerbaar.codebook.patterns import check_cue
from weerbaar.errors import CodebookError
from weerbaar.yamlfile import line_of, load_with_nodes, node_at

BUILTIN_CODEBOOK = "vng-handreiking-2025.yaml"


def _describe(loc: tuple, data) -> str:
    """'maatregel 2.2, veld 'terms'' for a location such as ('pillars', 1, 'measures', 1, 'terms')."""
    parts = []
    if len(loc) >= 4 and loc[0] == "pillars" and loc[2] == "measures":
        try:
            parts.append(f"maatregel {data['pillars'][loc[1]]['measures'][loc[3]].get('id', loc[3] + 1)}")
        except (KeyError, IndexError, TypeError, AttributeError):
            parts.append(f"maatregel nr. {loc[3] + 1}")
        rest = loc[4:]
    elif len(loc) >= 2 and loc[0] == "pillars":
        try:
            parts.append(f"pijler {data['pillars'][loc[1]].get('id', loc[1] + 1)}")
        except (KeyError, IndexError, TypeError, AttributeError):
            parts.append(f"pijler nr. {loc[1] + 1}")
        rest = loc[2:]
    else:
        rest = loc
    fields = [str(k) for k in rest if isinstance(k, str)]
    if fields:
        parts.append(f"veld '{'.'.join(fields)}'")
    return ", ".join(parts)


_MESSAGES = {
    "missing": "ontbreekt",
    "extra_forbidden": "is geen bekend veld",
    "string_type": "moet tekst zijn",
    "list_type": "moet een lijst zijn",
    "bool_parsing": "moet true of false zijn",
    "int_parsing": "moet een geheel getal zijn",
    "dict_type": "moet een groep velden zijn",
}


def _duplicate_ids(root: yaml.Node | None, name: str) -> list[str]:
    """Errors for measure ids used twice, each at the line of the repeat."""
    seen: dict[str, int] = {}
    errors = []
    pillars = node_at(root, ("pillars",))
    for pillar in getattr(pillars, "value", []) if isinstance(pillars, yaml.SequenceNode) else []:
        measures = node_at(pillar, ("measures",))
        if not isinstance(measures, yaml.SequenceNode):
            continue
        for measure in measures.value:
            node = node_at(measure, ("id",))
            if isinstance(node, yaml.ScalarNode) and node is not measure:
                line = node.start_mark.line + 1
                if node.value in seen:
                    errors.append(f"{name}, regel {line}: maatregel {node.value} komt al voor op regel "
                                  f"{seen[node.value]}")
                seen.setdefault(node.value, line)
    return errors


def parse_codebook(text: str, name: str) -> Codebook:
    root, data = load_with_nodes(text, name, CodebookError)
    if not isinstance(data, dict):
        raise CodebookError(f"{name}: een codeboek begint met velden als 'name', 'version' en 'pillars'.")
    duplicates = _duplicate_ids(root, name)
    if duplicates:
        raise CodebookError("Het codeboek is niet geldig:\n" + "\n".join(duplicates))
    try:
        codebook = Codebook.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = line_of(node_at(root, loc))
            what = _describe(loc, data)
            message = _MESSAGES.get(err["type"], err["msg"].removeprefix("Value error, "))
            lines.append(f"{name}, regel {line}: {what + ': ' if what else ''}{message}")
        raise CodebookError(
            "Het codeboek is niet geldig:\n" + "\n".join(lines),
            hint="Zie docs/codeboek.md voor de velden van een codeboek.",
        ) from None
    _check_cues(codebook, root, name)
    return codebook


def _check_cues(codebook: Codebook, root: yaml.Node | None, name: str) -> None:
    """Refuse a stage cue that does not compile or would hang an analysis, naming its line."""
    stages = node_at(root, ("stages",))
    for i, stage in enumerate(codebook.stages):
        for j, cue in enumerate(stage.cues):
            try:
                check_cue(cue)
            except CodebookError as exc:
                line = line_of(node_at(stages, (i, "cues", j)) if stages is not None else None)
                raise CodebookError(f"{name}, regel {line}: {exc.message}", hint=exc.hint) from None


def load_codebook(path: str | Path | None = None) -> Codebook:
    """The codebook at ``path``, or the built-in VNG codebook."""
    if path is None:
        return _builtin()
    path = Path(path)
    if not path.is_file():
        raise CodebookError(f"Codeboek '{path}' bestaat niet.")
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise CodebookError(f"{path.name}: het codeboek moet in UTF-8 zijn opgeslagen.") from None
    return parse_codebook(text, path.name)


@lru_cache(maxsize=1)
def _builtin() -> Codebook:
    """The built-in codebook, parsed once per process (about half a second of pure-Python YAML
    with line marks) and shared: a codebook is frozen."""
    text = resources.files("weerbaar.codebook.data").joinpath(BUILTIN_CODEBOOK).read_text("utf-8")
    return parse_codebook(text, BUILTIN_CODEBOOK)
