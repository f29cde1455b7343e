"""A short Dutch summary per cell: every sentence cites one passage, with a quote centred on the
evidence and its source.

Sentences follow the time order and say what each source shows (context, intention, plan,
execution, testing). Validated passages first; a provisional cell without any is summarised from
its suggestions, and each such sentence says it is not validated.
"""

from __future__ import annotations

from dataclasses import dataclass

from weerbaar.assess.quote import focus
from weerbaar.assess.verdicts import Evidence, Verdict
from weerbaar.codebook.model import DEFAULT_SCALE, Measure, StageScale

MAX_SENTENCES = 4


@dataclass
class Sentence:
    text: str  # the whole sentence, with the quote
    evidence: Evidence
    lead: str = ""  # the sentence up to the quote: who shows what, where

    @property
    def provisional(self) -> bool:
        return not self.evidence.validated


def _pick(evidence: list[Evidence]) -> list[Evidence]:
    """The earliest, the highest stage and the latest, then more of the highest stages."""
    if len(evidence) <= MAX_SENTENCES:
        return evidence
    keep = {id(evidence[0]), id(max(evidence, key=lambda e: (e.stage, len(e.elements), e.year or 0))), id(evidence[-1])}
    for e in sorted(evidence, key=lambda e: (-e.stage, -len(e.elements))):
        if len(keep) >= MAX_SENTENCES:
            break
        keep.add(id(e))
    return [e for e in evidence if id(e) in keep]


def quoted(verdict: Verdict) -> list[Evidence]:
    """The passages a cell's summary quotes: validated ones, else (provisionally) suggestions."""
    return _pick([e for e in verdict.evidence if e.validated] or [e for e in verdict.evidence if not e.validated])


def summarise(verdict: Verdict, measure: Measure | None = None, scale: StageScale = DEFAULT_SCALE) -> list[Sentence]:
    """``measure`` (the codebook's) lets the quote centre on its evidence elements and vocabulary;
    ``scale`` (the codebook's) words what each passage shows."""
    sentences = []
    for e in quoted(verdict):
        if measure is not None:
            terms = [t for el in measure.elements if el.id in e.elements for t in el.terms] + list(measure.terms)
            e.quote_span = focus(e.text, e.cue, terms)
        page = f", pagina {e.page_no}" if e.paginated else ""
        marker = " (voorlopig, niet gevalideerd)" if not e.validated else ""
        lead = (f"{e.organisation} {scale.phrase(e.stage)} in {e.title} "
                f"({e.year or 'jaar onbekend'}{page}){marker}")
        sentences.append(Sentence(f"{lead}: “{e.shown_quote}”", e, lead))
    return sentences
