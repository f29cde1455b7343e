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
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def normalise_text(text: str) -> str:
    text = _PATTERN.sub(lambda m: _REPLACEMENTS[m.group()], text)
    text = _TRAILING_SPACE.sub("\n", text)
    return text.strip("\n ")
