"""Classifying JSONL lines from outside a workspace, one result per input line, errors included."""

from __future__ import annotations

import json
from collections.abc import Iterator

from weerbaar.classify.analyser import Analyser
from weerbaar.classify.embeddings import Embedder
from weerbaar.classify.lexical import CorpusStats
from weerbaar.classify.model import RelevanceModel

BATCH = 256


def _parse(line: str, number: int, max_chars: int) -> tuple[object, str | None, str | None]:
    """(id, text, error) for one input line."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, None, f"regel {number}: geen geldige JSON ({exc.msg})"
    if not isinstance(record, dict):
        return None, None, f"regel {number}: verwacht een object met 'id' en 'text'"
    ident = record.get("id", number)
    text = record.get("text")
    if not isinstance(text, str):
        return ident, None, f"regel {number}: veld 'text' ontbreekt of is geen tekst"
    if not text.strip():
        return ident, None, f"regel {number}: 'text' is leeg"
    if len(text) > max_chars:
        return ident, None, f"regel {number}: 'text' is {len(text)} tekens; de grens is {max_chars} (--max-tekens)"
    return ident, text, None


def classify_lines(lines: list[str], codebook, *, ws=None, max_chars: int = 20000,
                   embedder: Embedder | None = None) -> Iterator[dict]:
    own = embedder is None
    embedder = embedder or Embedder()
    try:
        analyser = Analyser(codebook, RelevanceModel.builtin(), embedder)
        if ws is not None:
            from weerbaar.classify.pipeline import workspace_model

            analyser = analyser.with_model(workspace_model(ws, analyser)[0])
        stats = CorpusStats.reference()
        parsed = [(n, *_parse(line, n, max_chars)) for n, line in enumerate(lines, 1) if line.strip()]
        for start in range(0, len(parsed), BATCH):
            batch = parsed[start : start + BATCH]
            ok = [(n, ident, text) for n, ident, text, error in batch if error is None]
            results = dict(zip((n for n, _, _ in ok), analyser.analyse([t for _, _, t in ok], stats))) if ok else {}
            for n, ident, text, error in batch:
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
