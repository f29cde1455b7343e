"""Plain text and Markdown, in any common encoding. A form feed (\\f) starts a new page."""

from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

from weerbaar.errors import UnreadableDocument
from weerbaar.ingest.quality import screen_pages
from weerbaar.ingest.readers import ExtractedDocument, register
from weerbaar.ingest.readers.normalise import normalise_text


def decode_bytes(data: bytes) -> str:
    """UTF-8 (or UTF-16 with BOM) first, then Windows-1252, then whatever charset-normalizer finds.

    Windows-1252 (a superset of Latin-1) is what older Dutch government exports use; statistical
    detection alone mistakes short Dutch text for Central-European code pages (ë → ķ).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise UnreadableDocument("codering", "Dit lijkt een binair bestand, geen tekst.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
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
