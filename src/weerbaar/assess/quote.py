"""Quotes centred on the evidence: the sentence with the cue or element that decided, never the
passage's opening by accident.

The quoted span always starts and ends on sentence bounds inside the passage (so it is verbatim),
holds the deciding sentence, and grows with neighbouring sentences while it stays within
:data:`QUOTE_CHARS`. A single sentence longer than that is cut at words around the deciding words.
"""

from __future__ import annotations

import re

from weerbaar.ingest.passages import sentence_spans

QUOTE_CHARS = 600


def focus(text: str, cue: str | None = None, terms: list[str] | tuple = ()) -> tuple[int, int]:
    """(start, end) of the quote within ``text``: around ``cue`` (the stage cue as matched), else
    the sentence with the most ``terms`` (evidence elements and vocabulary), else the opening."""
    if len(text) <= QUOTE_CHARS:
        return 0, len(text)
    spans = [(s.start, s.end) for s in sentence_spans(text)] or [(0, len(text))]
    anchor = _anchor(text, cue, terms)
    best = next((i for i, (a, b) in enumerate(spans) if a <= anchor < b), None)
    if best is None:
        best = min(range(len(spans)), key=lambda i: abs(spans[i][0] - anchor))
    a, b = spans[best]
    if b - a > QUOTE_CHARS:
        return _words_around(text, a, b, anchor)
    lo = hi = best
    while True:  # grow towards the side that keeps the deciding sentence nearest the middle
        grew = False
        for side in ((-1, 1) if (anchor - spans[lo][0]) < (spans[hi][1] - anchor) else (1, -1)):
            if side < 0 and lo > 0 and spans[hi][1] - spans[lo - 1][0] <= QUOTE_CHARS:
                lo -= 1
                grew = True
            elif side > 0 and hi + 1 < len(spans) and spans[hi + 1][1] - spans[lo][0] <= QUOTE_CHARS:
                hi += 1
                grew = True
        if not grew:
            return spans[lo][0], spans[hi][1]


def _anchor(text: str, cue: str | None, terms) -> int:
    """Where the deciding words are: the sentence with the stage cue (so the quote always shows the
    words the stage is explained by), else the sentence with the most terms; the cue's own position
    inside it, if it is there."""
    lowered = text.lower()
    cue_at = lowered.find(cue.lower()) if cue else -1
    terms = [t for t in terms if t.strip()]
    pattern = re.compile("|".join(r"\b" + re.escape(t.lower()[: max(4, len(t) - 2)]) for t in terms)) if terms else None
    best, best_score = (cue_at if cue_at >= 0 else 0), 0.0
    for s in sentence_spans(text):
        hits = [m.start() for m in pattern.finditer(lowered, s.start, s.end)] if pattern else []
        has_cue = s.start <= cue_at < s.end
        score = (1000.0 if has_cue else 0.0) + len(hits)
        if score > best_score:
            best = cue_at if has_cue else hits[0]
            best_score = score
    return best


def _words_around(text: str, a: int, b: int, anchor: int) -> tuple[int, int]:
    start = max(a, min(anchor - QUOTE_CHARS // 3, b - QUOTE_CHARS))
    end = min(b, start + QUOTE_CHARS)
    if start > a:
        space = text.find(" ", start, start + 40)
        start = space + 1 if space >= 0 else start
    if end < b:
        space = text.rfind(" ", end - 40, end)
        end = space if space > start else end
    return start, end
