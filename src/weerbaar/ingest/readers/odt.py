"""OpenDocument text (.odt) with odfpy; LibreOffice's saved soft page breaks split pages."""

from __future__ import annotations

import zipfile
from xml.parsers.expat import ExpatError

from odf import opendocument, teletype
from odf.namespaces import TEXTNS

from weerbaar.errors import UnreadableDocument
from weerbaar.ingest.quality import screen_pages
from weerbaar.ingest.readers import ExtractedDocument, Source, file_of, register
from weerbaar.normalise import normalise_text

_PARAGRAPHS = {(TEXTNS, "p"), (TEXTNS, "h")}
_PAGE_BREAK = (TEXTNS, "soft-page-break")


def _walk(node, pages: list[list[str]]) -> None:
    for child in node.childNodes:
        qname = getattr(child, "qname", None)
        if qname == _PAGE_BREAK:
            if "".join(pages[-1]).strip():
                pages.append([])
        elif qname in _PARAGRAPHS:
            if any(getattr(n, "qname", None) == _PAGE_BREAK for n in child.childNodes):
                if "".join(pages[-1]).strip():
                    pages.append([])
            pages[-1].append(teletype.extractText(child) + "\n\n")
        elif child.nodeType == child.ELEMENT_NODE:
            _walk(child, pages)


@register("odt", (".odt",), zipped=True)
def read_odt(source: Source) -> ExtractedDocument:
    try:
        document = opendocument.load(file_of(source))
    except (zipfile.BadZipFile, KeyError, ExpatError, ValueError) as exc:
        raise UnreadableDocument("beschadigd", f"Het ODT-bestand is beschadigd of geen .odt ({exc}).") from exc
    pages: list[list[str]] = [[]]
    _walk(document.text, pages)
    screened, notes = screen_pages([normalise_text("".join(p)) for p in pages])
    return ExtractedDocument("odt", screened, paginated=len(pages) > 1, title=None, notes=notes)
