"""Cutting a page's text into passages: paragraph-sized, sentence-aligned, with exact offsets.

A passage never crosses a page, so its page number is exact, and ``page_text[start:end]``
is always the passage text (the provenance rule every later stage relies on).

Sentence boundaries are found with rules for Dutch policy prose (abbreviations such as
``o.a.``, ``m.b.t.``, ``art.``; bullet lists; text extracted from PDF with a line break per
line). Sentences are then grouped into chunks of roughly one paragraph, preferring to cut
where the text has a paragraph break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

TARGET_CHARS = 700  # a chunk is closed at the first sentence end past this length
MIN_CHARS = 200  # shorter pieces (headings, a lone line) are merged with what follows
MAX_CHARS = 1500  # no chunk is longer; a longer "sentence" (a table row dump) is cut at spaces

ABBREVIATIONS = frozenset(
    """
    a.d aanv afd alg art bijv bijl blz ca cf d.d d.m.v d.w.z dhr dr drs e.a e.d e.e.a e.v etc evt
    excl fa fig fte gem i.c i.h.a i.o i.p.v i.s.m i.v.m ing incl ir jl jo jr m.b.t m.i.v m.u.v mevr
    mln mld mr mw n.a.v n.v.t nl nr nrs o.a o.b.v o.g.v o.i.d p.p par pct plm prof red resp sr st
    t.a.v t.b.v t.g.v t.l.v t.o.v t.w v.a vgl vs vz zgn zg
    """.split()
)

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# A sentence may end at . ! ? (plus closing quotes/brackets) followed by white space; group 1 is
# the next character after it. A match starts only where a run of such marks starts, and takes
# the run whole: a page of 20,000 full stops without a space (a garbled text layer, dot leaders)
# took 9 s when every position of the run was tried again, and grew with its square.
_SENTENCE_END = re.compile(r"[.!?…](?<![.!?…]{2})[.!?…]*+[\"'”’)\]]*+(?=\s+(\S)?)")
_BULLET_START = re.compile(r"\n[ \t]*(?=[•●▪◦■□►\-–−*]\s|\d{1,2}[.)]\s|[a-z][.)]\s)")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


# No abbreviation is longer than this (without its final dot): a full stop after a longer word
# ends a sentence without a look at the list. Most full stops are such.
_LONGEST_ABBREVIATION = max(map(len, ABBREVIATIONS))


def _is_abbreviation(text: str, dot_pos: int) -> bool:
    """Whether the full stop at ``dot_pos`` closes an abbreviation or an initial."""
    longer = _LONGEST_ABBREVIATION + 1
    if dot_pos >= longer and text[dot_pos - longer : dot_pos].isalnum():  # a plain word longer than any
        return False
    match = _WORD_BEFORE.search(text, max(0, dot_pos - 12), dot_pos)
    if not match:
        return False
    word = match.group(1).lower().strip(".")
    if not word:
        return False
    if word in ABBREVIATIONS:
        return True
    # Initials (J. de Vries) and single letters in enumerations (a. b.)
    return len(word) == 1 and word.isalpha()


def _may_begin_sentence(ch: str) -> bool:
    """Whether a sentence may begin with ``ch`` (the first character after the white space)."""
    return ch.isupper() or ch.isdigit() or ch in "\"'“‘(•●▪-–−*"


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans within ``text[start:end]``, trimmed of surrounding white space."""
    return [Span(a, b) for a, b in _sentences(text, start, len(text) if end is None else end)]


# Spans inside the splitter are plain (start, end) tuples: a passage page has some twenty
# sentences and as many trims, and a tuple costs a fraction of a dataclass instance.
def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    cuts = {start, end}
    # The expression's look behind must not see the part of a run of marks before ``start``.
    source, base = (text[start:end], start) if start and text[start - 1] in ".!?…" else (text, 0)
    for m in _SENTENCE_END.finditer(source, start - base, end - base):
        dot, after = m.start() + base, m.end() + base
        if after - dot == 1 and text[dot] == "." and _is_abbreviation(text, dot):
            continue
        ch = m.group(1)  # None when only white space follows up to ``end``: a cut there trims away
        if ch is None or _may_begin_sentence(ch):
            cuts.add(after)
    for m in _BULLET_START.finditer(text, start, end):
        cuts.add(m.start())
    ordered = sorted(cuts)
    spans = []
    for a, b in zip(ordered, ordered[1:]):
        span = _trim(text, a, b)
        if span:
            spans.append(span)
    return spans


def _trim(text: str, a: int, b: int) -> tuple[int, int] | None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if b > a else None


def _split_long(text: str, a: int, end: int) -> list[tuple[int, int]]:
    """Cut an over-long span at white space into pieces of at most MAX_CHARS."""
    pieces = []
    while end - a > MAX_CHARS:
        cut = text.rfind(" ", a + MIN_CHARS, a + MAX_CHARS)
        if cut == -1:
            cut = a + MAX_CHARS
        piece = _trim(text, a, cut)
        if piece:
            pieces.append(piece)
        a = cut
    last = _trim(text, a, end)
    if last:
        pieces.append(last)
    return pieces


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, a = [], 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        span = _trim(text, a, m.start())
        if span:
            spans.append(span)
        a = m.end()
    span = _trim(text, a, len(text))
    if span:
        spans.append(span)
    return spans


def split_passages(text: str) -> list[Span]:
    """Passage spans of one page's text, in order, non-overlapping."""
    chunks: list[tuple[int, int]] = []
    first = last = -1  # the chunk being built, text[first:last]; none while first < 0
    for p_start, p_end in _paragraph_spans(text):
        for s_start, s_end in _sentences(text, p_start, p_end):
            pieces = [(s_start, s_end)] if s_end - s_start <= MAX_CHARS else _split_long(text, s_start, s_end)
            for a, b in pieces:
                if first >= 0 and b - first > MAX_CHARS:
                    chunks.append((first, last))
                    first = -1
                if first < 0:
                    first = a
                last = b
                if last - first >= TARGET_CHARS:
                    chunks.append((first, last))
                    first = -1
        if first >= 0 and last - first >= MIN_CHARS:
            chunks.append((first, last))
            first = -1
    if first >= 0:
        # A short tail: join it to the previous chunk when that stays within bounds.
        if chunks and last - chunks[-1][0] <= MAX_CHARS:
            chunks[-1] = (chunks[-1][0], last)
        else:
            chunks.append((first, last))
    return [Span(a, b) for a, b in chunks if _has_words(text[a:b])]


_WORDLIKE = re.compile(r"[^\W\d_]{2,}")


def _has_words(passage: str) -> bool:
    """Drop pieces with no real words (page numbers, dot leaders, lone figures)."""
    return next(islice(_WORDLIKE.finditer(passage), 2, None), None) is not None  # a third word
