"""PDF by page, from the text layer, with PDFium (pypdfium2: fast, Apache/BSD-licensed)."""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from weerbaar.errors import UnreadableDocument
from weerbaar.ingest.quality import screen_pages
from weerbaar.ingest.readers import ExtractedDocument, Source, register
from weerbaar.normalise import normalise_text
from weerbaar.pdffile import open_pdf


def _has_image(page: pdfium.PdfPage) -> bool:
    return any(obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects(max_depth=2))


@register("pdf", (".pdf",))
def read_pdf(source: Source) -> ExtractedDocument:
    doc = open_pdf(source)  # from memory it is also a little cheaper: PDFium makes no read calls
    try:
        pages: list[str] = []
        image_pages: set[int] = set()
        for index in range(len(doc)):
            page = doc[index]
            try:
                textpage = page.get_textpage()
                text = normalise_text(textpage.get_text_range())
                textpage.close()
                if not text.strip() and _has_image(page):
                    image_pages.add(index + 1)
            finally:
                page.close()
            pages.append(text)
        title = doc.get_metadata_value("Title").strip() or None  # only the title: not all eight fields
    except pdfium.PdfiumError as exc:
        raise UnreadableDocument("beschadigd", f"De PDF kon niet volledig worden gelezen ({exc}).") from exc
    finally:
        doc.close()
    if not pages:
        raise UnreadableDocument("leeg", "De PDF heeft geen pagina's.")
    screened, notes = screen_pages(pages, image_pages=image_pages)
    return ExtractedDocument("pdf", screened, paginated=True, title=title, notes=notes)
