"""Reading YAML that people write by hand, keeping the line of every value for error messages.

YAML aliases let a 1 KB file describe a structure of billions of values ("billion laughs"):
anchors that repeat anchors. The parser itself shares such nodes, but everything that walks the
data afterwards (validation, ``str()``) expands them. So we compose the node graph once, count
the values it expands to without expanding it, and refuse files beyond :data:`MAX_YAML_VALUES`
before any Python object is built.
"""

from __future__ import annotations

import yaml

from weerbaar.errors import WeerbaarError

#: Values (scalars, lists, mappings) a hand-written YAML file may expand to, aliases included.
#: The built-in codebook has about 3,000; a manifest of 10,000 documents about 100,000.
MAX_YAML_VALUES = 1_000_000


def expanded_size(root: yaml.Node | None, limit: int = MAX_YAML_VALUES) -> int:
    """How many nodes ``root`` stands for with every alias expanded, counting up to ``limit + 1``.

    Iterative, and memoised per node, so neither deep nesting nor nested aliases cost more than
    one visit of each distinct node. Raises ValueError for a structure that contains itself.
    """
    if root is None:
        return 0
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            total = 1 + sum(sizes[id(c)] for c in _children(node))
            sizes[key] = min(total, limit + 1)
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise ValueError("een alias verwijst naar zichzelf")
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise ValueError("een alias verwijst naar zichzelf")
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def load_with_nodes(text: str, name: str, error: type[WeerbaarError],
                    max_values: int = MAX_YAML_VALUES) -> tuple[yaml.Node | None, object]:
    """(node tree with line marks, plain data); a syntax error becomes ``error`` naming the line."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        try:
            size = expanded_size(root, max_values)
        except ValueError as exc:
            raise error(f"{name}: {exc}; dat kan weerbaar niet lezen.") from None
        if size > max_values:
            raise error(
                f"{name}: het bestand beschrijft meer dan {format(max_values, ',').replace(',', '.')} waarden "
                "(door herhaalde verwijzingen met & en *); dat is te groot om veilig te lezen.",
                hint="Schrijf de waarden uit in plaats van verwijzingen naar verwijzingen te gebruiken.",
            )
        return root, (loader.construct_document(root) if root is not None else None)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", regel {mark.line + 1}" if mark else ""
        raise error(f"{name}{where}: geen geldige YAML ({getattr(exc, 'problem', None) or exc}).") from None
    except RecursionError:
        raise error(f"{name}: de YAML is te diep genest om te lezen.") from None
    finally:
        loader.dispose()


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
