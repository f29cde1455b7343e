"""Plain text and Markdown, in any common encoding. A form feed (\\f) starts a new page."""

from __future__ import annotations

from weerbaar.ingest.quality import screen_pages
from weerbaar.ingest.readers import ExtractedDocument, Source, content_of, register
from weerbaar.normalise import normalise_text
from weerbaar.textfile import decode_bytes


@register("txt", (".txt", ".md", ".markdown", ".text"))
def read_text(source: Source) -> ExtractedDocument:
    text = decode_bytes(content_of(source))
    raw_pages = text.split("\f")
    paginated = len(raw_pages) > 1
    pages, notes = screen_pages([normalise_text(p) for p in raw_pages])
    # A Markdown heading on the first line is the author's title; the first line of plain text may
    # be anything (a logo read by OCR, a letterhead), so there the metadata's own rules choose.
    first = next((line.strip() for line in pages[0].splitlines() if line.strip()), "")
    title = (first.strip("# ").strip() or None) if first.startswith("#") else None
    return ExtractedDocument("txt", pages, paginated=paginated, title=title, notes=notes)
