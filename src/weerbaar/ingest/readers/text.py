"""Plain text and Markdown, in any common encoding. A form feed (\\f) starts a new page."""

from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

from weerbaar.errors import UnreadableDocument
from weerbaar.ingest.quality import screen_pages
from weerbaar.ingest.readers import ExtractedDocument, register
from weerbaar.ingest.readers.normalise import normalise_text


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; otherwise the encoding charset-normalizer finds.

    Dutch text in Windows-1252 or Latin-1 (typical of older exports) is decoded correctly.
    """
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableDocument("codering", "Dit lijkt een binair bestand, geen tekst.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise UnreadableDocument(
            "codering",
            "De tekencodering van het bestand is niet te bepalen.",
            hint="Sla het bestand op als UTF-8 en lees het opnieuw in.",
        )
    return str(best)


@register("txt", (".txt", ".md", ".markdown", ".text"))
def read_text(path: Path) -> ExtractedDocument:
    text = decode_bytes(path.read_bytes())
    raw_pages = text.split("\f")
    paginated = len(raw_pages) > 1
    pages, notes = screen_pages([normalise_text(p) for p in raw_pages])
    title = next((line.strip("# ").strip() for line in pages[0].splitlines() if line.strip()), None)
    return ExtractedDocument("txt", pages, paginated=paginated, title=title, notes=notes)
