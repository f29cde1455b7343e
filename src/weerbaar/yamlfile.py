"""Reading YAML that people write by hand, keeping the line of every value for error messages."""

from __future__ import annotations

import yaml

from weerbaar.errors import WeerbaarError


def load_with_nodes(text: str, name: str, error: type[WeerbaarError]) -> tuple[yaml.Node | None, object]:
    """(node tree with line marks, plain data); a syntax error becomes ``error`` naming the line."""
    try:
        return yaml.compose(text), yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", regel {mark.line + 1}" if mark else ""
        raise error(f"{name}{where}: geen geldige YAML ({getattr(exc, 'problem', None) or exc}).") from None


def node_at(root: yaml.Node | None, loc: tuple) -> yaml.Node | None:
    """The node at a path of keys and indexes, or the deepest one on that path that exists."""
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


def line_of(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1
