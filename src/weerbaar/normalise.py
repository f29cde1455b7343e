"""Normalising extracted text, the same way for every format.

Everything downstream (offsets, quotes, search) refers to the normalised page text, which is
stored; so these rules only remove what is not text or put back what the extractor took out (a
hyphen that is written at a line end), and never reorder it.
"""

from __future__ import annotations

import re
import unicodedata

_REPLACEMENTS = {
    "\r\n": "\n",
    "\r": "\n",
    "\u00ad": "",  # soft hyphen
    "\ufeff": "",
    "\x00": "",
    "\uf0b7": "•",  # Symbol-font bullet in the private use area
    "\uf0a7": "▪",
    "\u00a0": " ",
}
# PDFium writes U+FFFE for a hyphen at the end of a line, and drops the line break after it.
_LINE_END_HYPHEN = "\ufffe"
_PATTERN = re.compile("|".join(re.escape(k) for k in sorted([*_REPLACEMENTS, _LINE_END_HYPHEN + "\n", _LINE_END_HYPHEN],
                                                             key=len, reverse=True)))
# Vowels that Dutch spelling keeps apart with a hyphen in a compound (klinkerbotsing: zee-egel,
# auto-ongeluk, ski-instructeur, mini-ijsje, radio-uitzending), because together they would
# read as one sound.
_VOWEL_CLASHES = frozenset("aa ae ai au ee ei eu ie ii oe oi oo ou ui uu".split())
_CONJUNCTION = re.compile(r"(?:en|of|tot|noch)\s")
# Prefixes that Dutch always joins with a hyphen (niet-openbaar, non-actief), as a whole word before it.
_HYPHEN_PREFIX = re.compile(r"(?<![^\W\d_])(?:[Nn]iet|[Nn]on)\Z")


def _line_end_hyphen(text: str, start: int, end: int) -> str:
    """What a hyphen at a line end (``text[start:end]``, U+FFFE and maybe a line break) stands for.

    Dutch breaks a word at a line end with a hyphen that is not part of it (gemeenschap-|pelijke,
    risico-|beheersing): the parts are joined. But a hyphen that is written in the word stays,
    or the quote would not be what the page says: a hyphen left standing before a conjunction
    (wet- en regelgeving: the line break comes back), one after an abbreviation or before a name
    or number (RIVM-meetstations, GGZ-Jeugd, COVID-19), one between clashing vowels
    (zero-emissiezone, cao-onderhandelingen) and one after "niet" or "non" (niet-openbaar).
    Rules of Dutch spelling, no dictionary: two coordinated words (ruimtelijk-|programmatisch)
    and an abbreviation in lower case (ov-|fiets) are still joined.
    """
    before = text[start - 1] if start else ""
    after = text[end:end + 2]
    if _CONJUNCTION.match(text, end):
        return "-\n"
    if (before.isdigit() or after[:1].isdigit() or (before.isupper() and after[:1].islower())
            or (after[:1].isupper() and after[1:2].islower()) or _fold(before + after[:1]) in _VOWEL_CLASHES
            or _HYPHEN_PREFIX.search(text, max(0, start - 4), start)):
        return "-" if end - start == 1 else "-\n"
    return ""


def _fold(pair: str) -> str:
    """Lower case without accents (privé-eigendom clashes as e-e)."""
    return "".join(c for c in unicodedata.normalize("NFKD", pair.lower()) if not unicodedata.combining(c))


def _replacement(m: re.Match[str]) -> str:
    found = m.group()
    if found[0] == _LINE_END_HYPHEN:
        return _line_end_hyphen(m.string, m.start(), m.end())
    return _REPLACEMENTS[found]


def normalise_text(text: str) -> str:
    text = _PATTERN.sub(_replacement, text)
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
        replacement = _replacement(m)
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
