"""Normalising extracted text, the same way for every format.

Everything downstream (offsets, quotes, search) refers to the normalised page text, which is
stored; so these rules only remove what is not text, and never reorder it.
"""

from __future__ import annotations

import re

_REPLACEMENTS = {
    "\r\n": "\n",
    "\r": "\n",
    "\ufffe\n": "",  # PDFium marks a word hyphenated at a line end with U+FFFE: rejoin it
    "\ufffe": "",
    "\u00ad": "",  # soft hyphen
    "\ufeff": "",
    "\x00": "",
    "\uf0b7": "•",  # Symbol-font bullet in the private use area
    "\uf0a7": "▪",
    "\u00a0": " ",
}
_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(_REPLACEMENTS, key=len, reverse=True)))


def normalise_text(text: str) -> str:
    text = _PATTERN.sub(lambda m: _REPLACEMENTS[m.group()], text)
    # Spaces and tabs before a line break go. Line by line, not with r"[ \t]+\n": that expression
    # tries a match at every space of the page, and took half of this function's time.
    lines = text.split("\n")
    last = lines.pop()
    lines = [line.rstrip(" \t") for line in lines]
    lines.append(last)
    return "\n".join(lines).strip("\n ")


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """:func:`normalise_text` that also says, for every output character, where it came from in
    ``text``; so a passage's offsets in the stored page text lead back to PDFium's characters
    (and their boxes on the page). Slower than :func:`normalise_text`; used per page on demand."""
    chars: list[str] = []
    origin: list[int] = []
    pos = 0
    for m in _PATTERN.finditer(text):
        chars.extend(text[pos:m.start()])
        origin.extend(range(pos, m.start()))
        replacement = _REPLACEMENTS[m.group()]
        chars.extend(replacement)
        origin.extend([m.start()] * len(replacement))
        pos = m.end()
    chars.extend(text[pos:])
    origin.extend(range(pos, len(text)))
    # Trailing spaces and tabs before a newline go, as in normalise_text.
    keep = [True] * len(chars)
    i = 0
    while i < len(chars):
        if chars[i] == "\n":
            j = i - 1
            while j >= 0 and chars[j] in " \t" and keep[j]:
                keep[j] = False
                j -= 1
        i += 1
    chars = [c for c, k in zip(chars, keep) if k]
    origin = [o for o, k in zip(origin, keep) if k]
    start, end = 0, len(chars)
    while start < end and chars[start] in "\n ":
        start += 1
    while end > start and chars[end - 1] in "\n ":
        end -= 1
    return "".join(chars[start:end]), origin[start:end]
