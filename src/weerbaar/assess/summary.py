"""A short Dutch summary per cell, built only from validated passages: every sentence cites one.

Sentences follow the time order and say what each source shows (context, intention, plan,
execution, testing), with a short verbatim quote and its source; nothing is stated without one.
"""

from __future__ import annotations

from dataclasses import dataclass

from weerbaar.assess.verdicts import Evidence, Verdict

STAGE_PHRASES = {0: "beschrijft de context", 1: "spreekt een voornemen uit", 2: "beschrijft een plan",
                 3: "meldt uitvoering", 4: "meldt dat het getest of geborgd is"}
MAX_SENTENCES = 4


@dataclass
class Sentence:
    text: str
    evidence: Evidence


def summarise(verdict: Verdict) -> list[Sentence]:
    validated = [e for e in verdict.evidence if e.validated]
    if len(validated) > MAX_SENTENCES:
        # Keep the earliest, the highest stage and the latest: the development in a few lines.
        keep = {id(validated[0]), id(max(validated, key=lambda e: (e.stage, e.year or 0))), id(validated[-1])}
        for e in sorted(validated, key=lambda e: -e.stage):
            if len(keep) >= MAX_SENTENCES:
                break
            keep.add(id(e))
        validated = [e for e in validated if id(e) in keep]
    sentences = []
    for e in validated:
        page = f", pagina {e.page_no}" if e.paginated else ""
        ellipsis = " …" if e.quote_is_cut else ""
        sentences.append(Sentence(
            f"{e.organisation} {STAGE_PHRASES.get(e.stage, 'noemt de maatregel')} in {e.title} "
            f"({e.year or 'jaar onbekend'}{page}): “{e.quote}{ellipsis}”", e))
    return sentences
