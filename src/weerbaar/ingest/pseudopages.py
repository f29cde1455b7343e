"""Pseudo-pages: unpaginated text (TXT, HTML, a DOCX without page breaks) cut into bounded parts.

A text without pages used to be stored as one "page": a 1 MB council bundle became one page
that every screen showing a source page loaded whole. We cut such text into parts of at most
:data:`DEFAULT_MAX_PAGE_CHARS` characters. The cuts fall *between* passages (the passages of the
whole text, as before), so the passages are exactly those of the whole text, and a passage known
by its offsets in the whole text is found again at (part, offset − part offset).

The document stays ``paginated = 0``, so a citation says "tekstdeel 3" rather than "p. 3" (see
:func:`page_label`), and every part keeps its character offset in the whole text
(``pages.text_offset``). ``page_text[start:end] == passage`` holds as for real pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from weerbaar.ingest.passages import MAX_CHARS, Span, split_passages

#: Default size of a pseudo-page, in characters (about three printed pages).
DEFAULT_MAX_PAGE_CHARS = 10_000
#: The smallest allowed: a part must hold the longest passage.
MIN_PAGE_CHARS = 2 * MAX_CHARS


@dataclass
class PseudoPage:
    offset: int  # where this part starts in the whole text
    text: str
    passages: list[Span] = field(default_factory=list)  # offsets within ``text``


def _gap_cut(text: str, lo: int, hi: int) -> int:
    """A cut in ``text[lo:hi]``, a stretch without passages: at a line break or space if any."""
    for sep in ("\n\n", "\n", " "):
        cut = text.rfind(sep, lo, hi)
        if cut > lo:
            return cut
    return hi


def cut_points(text: str, spans: Sequence[Span], max_chars: int) -> list[int]:
    """Where parts begin: 0, then positions never inside a passage, each part ≤ ``max_chars``."""
    cuts = [0]
    a, j = 0, 0
    while len(text) - a > max_chars:
        limit = a + max_chars
        while j < len(spans) and spans[j].end <= limit:
            j += 1
        if j < len(spans) and spans[j].start <= limit:
            b = spans[j].start  # the passage that crosses the limit opens the next part
            if b <= a:  # cannot happen while max_chars ≥ MIN_PAGE_CHARS; never loop for ever
                b = spans[j].end
        else:  # the limit falls between passages: cut anywhere in that stretch
            lo = max(a, spans[j - 1].end if j > 0 else a)
            b = _gap_cut(text, lo, limit)
        cuts.append(b)
        a = b
    return cuts


def split_pseudo_pages(text: str, max_chars: int = DEFAULT_MAX_PAGE_CHARS,
                       spans: Sequence[Span] | None = None) -> list[PseudoPage]:
    """Parts of ``text`` of at most ``max_chars`` characters, trimmed, with their offsets and passages."""
    if max_chars < MIN_PAGE_CHARS:
        raise ValueError(f"max_chars must be at least {MIN_PAGE_CHARS}")
    spans = split_passages(text) if spans is None else spans
    cuts = cut_points(text, spans, max_chars) + [len(text)]
    pages: list[PseudoPage] = []
    j = 0
    for a, b in zip(cuts, cuts[1:]):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        page = PseudoPage(a, text[a:b])
        while j < len(spans) and spans[j].end <= b:
            page.passages.append(Span(spans[j].start - a, spans[j].end - a))
            j += 1
        if page.text:
            pages.append(page)
    return pages or [PseudoPage(0, "")]


def page_label(page_no: int, paginated: bool, page_count: int | None = None) -> str:
    """How a citation names a page: "p. 3", "tekstdeel 3", or "" for a one-part unpaginated text."""
    if paginated:
        return f"p. {page_no}"
    if page_count == 1:
        return ""
    return f"tekstdeel {page_no}"
