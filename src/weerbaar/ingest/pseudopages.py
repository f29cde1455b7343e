"""Pseudo-pages: unpaginated text (TXT, HTML, a DOCX without page breaks) cut into bounded parts.

A text without pages used to be stored as one "page": a 1 MB council bundle became one page
that every screen showing a source page loaded whole. We cut such text into parts of at most
:data:`DEFAULT_MAX_PAGE_CHARS` characters, preferring a paragraph break, then a line break, a
sentence end, a space. The document stays ``paginated = 0``, so a citation says "tekstdeel 3"
rather than "p. 3" (see :func:`page_label`), and every part keeps its character offset in the
whole text (``pages.text_offset``). Passages are cut per part as per page, so
``page_text[start:end] == passage`` holds as it does for real pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Default size of a pseudo-page, in characters (about three printed pages).
DEFAULT_MAX_PAGE_CHARS = 10_000
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s")


@dataclass(frozen=True)
class PseudoPage:
    offset: int  # where this part starts in the whole text
    text: str


def _cut_point(text: str, start: int, limit: int) -> int:
    """The best place to end a part that starts at ``start`` and may run to ``start + limit``."""
    end = start + limit
    if end >= len(text):
        return len(text)
    floor = start + limit // 2  # never make a part shorter than half the limit
    for sep in ("\n\n", "\n"):
        cut = text.rfind(sep, floor, end)
        if cut != -1:
            return cut + len(sep)
    last = None
    for m in _SENTENCE_END.finditer(text, floor, end):
        last = m.end()
    if last is not None:
        return last
    cut = text.rfind(" ", floor, end)
    return cut + 1 if cut != -1 else end


def split_pseudo_pages(text: str, max_chars: int = DEFAULT_MAX_PAGE_CHARS) -> list[PseudoPage]:
    """Parts of ``text`` of at most ``max_chars`` characters, trimmed, with their offsets."""
    if max_chars < 100:
        raise ValueError("max_chars must be at least 100")
    parts: list[PseudoPage] = []
    pos = 0
    while pos < len(text):
        cut = _cut_point(text, pos, max_chars)
        a, b = pos, cut
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            parts.append(PseudoPage(a, text[a:b]))
        pos = cut
    return parts or [PseudoPage(0, "")]


def page_label(page_no: int, paginated: bool, page_count: int | None = None) -> str:
    """How a citation names a page: "p. 3", "tekstdeel 3", or "" for a one-part unpaginated text."""
    if paginated:
        return f"p. {page_no}"
    if page_count == 1:
        return ""
    return f"tekstdeel {page_no}"
