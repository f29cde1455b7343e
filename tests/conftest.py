"""Shared fixtures: a fresh workspace, document factories for every format, the real corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# A wide virtual terminal, so that Rich does not wrap the lines the CLI tests look for.
os.environ["COLUMNS"] = "250"

from weerbaar.workspace import Workspace  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("WEERBAAR_SHARED", REPO.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared; the test is skipped when that material is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real documents not available ({path})")
    return path


@pytest.fixture
def ws(tmp_path):
    workspace = Workspace.open(tmp_path / "werkruimte", create=True)
    yield workspace
    workspace.close()


# Fictional policy prose for test documents (Latin-1 only, so PDF core fonts can render it).
PROSE = [
    "De gemeente Testdorp heeft in 2024 vier noodsteunpunten aangewezen in de wijken. "
    "Inwoners kunnen daar bij een langdurige stroomstoring terecht voor informatie en eerste hulp.",
    "Het college heeft het continuiteitsplan vastgesteld. Alle kritieke bedrijfsprocessen zijn "
    "geinventariseerd, o.a. de uitbetaling van uitkeringen en de burgerzaken-balie.",
    "In 2025 gaan wij verkennen of er een noodstroomvoorziening nodig is voor het gemeentehuis. "
    "Daarvoor is nog geen budget beschikbaar.",
]


def write_pdf(path: Path, pages: list[str], *, title: str | None = None, user_password: str | None = None,
              owner_password: str | None = None) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    if title:
        pdf.set_title(title)
    if owner_password is not None:
        pdf.set_encryption(owner_password=owner_password, user_password=user_password)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


def write_image_pdf(path: Path, n_pages: int = 2) -> Path:
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 300), "white")
    ImageDraw.Draw(image).text((20, 20), "Gescande tekst zonder tekstlaag", fill="black")
    pdf = FPDF()
    for _ in range(n_pages):
        pdf.add_page()
        pdf.image(image, x=10, y=10, w=180)
    pdf.output(str(path))
    return path


def write_docx(path: Path, pages: list[list[str]], *, title: str | None = None) -> Path:
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    for i, paragraphs in enumerate(pages):
        if i:
            document.add_page_break()
        for text in paragraphs:
            document.add_paragraph(text)
    document.save(str(path))
    return path


def write_odt(path: Path, pages: list[list[str]]) -> Path:
    from odf.opendocument import OpenDocumentText
    from odf.text import P, SoftPageBreak

    document = OpenDocumentText()
    for i, paragraphs in enumerate(pages):
        if i:
            document.text.addElement(SoftPageBreak())
        for text in paragraphs:
            document.text.addElement(P(text=text))
    document.save(str(path))
    return path


@pytest.fixture
def make_pdf(tmp_path):
    def make(name="doc.pdf", pages=None, **kw):
        return write_pdf(tmp_path / name, pages if pages is not None else PROSE, **kw)

    return make
