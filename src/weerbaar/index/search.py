"""Full-text search over passages (SQLite FTS5 with BM25 over Dutch stems).

Query syntax, kept to what a non-specialist expects:
``noodsteunpunten stroomstoring`` (all words), ``"kritieke processen"`` (a phrase),
``noodstroom OF aggregaat`` (either; ``OR`` works too), ``-oefening`` (without).
Every word is stemmed the way passages are, so *noodsteunpunt* also finds *noodsteunpunten*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from weerbaar.errors import QueryError
from weerbaar.index.analysis import stem, stems, tokens
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import DocumentFilters
from weerbaar.workspace.records import Citation

_QUERY_PART = re.compile(r'(-?)"([^"]*)"|(\S+)')
SNIPPET_CHARS = 280


@dataclass
class SearchHit:
    """A passage at its place (``citation``) that a search found, with its score and highlighted words."""

    citation: Citation
    organisation_type: str
    score: float
    highlights: list[tuple[int, int]] = field(default_factory=list)  # offsets into the citation's text

    @property
    def passage_id(self) -> int:
        assert self.citation.passage_id is not None
        return self.citation.passage_id

    def snippet(self, width: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
        """A window of the passage around its first match, with highlights re-based to it."""
        text = self.citation.text
        if len(text) <= width:
            return text, self.highlights
        first = self.highlights[0][0] if self.highlights else 0
        a = max(0, min(first - width // 4, len(text) - width))
        a = text.rfind(" ", 0, a) + 1 if a > 0 else 0
        b = min(len(text), a + width)
        if b < len(text):
            b = text.rfind(" ", a, b) if text.rfind(" ", a, b) > a else b
        spans = [(s - a, e - a) for s, e in self.highlights if s >= a and e <= b]
        prefix = "… " if a > 0 else ""
        suffix = " …" if b < len(text) else ""
        shift = len(prefix)
        return prefix + text[a:b] + suffix, [(s + shift, e + shift) for s, e in spans]


@dataclass
class ParsedQuery:
    fts: str
    stems: set[str]


def parse_query(query: str) -> ParsedQuery:
    """Translate the user's query into an FTS5 expression over stems."""
    positives: list[str] = []
    negatives: list[str] = []
    highlight: set[str] = set()
    pending_or = False
    for m in _QUERY_PART.finditer(query):
        negate = bool(m.group(1))
        raw = m.group(2) if m.group(2) is not None else m.group(3)
        if m.group(3) and m.group(3).upper() in ("OF", "OR") and positives:
            pending_or = True
            continue
        if raw.startswith("-") and m.group(3):
            negate, raw = True, raw[1:]
        words = stems(raw)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        if negate:
            negatives.append(term)
            continue
        highlight.update(words)
        if pending_or:
            positives[-1] = f"{positives[-1]} OR {term}"
            pending_or = False
        else:
            positives.append(term)
    if not positives:
        raise QueryError(
            "De zoekvraag bevat geen zoekwoorden.",
            hint='Voorbeeld: weerbaar zoek "noodsteunpunten" of weerbaar zoek noodstroom OF aggregaat.',
        )
    fts = " AND ".join(f"({p})" for p in positives)
    for n in negatives:
        fts += f" NOT {n}"
    return ParsedQuery(fts, highlight)


def highlight_spans(text: str, wanted: set[str]) -> list[tuple[int, int]]:
    return [(a, b) for a, b, word in tokens(text) if stem(word) in wanted]


def search(ws: Workspace, query: str, filters: DocumentFilters | None = None, limit: int = 20,
           offset: int = 0) -> list[SearchHit]:
    parsed = parse_query(query)
    return [SearchHit(citation=f.citation, organisation_type=f.organisation_type, score=-f.rank,
                      highlights=highlight_spans(f.citation.text, parsed.stems))
            for f in ws.search.match(parsed.fts, filters, limit=limit, offset=offset)]
