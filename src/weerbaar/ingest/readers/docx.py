"""Word (.docx) with python-docx, split into pages where the file records page breaks.

Two kinds of break mark a page: a hard break (``<w:br w:type="page"/>``) and the break Word
rendered when it last saved the file (``<w:lastRenderedPageBreak/>``). Word writes both at a
hard break, so a rendered break on a still-empty page is ignored. A file without any break is
one unpaginated page.
"""

from __future__ import annotations

import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn

from weerbaar.errors import UnreadableDocument
from weerbaar.ingest.quality import screen_pages
from weerbaar.ingest.readers import ExtractedDocument, Source, file_of, register
from weerbaar.normalise import normalise_text

_P, _TBL, _R, _T, _TAB, _BR = qn("w:p"), qn("w:tbl"), qn("w:r"), qn("w:t"), qn("w:tab"), qn("w:br")
_RENDERED = qn("w:lastRenderedPageBreak")
_TYPE = qn("w:type")


class _Pages:
    def __init__(self) -> None:
        self.pages: list[list[str]] = [[]]
        self.breaks = 0

    @property
    def current_is_empty(self) -> bool:
        return not "".join(self.pages[-1]).strip()

    def add(self, text: str) -> None:
        self.pages[-1].append(text)

    def new_page(self, rendered: bool) -> None:
        if rendered and self.current_is_empty:
            return
        self.breaks += 1
        self.pages.append([])


def _paragraph(p, out: _Pages) -> None:
    for node in p.iter():
        if node.tag == _T and node.text:
            out.add(node.text)
        elif node.tag == _TAB:
            out.add("\t")
        elif node.tag == _BR:
            if node.get(_TYPE) == "page":
                out.new_page(rendered=False)
            else:
                out.add("\n")
        elif node.tag == _RENDERED:
            out.new_page(rendered=True)
    out.add("\n\n")


def _table(tbl, out: _Pages) -> None:
    for row in tbl.iter(qn("w:tr")):
        cells = []
        for cell in row.iter(qn("w:tc")):
            cells.append(" ".join("".join(t.text or "" for t in p.iter(_T)) for p in cell.iter(_P)).strip())
        out.add(" | ".join(c for c in cells if c) + "\n")
    out.add("\n")


@register("docx", (".docx",), zipped=True)
def read_docx(source: Source) -> ExtractedDocument:
    try:
        document = docx.Document(file_of(source))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument("beschadigd", f"Het Word-bestand is beschadigd of geen .docx ({exc}).") from exc
    out = _Pages()
    for block in document.element.body.iterchildren():
        if block.tag == _P:
            _paragraph(block, out)
        elif block.tag == _TBL:
            _table(block, out)
    raw = ["".join(parts) for parts in out.pages]
    pages, notes = screen_pages([normalise_text(p) for p in raw])
    title = (document.core_properties.title or "").strip() or None
    return ExtractedDocument("docx", pages, paginated=out.breaks > 0, title=title, notes=notes)
