"""Classifying JSONL lines from outside a workspace, one result per input line, errors included.

Lines are split on ``\\n`` only and decoded one by one (:mod:`weerbaar.jsonl`): a U+2028 inside a
text does not split it, a BOM on line 1 is fine, and a line that is not UTF-8, not JSON, nested
too deep, holds a lone surrogate or a NaN gets its own error while the rest is still classified.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from weerbaar import jsonl
from weerbaar.classify.analyser import Analyser
from weerbaar.classify.lexical import CorpusStats
from weerbaar.classify.model import RelevanceModel
from weerbaar.embeddings import Embedder

if TYPE_CHECKING:
    from weerbaar.codebook.model import Codebook

BATCH = 256


def _parse(line: jsonl.Line, max_chars: int) -> tuple[object, str | None, str | None]:
    """(id, text, error) for one input line."""
    number = line.number
    if line.error or line.text is None:  # text is None only together with an error
        return None, None, f"regel {number}: {line.error}"
    try:
        record = jsonl.loads(line.text)
    except jsonl.JsonLineError as exc:
        return None, None, f"regel {number}: {exc.reason}"
    if not isinstance(record, dict):
        return None, None, f"regel {number}: verwacht een object met 'id' en 'text'"
    ident = record.get("id", number)
    if not (ident is None or isinstance(ident, (str, int)) or (isinstance(ident, float) and math.isfinite(ident))):
        return None, None, f"regel {number}: 'id' moet tekst of een getal zijn"
    text = record.get("text")
    if not isinstance(text, str):
        return ident, None, f"regel {number}: veld 'text' ontbreekt of is geen tekst"
    if not text.strip():
        return ident, None, f"regel {number}: 'text' is leeg"
    if len(text) > max_chars:
        return ident, None, f"regel {number}: 'text' is {len(text)} tekens; de grens is {max_chars} (--max-tekens)"
    return ident, text, None


def _as_lines(lines: Iterable[jsonl.Line | str]) -> list[jsonl.Line]:
    """Lines from :func:`weerbaar.jsonl.read_lines`, or plain strings numbered from 1."""
    out = []
    for n, line in enumerate(lines, 1):
        if isinstance(line, str):
            line = jsonl.Line(n, line)
        if line.error or (line.text is not None and line.text.strip()):
            out.append(line)
    return out


def classify_lines(lines: Iterable[jsonl.Line | str], codebook: Codebook, *, ws=None, max_chars: int = 20000,
                   embedder: Embedder | None = None) -> Iterator[dict]:
    own = embedder is None
    embedder = embedder or Embedder()
    try:
        analyser = Analyser(codebook, RelevanceModel.builtin(), embedder)
        if ws is not None:
            from weerbaar.classify.pipeline import workspace_model

            analyser = analyser.with_model(workspace_model(ws, analyser)[0])
        stats = CorpusStats.reference()
        parsed = [(line.number, *_parse(line, max_chars)) for line in _as_lines(lines)]
        for start in range(0, len(parsed), BATCH):
            batch = parsed[start : start + BATCH]
            ok = [(n, ident, text) for n, ident, text, error in batch if error is None and text is not None]
            results = dict(zip((n for n, _, _ in ok), analyser.analyse([t for _, _, t in ok], stats))) if ok else {}
            for n, ident, _text, error in batch:
                if error:
                    yield {"id": ident, "error": error}
                    continue
                r = results[n]
                relevant = analyser.relevant(r)
                yield {
                    "id": ident,
                    "measures": [{"id": m, "score": round(s, 4)} for m, s in relevant],
                    "stage": r.stage,
                    "stage_cue": r.stage_cue,
                    "elements": sorted({f"{m}:{e}" for m, _ in relevant for e in r.element_terms.get(m, {})}),
                    "vulnerable_groups": bool(r.vulnerable_terms),
                }
    finally:
        if own:
            embedder.close()
