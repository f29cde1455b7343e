"""HTML: the main text only, without navigation, scripts, headers or footers (selectolax).

We prefer ``<main>``/``<article>``/``role=main`` when a page has one. Block elements become
paragraphs separated by a blank line, so passages follow the page's own structure.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from weerbaar.ingest.quality import screen_pages
from weerbaar.ingest.readers import ExtractedDocument, Source, content_of, register
from weerbaar.normalise import normalise_text
from weerbaar.textfile import decode_bytes

_DROP = (
    "script, style, noscript, template, iframe, svg, canvas, nav, header, footer, aside, form, "
    "button, [role=navigation], [role=banner], [role=contentinfo], [aria-hidden=true], [hidden]"
)
_BLOCKS = frozenset(
    "p div section article main h1 h2 h3 h4 h5 h6 li ul ol dl dt dd table tr blockquote pre "
    "figcaption caption address hr".split()
)
_CELLS = frozenset({"td", "th"})
_BLANK_LINES = re.compile(r"\n{3,}")


def _text_of(node) -> str:
    """The text of ``node`` with blocks as paragraphs; iterative, so any nesting depth works."""
    parts: list[str] = []
    # Work items: a node to visit, or a string to emit once a node's children are done.
    stack: list = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, str):
            parts.append(n)
            continue
        tag = n.tag
        if tag == "-text":
            parts.append(" ".join(n.text_content.split()) if n.text_content.strip() else " ")
            continue
        if tag == "br":
            parts.append("\n")
            continue
        block = tag in _BLOCKS
        if block:
            parts.append("\n\n")
        closing = ("\n\n" if block else "")
        if tag in _CELLS:
            closing = " | " + closing
        if closing:
            stack.append(closing)
        children = []
        child = n.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend(reversed(children))
    lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
    text = "\n".join(lines)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.replace(" | \n", "\n")


def html_to_text(markup: str) -> tuple[str, str | None]:
    tree = LexborHTMLParser(markup)
    title_node = tree.css_first("title") or tree.css_first("h1")
    title = " ".join(title_node.text().split()) if title_node else None
    for node in tree.css(_DROP):
        node.decompose()
    root = tree.css_first("main, article, [role=main]") or tree.body or tree.root
    return (_text_of(root) if root is not None else ""), title or None


@register("html", (".html", ".htm", ".xhtml"))
def read_html(source: Source) -> ExtractedDocument:
    text, title = html_to_text(decode_bytes(content_of(source)))
    pages, notes = screen_pages([normalise_text(text)])
    return ExtractedDocument("html", pages, paginated=False, title=title, notes=notes)
