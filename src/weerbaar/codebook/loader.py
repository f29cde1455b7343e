"""Loading a codebook from YAML, with errors that name the line to fix."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from weerbaar.codebook.model import Codebook
from weerbaar.errors import CodebookError

BUILTIN_CODEBOOK = "vng-handreiking-2025.yaml"


def _node_at(root: yaml.Node | None, loc: tuple) -> yaml.Node | None:
    """The YAML node at a pydantic error location, or the deepest one that exists."""
    node = root
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                return node
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return node
    return node


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
    pillars = _node_at(root, ("pillars",))
    for pillar in getattr(pillars, "value", []) if isinstance(pillars, yaml.SequenceNode) else []:
        measures = _node_at(pillar, ("measures",))
        if not isinstance(measures, yaml.SequenceNode):
            continue
        for measure in measures.value:
            node = _node_at(measure, ("id",))
            if isinstance(node, yaml.ScalarNode) and node is not measure:
                line = node.start_mark.line + 1
                if node.value in seen:
                    errors.append(f"{name}, regel {line}: maatregel {node.value} komt al voor op regel {seen[node.value]}")
                seen.setdefault(node.value, line)
    return errors


def parse_codebook(text: str, name: str) -> Codebook:
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", regel {mark.line + 1}" if mark else ""
        raise CodebookError(f"{name}{where}: geen geldige YAML ({getattr(exc, 'problem', None) or exc}).") from None
    if not isinstance(data, dict):
        raise CodebookError(f"{name}: een codeboek begint met velden als 'name', 'version' en 'pillars'.")
    duplicates = _duplicate_ids(root, name)
    if duplicates:
        raise CodebookError("Het codeboek is niet geldig:\n" + "\n".join(duplicates))
    try:
        return Codebook.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            node = _node_at(root, loc)
            line = node.start_mark.line + 1 if node is not None else 1
            what = _describe(loc, data)
            message = _MESSAGES.get(err["type"], err["msg"].removeprefix("Value error, "))
            lines.append(f"{name}, regel {line}: {what + ': ' if what else ''}{message}")
        raise CodebookError(
            "Het codeboek is niet geldig:\n" + "\n".join(lines),
            hint="Zie docs/codeboek.md voor de velden van een codeboek.",
        ) from None


def load_codebook(path: str | Path | None = None) -> Codebook:
    """The codebook at ``path``, or the built-in VNG codebook."""
    if path is None:
        text = resources.files("weerbaar.codebook.data").joinpath(BUILTIN_CODEBOOK).read_text("utf-8")
        return parse_codebook(text, BUILTIN_CODEBOOK)
    path = Path(path)
    if not path.is_file():
        raise CodebookError(f"Codeboek '{path}' bestaat niet.")
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise CodebookError(f"{path.name}: het codeboek moet in UTF-8 zijn opgeslagen.") from None
    return parse_codebook(text, path.name)
