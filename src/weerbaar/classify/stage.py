"""The stage of a passage (0 context … 4 tested/embedded) from the codebook's Dutch cues.

The highest stage whose cue occurs wins: a passage that says "we have exercised" and "we will
improve" shows a tested measure. A cue right after a negation ("is niet gemeten", "nog geen
budget") does not count. The matched words are returned as the cue, so a reviewer sees why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from weerbaar.codebook.patterns import CuePattern

_NEGATION = re.compile(r"\b(niet|geen|nog niet|nooit|zonder)\s+(\w+\s+){0,2}$", re.IGNORECASE)


@dataclass(frozen=True)
class StageResult:
    stage: int
    cue: str | None  # the words that decided, or None when no cue was found


class StageDetector:
    def __init__(self, codebook, default_stage: int = 0):
        self.default_stage = default_stage
        self.patterns = [
            (stage.level, CuePattern(stage.cues))
            for stage in sorted(codebook.stages, key=lambda s: -s.level)
            if stage.cues
        ]

    def detect(self, text: str) -> StageResult:
        for level, pattern in self.patterns:
            for m in pattern.finditer(text):
                if not _NEGATION.search(text[max(0, m.start() - 30) : m.start()]):
                    return StageResult(level, m.group(0))
        return StageResult(self.default_stage, None)
