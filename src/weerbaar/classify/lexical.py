"""BM25 of a measure's vocabulary in a passage, on the same Dutch stems as the search index.

The measure's terms are the "query". Document frequencies are **reference** frequencies shipped
with weerbaar (``classify/data/reference-df.json``, counted over a corpus of real municipal and
safety-region documents and research reports by ``eval/train.py``), not the user's own: a term's
weight must not depend on what else happens to be in a workspace, so ``classificeer`` on a file
and ``analyseer`` on a workspace give the same answer for the same text, and the model's
coefficients mean the same on every corpus. ``from_workspace`` counts them for a workspace (used to
make the reference).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING

from weerbaar.classify.terms import TermMatcher

if TYPE_CHECKING:
    from weerbaar.codebook.model import Codebook

REFERENCE_DF = "reference-df.json"
K1 = 1.2
B = 0.75


@dataclass
class CorpusStats:
    n_passages: int
    avg_length: float
    df: dict[str, int] = field(default_factory=dict)

    @classmethod
    def uniform(cls) -> CorpusStats:
        return cls(n_passages=0, avg_length=110.0)

    @classmethod
    def reference(cls) -> CorpusStats:
        """The shipped reference frequencies (uniform weights if the file is missing)."""
        path = resources.files("weerbaar.classify.data").joinpath(REFERENCE_DF)
        if not path.is_file():
            return cls.uniform()
        data = json.loads(path.read_text("utf-8"))
        return cls(n_passages=data["n_passages"], avg_length=data["avg_length"], df=data["df"])

    def to_json(self) -> str:
        return json.dumps({"n_passages": self.n_passages, "avg_length": round(self.avg_length, 3),
                           "df": dict(sorted(self.df.items()))}, ensure_ascii=False, indent=0)

    @classmethod
    def from_workspace(cls, ws, wanted: set[str]) -> CorpusStats:
        """The frequencies of ``wanted`` stems in a workspace's passages (uniform when it has none)."""
        n, total, df = ws.search.vocabulary(wanted)
        if not n:
            return cls.uniform()
        return cls(n_passages=n, avg_length=max(total / n, 1.0), df=df)

    def idf(self, term_stems: tuple[str, ...]) -> float:
        if not self.n_passages:
            return 1.0
        df = min(self.df.get(s, 0) for s in term_stems)  # a phrase is at most as common as its rarest word
        return math.log(1 + (self.n_passages - df + 0.5) / (df + 0.5))


class MeasureVocabulary:
    """The terms of every measure, matched once per passage."""

    def __init__(self, codebook: Codebook):
        self.measure_ids = [m.id for m in codebook.measures]
        self.matcher = TermMatcher([(f"measure:{m.id}", t) for m in codebook.measures for t in m.terms])
        self.index = {mid: i for i, mid in enumerate(self.measure_ids)}
        self.lowered = [[t.lower() for t in m.terms if t.strip()] for m in codebook.measures]

    def written(self, text: str) -> list[int]:
        """Per measure, 1 when any of its terms occurs as written (a substring, case-insensitive): the keyword scan."""
        low = text.lower()
        return [int(any(t in low for t in terms)) for terms in self.lowered]

    def all_stems(self) -> set[str]:
        return {s for t in self.matcher.terms for s in t.stems}

    def score(self, text_stems: list[str], stats: CorpusStats) -> tuple[list[float], list[int]]:
        """(BM25 per measure, number of distinct terms matched per measure), in codebook order."""
        bm25 = [0.0] * len(self.measure_ids)
        distinct = [0] * len(self.measure_ids)
        tf = Counter(index for index, _ in self.matcher.find(text_stems))
        norm = K1 * (1 - B + B * len(text_stems) / stats.avg_length)
        for index, count in tf.items():
            term = self.matcher.terms[index]
            m = self.index[term.key.split(":", 1)[1]]
            bm25[m] += stats.idf(term.stems) * count * (K1 + 1) / (count + norm)
            distinct[m] += 1
        return bm25, distinct
