"""Finding codebook terms (single words or phrases) in text, on stems, in one pass.

One matcher serves the measure vocabularies (lexical score), the evidence elements and the words
for people in a vulnerable position, so all three agree on what "mentions" means.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from weerbaar.index.analysis import stems


@dataclass(frozen=True)
class Term:
    key: str  # what the term belongs to, e.g. "measure:2.2", "element:2.2:locaties", "vulnerable"
    text: str  # as written in the codebook
    stems: tuple[str, ...]


class TermMatcher:
    def __init__(self, terms: list[tuple[str, str]]):
        """``terms``: (key, text) pairs; a text of several words is matched as a phrase."""
        self.terms: list[Term] = []
        self._by_first: dict[str, list[int]] = defaultdict(list)
        seen = set()
        for key, text in terms:
            term_stems = tuple(stems(text))
            if not term_stems or (key, term_stems) in seen:
                continue
            seen.add((key, term_stems))
            self._by_first[term_stems[0]].append(len(self.terms))
            self.terms.append(Term(key, text, term_stems))

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
                if len(phrase) == 1 or (pos + len(phrase) <= n and tuple(text_stems[pos : pos + len(phrase)]) == phrase):
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
