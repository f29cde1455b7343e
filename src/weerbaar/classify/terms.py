"""Finding codebook terms (single words or phrases) in text, on stems, in one pass.

One matcher serves the measure vocabularies (lexical score), the evidence elements and the words
for people in a vulnerable position, so all three agree on what "mentions" means.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from weerbaar.index.analysis import _TOKEN, fold, stems


@dataclass(frozen=True)
class Term:
    key: str  # what the term belongs to, e.g. "measure:2.2", "element:2.2:locaties", "vulnerable"
    text: str  # as written in the codebook
    stems: tuple[str, ...]  # its tokens as the matcher compares them (stems, or written forms in FormMatcher)


class TermMatcher:
    def __init__(self, terms: list[tuple[str, str]]):
        """``terms``: (key, text) pairs; a text of several words is matched as a phrase."""
        self.terms: list[Term] = []
        self._by_first: dict[str, list[int]] = defaultdict(list)
        seen = set()
        for key, text in terms:
            tokens = tuple(self.tokenise(text))
            if not tokens or (key, tokens) in seen:
                continue
            seen.add((key, tokens))
            self.terms.append(Term(key, text, tokens))
            for first in self._first_keys(tokens):
                self._by_first[first].append(len(self.terms) - 1)

    @staticmethod
    def tokenise(text: str) -> list[str]:
        return stems(text)

    @staticmethod
    def _first_keys(tokens: tuple[str, ...]) -> tuple[str, ...]:
        """The token a text's word must equal for this term to start there."""
        return (tokens[0],)

    def find(self, text_stems: list[str]) -> list[tuple[int, int]]:
        """(term index, token position) for every occurrence of every term."""
        hits = []
        by_first = self._by_first
        n = len(text_stems)
        for pos, s in enumerate(text_stems):
            candidates = by_first.get(s)
            if not candidates:
                continue
            for index in candidates:
                phrase = self.terms[index].stems
                end = pos + len(phrase)
                if len(phrase) == 1 or (end <= n and tuple(text_stems[pos:end]) == phrase):
                    hits.append((index, pos))
        return hits

    def keys_found(self, text_stems: list[str]) -> dict[str, set[str]]:
        """key → the codebook texts of the terms found."""
        return self.group(self.find(text_stems))

    def group(self, hits: list[tuple[int, int]]) -> dict[str, set[str]]:
        """The hits of :meth:`find` as key → the codebook texts of the terms found."""
        found: dict[str, set[str]] = defaultdict(set)
        for index, _ in hits:
            term = self.terms[index]
            found[term.key].add(term.text)
        return found


# Inflections a word may carry where an element or group term is matched on its written form:
# plural and adjective endings only, so "beperking" finds "beperkingen" but never "beperken".
_INFLECTIONS = ("", "en", "n", "s", "e", "es", "'s", "’s")
NEGATIONS = frozenset({"geen", "niet", "zonder", "nooit", "ontbreekt", "ontbreken", "onvoldoende"})
NEGATION_WINDOW = 3  # words before a term that can negate it ("er is nog geen noodstroom")


def word_forms(text: str) -> list[str]:
    """Lowercased, diacritic-free words of ``text``, as written (no stemming)."""
    return _TOKEN.findall(fold(text))


class FormMatcher(TermMatcher):
    """Terms matched on whole written words (plus plural/adjective endings), aware of negation.

    Used for evidence elements and for people in a vulnerable position, where a stem is too
    loose: "beperken" and "beperking" share a stem, and "geen noodstroom" is no evidence of
    emergency power. A term counts only when none of the three words before it negates it.
    """

    @staticmethod
    def tokenise(text: str) -> list[str]:
        return word_forms(text)

    @staticmethod
    def _first_keys(tokens: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(tokens[0] + ending for ending in _INFLECTIONS) if len(tokens) == 1 else (tokens[0],)

    def _matches_at(self, words: list[str], pos: int, forms: tuple[str, ...]) -> bool:
        if len(forms) == 1:
            return True
        if pos + len(forms) > len(words):
            return False
        if tuple(words[pos : pos + len(forms) - 1]) != forms[:-1]:
            return False
        last = words[pos + len(forms) - 1]
        return any(last == forms[-1] + ending for ending in _INFLECTIONS)

    def find(self, words: list[str]) -> list[tuple[int, int]]:
        """(term index, word position) for every non-negated occurrence; ``words`` from :func:`word_forms`."""
        hits = []
        for pos, word in enumerate(words):
            for index in self._by_first.get(word, ()):
                if self._matches_at(words, pos, self.terms[index].stems) and not self.negated(words, pos):
                    hits.append((index, pos))
        return hits

    @staticmethod
    def negated(words: list[str], pos: int) -> bool:
        return any(w in NEGATIONS for w in words[max(0, pos - NEGATION_WINDOW) : pos])

