"""Dutch tokenising and stemming for search, tuned so that policy words survive.

Snowball's current ``dutch`` algorithm strips the ``ge-`` prefix and over-stems: it turns
*gemeenten* into ``meen`` and *weerbaarheid* into ``weer`` (the weather). The older
Porter-style ``dutch_porter`` keeps them apart (``gemeent``, ``weerbar``) while still
conflating plurals and derived forms (*noodsteunpunten* → ``noodsteunpunt``). We measured both on
a list of field vocabulary (``tests/test_analysis.py`` and ``docs/zoeken.md``) and use
``dutch_porter`` after folding diacritics and dropping the possessive/plural ``'s``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

STEMMER_ALGORITHM = "dutch_porter"

# Words: letters and digits, with inner apostrophes (veiligheidsregio's, auto's). Hyphens split
# words, so "Brabant-Zuidoost" is found by "Brabant" and a hyphenated query becomes a phrase.
_TOKEN = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)

_stemmer = Stemmer.Stemmer(STEMMER_ALGORITHM)

# word -> stem. A dict lookup is about five times cheaper than PyStemmer's own cache, and ingest and
# analysis stem every passage: this was a third of the text work an ingest worker did beside PDFium.
# Bounded: emptied when full (about 15 MB; a thousand report pages hold some 21,000 distinct words).
_STEM_OF: dict[str, str] = {}
_STEM_OF_MAX = 100_000


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def fold(text: str) -> str:
    """Lowercase and strip diacritics (continuïteit → continuiteit)."""
    text = text.lower()
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The index form of one word as it appears in a text (the same rule as :func:`stems`)."""
    found = stems(word)
    return found[0] if found else ""


def tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) for every word, with offsets into ``text``."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


_APOSTROPHE = re.compile(r"['’]s\b|['’_]")
# Once _APOSTROPHE has removed every apostrophe and underscore, a word is a plain run of \w.
_PLAIN_WORD = re.compile(r"\w+", re.UNICODE)
# The same words in ASCII text, in half the time: every other ASCII character becomes a space
# (str.translate has a fast path for ASCII), and split() takes the runs. Two thirds of the
# folded text of Dutch policy documents is ASCII.
_ASCII_NON_WORD = str.maketrans({c: " " for c in map(chr, range(128)) if not (c.isalnum() or c == "_")})


def stems(text: str) -> list[str]:
    """The stems of all words in ``text``; the same as :func:`stem` per word, in one batch.

    Ingest stems every passage and analysis every passage again, so the common case is kept
    short: most text has no apostrophe or underscore to remove."""
    folded = fold(text)
    if "'" in folded or "’" in folded or "_" in folded:
        folded = _APOSTROPHE.sub("", folded)
    words = folded.translate(_ASCII_NON_WORD).split() if folded.isascii() else _PLAIN_WORD.findall(folded)
    try:
        return list(map(_STEM_OF.__getitem__, words))
    except KeyError:
        return _stem_new(words)


def _stem_new(words: list[str]) -> list[str]:
    """Stems of ``words`` of which some are not remembered yet: those are stemmed once and remembered."""
    if len(_STEM_OF) >= _STEM_OF_MAX:
        _STEM_OF.clear()
    new = list(set(words).difference(_STEM_OF))
    _STEM_OF.update(zip(new, _stemmer.stemWords(new)))
    try:
        return list(map(_STEM_OF.__getitem__, words))
    except KeyError:  # another thread emptied it meanwhile
        return _stemmer.stemWords(words)


def index_text(text: str) -> str:
    """The string that goes into the full-text index for ``text``: its stems, space-separated."""
    return " ".join(stems(text))
