"""The source page beside a passage: the rendered PDF page, and where on it the passage stands.

Passage offsets refer to the stored, normalised page text. To find the passage on the page we
read the page's text layer again with PDFium, normalise it with an offset map, check that it is
still the stored text (the file may have changed since ingest) and take the boxes of exactly those
characters. Boxes are fractions of the page (0–1), so the browser can lay them over an image of
any size. Files are only ever opened by the path the workspace stored for a document.

PDFium is not thread-safe: two threads in it at once garble each other's results or crash the
process (the review server runs requests in a thread pool). Every PDFium call here therefore
holds :data:`PDFIUM_LOCK`; only the PNG encoding of an already copied image runs outside it.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pypdfium2 as pdfium

from weerbaar.errors import WeerbaarError
from weerbaar.normalise import normalise_with_offsets
from weerbaar.pdffile import open_pdf

RENDER_SCALE = 1.5  # 108 dpi: legible on screen, about 100–250 KB per page
PDFIUM_LOCK = threading.RLock()  # one thread at a time inside PDFium, in this whole process


@dataclass
class Box:
    left: float
    top: float
    width: float
    height: float


def page_png(path: Path, page_no: int, scale: float = RENDER_SCALE) -> bytes:
    return _page_png(str(path), _mtime(path), page_no, scale)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        raise WeerbaarError(f"Het bronbestand '{path}' is niet meer te vinden.") from None


@lru_cache(maxsize=64)
def _page_png(path: str, mtime: float, page_no: int, scale: float) -> bytes:
    with PDFIUM_LOCK:
        doc = open_pdf(Path(path))
        try:
            if not 1 <= page_no <= len(doc):
                raise WeerbaarError(f"Pagina {page_no} bestaat niet in dit bestand.")
            page = doc[page_no - 1]
            try:
                bitmap = page.render(scale=scale)
                image = bitmap.to_pil().copy()  # independent of PDFium's buffer, so encoding can run unlocked
                bitmap.close()
            finally:
                page.close()
        finally:
            doc.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def rotate(box: Box, degrees: int) -> Box:
    """A box on the unrotated page, as it lies on the page rendered with its /Rotate (clockwise)."""
    x, y, w, h = box.left, box.top, box.width, box.height
    if degrees == 90:
        return Box(1 - (y + h), x, h, w)
    if degrees == 180:
        return Box(1 - (x + w), 1 - (y + h), w, h)
    if degrees == 270:
        return Box(y, 1 - (x + w), h, w)
    return box


def passage_boxes(path: Path, page_no: int, page_text: str, start: int, end: int) -> list[Box] | None:
    """Where page_text[start:end] stands on the PDF page, or None when the file no longer has that text."""
    with PDFIUM_LOCK:
        return _passage_boxes(path, page_no, page_text, start, end)


def _passage_boxes(path: Path, page_no: int, page_text: str, start: int, end: int) -> list[Box] | None:
    # Every PDFium object is closed here, under the lock: left to the garbage collector, it would
    # be closed later by whichever thread happens to run the collection, outside the lock.
    doc = open_pdf(path)
    page = textpage = None
    try:
        if not 1 <= page_no <= len(doc):
            return None
        page = doc[page_no - 1]
        textpage = page.get_textpage()
        raw = textpage.get_text_range()
        text, origin = normalise_with_offsets(raw)
        if text != page_text or end > len(origin) or start >= end:
            return None
        first, last = origin[start], origin[end - 1]
        left0, bottom0, right0, top0 = page.get_bbox()  # the visible area, as rendered (inherited boxes too)
        width, height = right0 - left0, top0 - bottom0
        boxes = []
        for i in range(textpage.count_rects(first, last - first + 1)):
            left, bottom, right, top = textpage.get_rect(i)
            boxes.append(Box(left=(left - left0) / width, top=(top0 - top) / height,
                             width=(right - left) / width, height=(top - bottom) / height))
        rotation = page.get_rotation()
        return [rotate(b, rotation) for b in boxes]
    except pdfium.PdfiumError:
        return None
    finally:
        if textpage is not None:
            textpage.close()
        if page is not None:
            page.close()
        doc.close()
