"""Opening a PDF with PDFium, with a Dutch error for a protected or damaged file.

Shared by the PDF reader (ingest) and the source view beside a passage (review).
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from weerbaar.errors import UnreadableDocument

_PASSWORD_ERRORS = {pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY}


def open_pdf(source: Path | bytes) -> pdfium.PdfDocument:
    """Open a PDF (a file, or its content); an empty user password is tried automatically by PDFium."""
    try:
        return pdfium.PdfDocument(source)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) in _PASSWORD_ERRORS:
            raise UnreadableDocument(
                "versleuteld",
                "De PDF is beveiligd met een wachtwoord en kan niet worden geopend.",
                hint="Vraag de organisatie om een onbeveiligde versie of verwijder de beveiliging.",
            ) from exc
        raise UnreadableDocument(
            "beschadigd", f"De PDF is beschadigd of geen geldige PDF ({exc})."
        ) from exc
