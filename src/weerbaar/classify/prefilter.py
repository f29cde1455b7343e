"""The cheap test before embedding: can any measure's words touch this passage at all?

Sentence embedding is most of an analysis's cost, and most council text (budget lines, zoning,
procedure) never mentions what a measure is about. A passage is embedded only when it shares a
word stem with the codebook's own vocabulary — a measure's terms, its evidence elements' terms,
the crisis-context terms or the words for people in a vulnerable position — or contains one of a
measure's terms as written (the keyword scan). Every word of a phrase counts on its own, so the
rule is looser than the lexical score: "kwetsbare inwoners" lets through a passage that only says
"inwoners". The rule comes from the codebook, never from labels; ``bench/bench_prefilter.py``
measures on the labelled set what it costs.

A passage that does not pass is scored lexically only: its semantic features count as absent
(zero), and the measure weights on the embedding are not applied. It is not embedded, so a later
run with ``--alles-inbedden`` (or any step that needs its vector) embeds it then.
"""

from __future__ import annotations

import hashlib

from weerbaar.classify.terms import TermMatcher

#: Changes when the rule changes, so the analysis configuration (and its key) changes with it.
PREFILTER_VERSION = "2026.12.1"


class Prefilter:
    def __init__(self, codebook):
        texts = [t for m in codebook.measures for t in m.terms]
        texts += [t for m in codebook.measures for e in m.elements for t in e.terms]
        for terms in (codebook.context, codebook.vulnerable_groups):
            if terms:
                texts += terms.terms
        self.stems = frozenset(s for t in texts for s in TermMatcher.tokenise(t))
        self.written = sorted({t.lower() for m in codebook.measures for t in m.terms if t.strip()})

    @property
    def key(self) -> str:
        """What identifies the rule for this codebook (the analysis configuration carries it)."""
        digest = hashlib.sha256("\n".join(sorted(self.stems) + ["|"] + self.written).encode()).hexdigest()[:12]
        return f"{PREFILTER_VERSION}:{digest}"

    def touches(self, text: str, text_stems: list[str]) -> bool:
        """Whether the codebook's vocabulary can reach the text: then it is worth embedding."""
        if not self.stems.isdisjoint(text_stems):
            return True
        low = text.lower()
        return any(t in low for t in self.written)
