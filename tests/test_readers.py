"""Every supported format gives page texts; every kind of bad file is refused with a reason."""

from pathlib import Path

import pytest

from tests.conftest import PROSE, write_docx, write_image_pdf, write_odt, write_pdf
from weerbaar.errors import UnreadableDocument
from weerbaar.ingest.readers import read_document, supported_suffixes


def refused(path: Path) -> UnreadableDocument:
    with pytest.raises(UnreadableDocument) as info:
        read_document(path)
    return info.value


def test_pdf_is_read_page_by_page_with_its_title(make_pdf):
    doc = read_document(make_pdf(title="Programmabegroting 2025"))
    assert doc.format == "pdf" and doc.paginated
    assert len(doc.pages) == 3
    assert "vier noodsteunpunten" in doc.pages[0]
    assert "continuiteitsplan" in doc.pages[1]
    assert doc.title == "Programmabegroting 2025"


def test_pdf_encrypted_with_an_empty_user_password_is_read_like_any_other(tmp_path):
    path = write_pdf(tmp_path / "leeg-wachtwoord.pdf", PROSE, owner_password="eigenaar", user_password="")
    assert "noodsteunpunten" in read_document(path).pages[0]


def test_pdf_that_needs_a_password_is_refused(tmp_path):
    path = write_pdf(tmp_path / "geheim.pdf", PROSE, owner_password="eigenaar", user_password="geheim")
    exc = refused(path)
    assert exc.code == "versleuteld"
    assert exc.message == "De PDF is beveiligd met een wachtwoord en kan niet worden geopend."


def test_corrupt_pdf_is_refused(tmp_path):
    path = tmp_path / "kapot.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage")
    exc = refused(path)
    assert exc.code == "beschadigd"
    assert exc.message.startswith("De PDF is beschadigd of geen geldige PDF")


def test_truncated_pdf_is_refused_or_read_but_never_crashes(make_pdf, tmp_path):
    data = make_pdf().read_bytes()
    path = tmp_path / "afgebroken.pdf"
    path.write_bytes(data[: len(data) // 2])
    try:
        doc = read_document(path)
    except UnreadableDocument as exc:
        assert exc.code in ("beschadigd", "leeg")
    else:
        assert all(isinstance(p, str) for p in doc.pages)


def test_scanned_pdf_without_text_layer_is_refused(tmp_path):
    exc = refused(write_image_pdf(tmp_path / "scan.pdf"))
    assert exc.code == "gescand"
    assert "ocrmypdf" in exc.hint


def test_empty_pdf_is_refused(tmp_path):
    exc = refused(write_pdf(tmp_path / "blanco.pdf", ["", ""]))
    assert exc.code == "leeg"
    assert exc.message == "Het document bevat geen tekst."


def test_pdf_with_some_blank_pages_keeps_the_readable_ones(tmp_path):
    path = write_pdf(tmp_path / "deels.pdf", [PROSE[0], "", PROSE[2]])
    doc = read_document(path)
    assert [bool(p) for p in doc.pages] == [True, False, True]


def test_glyph_code_text_is_judged_unreadable():
    from weerbaar.ingest.quality import page_quality

    assert page_quality("\x01\x04\x05\x06\x07\x08\t\n\x0b\x1c\x1d\x1e" * 20) == "onleesbaar"
    assert page_quality("Xqzv brtk plmn " * 40) == "onleesbaar"  # letter salad, no Dutch function words
    assert page_quality(PROSE[0]) == "ok"
    table = "Overzicht reserves Saldo Vermeerdering Vermindering\n" + "\n".join(
        f"Algemene reserve {i}.903 720 -722 Bestemmingsreserve onderhoud gebouwen {i}.000 0 0" for i in range(12))
    assert page_quality(table) == "ok"  # a financial table: few function words, but real words


# Place names and budget codes no dictionary knows; a table page of them is judged by the prose
_OWN_NAMES = ["Zwiepkade", "Broekvliet", "Kwelderpolder", "Veenhoekweg", "Tjalkhaven", "Dijkstroompad"]


def _prose_naming(names: list[str]) -> str:
    return " ".join(f"De wijk {n} heeft een noodsteunpunt in het buurthuis aan de rand van de wijk." for n in names)


def _table_of(names: list[str]) -> str:
    return "\n".join(f"{n} {i}.903 720 -722 {names[(i + 1) % len(names)]} {i}.000" for i in range(12) for n in names)


def test_table_page_of_the_documents_own_words_is_readable_without_a_dictionary(monkeypatch):
    import simplemma

    from weerbaar.ingest.quality import page_quality, screen_pages

    assert page_quality(_table_of(_OWN_NAMES)) == "onleesbaar"  # alone: words no dictionary knows

    def no_dictionary(*args, **kwargs):
        raise AssertionError("the dictionary was consulted")

    monkeypatch.setattr(simplemma, "is_known", no_dictionary)
    pages, notes = screen_pages([_prose_naming(_OWN_NAMES), _table_of(_OWN_NAMES)])
    assert pages[1] and not notes  # its words are on the readable page before it


def test_letter_salad_page_among_readable_pages_is_still_blanked():
    from weerbaar.ingest.quality import screen_pages

    salad = "Xqzv brtk plmn Gvrkl Wmbtq Zxcvb " * 20
    pages, notes = screen_pages([_prose_naming(_OWN_NAMES), salad, PROSE[0]])
    assert pages[0] and not pages[1] and pages[2]
    assert notes == ["Pagina's met onleesbare tekstlaag overgeslagen: 2."]


def test_docx_pages_follow_its_page_breaks(tmp_path):
    path = write_docx(tmp_path / "brief.docx", [[PROSE[0]], [PROSE[1], PROSE[2]]], title="Raadsinformatiebrief")
    doc = read_document(path)
    assert doc.format == "docx" and doc.paginated
    assert len(doc.pages) == 2
    assert "noodsteunpunten" in doc.pages[0] and "continuiteitsplan" in doc.pages[1]
    assert doc.title == "Raadsinformatiebrief"


def test_docx_rendered_page_break_after_a_hard_break_is_not_counted_twice(tmp_path):
    import docx
    from docx.oxml import OxmlElement

    path = write_docx(tmp_path / "word.docx", [[PROSE[0]], [PROSE[1]]])
    document = docx.Document(str(path))
    second = [p for p in document.paragraphs if "continuiteitsplan" in p.text][0]
    second.runs[0]._r.insert(0, OxmlElement("w:lastRenderedPageBreak"))
    document.save(str(path))
    assert len(read_document(path).pages) == 2


def test_docx_tables_are_read(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph(PROSE[0])
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Locatie", "Functie"
    table.cell(1, 0).text, table.cell(1, 1).text = "Sporthal De Wetering", "informatie en warmte"
    document.save(str(tmp_path / "tabel.docx"))
    assert "Sporthal De Wetering | informatie en warmte" in read_document(tmp_path / "tabel.docx").pages[0]


def test_corrupt_docx_is_refused(tmp_path):
    path = tmp_path / "kapot.docx"
    path.write_bytes(b"PK\x03\x04 dit is geen zip")
    assert refused(path).code == "beschadigd"


def test_odt_with_soft_page_breaks(tmp_path):
    doc = read_document(write_odt(tmp_path / "plan.odt", [[PROSE[0]], [PROSE[1]]]))
    assert doc.format == "odt"
    assert len(doc.pages) == 2
    assert "noodsteunpunten" in doc.pages[0] and "continuiteitsplan" in doc.pages[1]


def test_html_keeps_main_text_and_drops_navigation_and_scripts(tmp_path):
    path = tmp_path / "pagina.html"
    path.write_text(
        "<html><head><title>Raadsvoorstel weerbaarheid</title><script>var tracking = 'geheim';</script></head>"
        "<body><nav>Home | Contact | Zoeken</nav><header>Gemeentelogo</header>"
        f"<main><h1>Raadsvoorstel</h1><p>{PROSE[0]}</p><ul><li>eerste punt</li></ul></main>"
        "<aside>Ook interessant: afvalkalender</aside><footer>Cookies en privacy</footer></body></html>",
        encoding="utf-8",
    )
    doc = read_document(path)
    text = doc.pages[0]
    assert doc.title == "Raadsvoorstel weerbaarheid"
    assert "vier noodsteunpunten" in text and "eerste punt" in text
    for junk in ("tracking", "Home | Contact", "Gemeentelogo", "afvalkalender", "Cookies"):
        assert junk not in text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
def test_plain_text_in_any_common_encoding(tmp_path, encoding):
    text = "Continuïteit van de crisisorganisatie: één plan voor de noodsteunpunten, ook bij ‘stroomuitval’."
    if encoding == "latin-1":
        text = text.replace("‘", "'").replace("’", "'")
    path = tmp_path / f"tekst-{encoding}.txt"
    path.write_bytes((text + "\n" + PROSE[0]).encode(encoding))
    assert read_document(path).pages[0].startswith(text)


def test_plain_text_form_feed_starts_a_page(tmp_path):
    path = tmp_path / "memo.md"
    path.write_text(f"# Memo\n\n{PROSE[0]}\f{PROSE[1]}", encoding="utf-8")
    doc = read_document(path)
    assert doc.paginated and len(doc.pages) == 2
    assert doc.title == "Memo"


def test_binary_file_with_text_suffix_is_refused(tmp_path):
    path = tmp_path / "plaatje.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert refused(path).code == "codering"


def test_unsupported_suffix_names_the_supported_ones(tmp_path):
    path = tmp_path / "tabel.xlsx"
    path.write_bytes(b"x")
    exc = refused(path)
    assert exc.code == "niet-ondersteund"
    assert exc.message == (
        f"Bestandstype '.xlsx' wordt niet ondersteund; wel: {', '.join(supported_suffixes())}."
    )


def _one_of_each(folder: Path, make_pdf) -> list[Path]:
    html = folder / "pagina.html"
    html.write_text(f"<html><head><title>Raadsvoorstel</title></head><body><main><p>{PROSE[0]}</p></main></body></html>",
                    encoding="utf-8")
    text = folder / "memo.md"
    text.write_text(f"# Memo\n\n{PROSE[0]}\f{PROSE[1]}", encoding="utf-8")
    return [make_pdf(title="Programmabegroting 2025"), write_docx(folder / "plan.docx", [[PROSE[0]], [PROSE[1]]], title="Plan"),
            write_odt(folder / "plan.odt", [[PROSE[0]], [PROSE[1]]]), html, text]


def test_every_reader_reads_the_same_from_the_content_as_from_the_file(tmp_path, make_pdf):
    """Ingest hands a reader the bytes it hashed; the document must be the one the file gives."""
    for path in _one_of_each(tmp_path, make_pdf):
        from_file = read_document(path)
        from_content = read_document(path, content=path.read_bytes())
        assert from_content == from_file, path.suffix
        assert any("noodsteunpunten" in page for page in from_content.pages), path.suffix


def test_bad_content_is_refused_as_the_bad_file_is(tmp_path):
    corrupt = tmp_path / "kapot.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage")
    locked = write_pdf(tmp_path / "geheim.pdf", PROSE, owner_password="eigenaar", user_password="geheim")
    broken_zip = tmp_path / "kapot.docx"
    broken_zip.write_bytes(b"PK\x03\x04 dit is geen zip")
    for path in (corrupt, locked, broken_zip):
        with pytest.raises(UnreadableDocument) as info:
            read_document(path, content=path.read_bytes())
        assert (info.value.code, info.value.message) == (refused(path).code, refused(path).message), path.name
