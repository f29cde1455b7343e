"""The cheap test before embedding: can the codebook's vocabulary touch this passage at all?

Sentence embedding is most of an analysis's cost, and much council text (budget lines, zoning,
procedure) never mentions what a measure is about. A passage is embedded only when

- one of the codebook's terms occurs in it, as a whole term on stems (a phrase as a phrase): a
  measure's vocabulary, its evidence elements, the crisis-context words, the words for people in
  a vulnerable position; or
- a measure, context or group term of at least ``MIN_INSIDE`` characters occurs *inside* a word:
  Dutch writes compounds ("informatiebeveiligingsbeleid", "vervoerspartners"), which stems miss.
  Shorter terms are abbreviations ("OV", "GGD") that would match inside any word ("over"), and
  element terms are generic words ("project", "budget") that would match inside most compounds.

The rule comes from the codebook, never from labels; ``bench/bench_prefilter.py`` measures on the
labelled set what it costs (BENCHMARKS.md).

A passage that does not pass is scored lexically only: its lexical, keyword and context features
are computed as always, its semantic features count as absent (zero) and the measure weights on
the embedding are not applied; stage, subject, elements and groups come from the text as always.
It is not embedded, so a later run with ``--alles-inbedden`` (or any step that needs its vector,
such as fitting a workspace's own model) embeds it then.
"""

from __future__ import annotations

import hashlib

from weerbaar.classify.terms import TermMatcher

#: Changes when the rule changes, so the analysis configuration (and its key) changes with it.
PREFILTER_VERSION = "2026.12.1"
MIN_INSIDE = 4  # characters a term needs to be looked for inside words (compounds)


class Prefilter:
    def __init__(self, codebook):
        groups = [t for terms in (codebook.context, codebook.vulnerable_groups) if terms for t in terms.terms]
        measure_terms = [t for m in codebook.measures for t in m.terms]
        element_terms = [t for m in codebook.measures for e in m.elements for t in e.terms]
        self.matcher = TermMatcher([("codeboek", t) for t in measure_terms + element_terms + groups])
        self.inside = sorted({t.strip().lower() for t in measure_terms + groups if len(t.strip()) >= MIN_INSIDE})

    @property
    def key(self) -> str:
        """What identifies the rule for this codebook (the analysis configuration carries it)."""
        terms = sorted(" ".join(t.stems) for t in self.matcher.terms)
        digest = hashlib.sha256("\n".join(terms + ["|"] + self.inside).encode()).hexdigest()[:12]
        return f"{PREFILTER_VERSION}:{digest}"

    def touches(self, text: str, text_stems: list[str]) -> bool:
        """Whether the codebook's vocabulary reaches the text: then it is worth embedding."""
        if self.matcher.find(text_stems):
            return True
        low = text.lower()
        return any(t in low for t in self.inside)
