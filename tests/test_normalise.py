"""normalise_with_offsets (used to find a passage's characters on the page image) agrees with
normalise_text on any text PDFium can give, and each output character leads back to its source."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weerbaar.normalise import _REPLACEMENTS, normalise_text, normalise_with_offsets

# PDFium's line ends and hyphen marks, the characters removed or replaced, and ordinary text
# (capitals, digits, vowels and a conjunction, around which a line-end hyphen is kept).
_PDF_TEXT = st.lists(st.sampled_from(["\r", "\n", "\r\n", "\ufffe", "\u00ad", "\ufeff", "\x00", "\uf0b7", "\uf0a7",
                                       "\u00a0", " ", "\t", "a", "b", "-", "é", "o", "e", "A", "Bc", "1", "en "]),
                     max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(_PDF_TEXT)
def test_offsets_lead_back_to_the_characters_they_came_from(text):
    normalised, origin = normalise_with_offsets(text)
    assert normalised == normalise_text(text)
    assert len(origin) == len(normalised)
    for char, at in zip(normalised, origin):
        assert char == text[at] or text[at] in _REPLACEMENTS or text[at : at + 2] in _REPLACEMENTS or \
            (text[at] == "\ufffe" and char in "-\n")


def test_a_word_hyphenated_at_a_line_end_is_rejoined_and_line_ends_are_unix():
    """PDFium puts U+FFFE where it took a hyphen out at the end of a line (seen as "weer\ufffebaarheid")."""
    assert normalise_text("weer\ufffebaarheid\r\nen\u00a0veer\ufffe\nkracht  \r\n") == "weerbaarheid\nen veerkracht"


@pytest.mark.parametrize(("pdfium", "written"), [
    ("risico\ufffeprofiel", "risicoprofiel"),  # a compound broken at the line end
    ("Samenwer\ufffekingsverband", "Samenwerkingsverband"),
    ("crisis\ufffeorganisatie", "crisisorganisatie"),  # s-o: no vowels that clash
    ("VEILIGHEIDS\ufffeREGIO", "VEILIGHEIDSREGIO"),  # a heading in capitals
    ("privé\ufffesfeer", "privésfeer"),
])
def test_a_hyphen_that_only_breaks_a_word_is_taken_out(pdfium, written):
    assert normalise_text(pdfium) == written


@pytest.mark.parametrize(("pdfium", "written"), [
    ("auto\ufffeongeluk", "auto-ongeluk"),  # vowels that clash
    ("zee\ufffeegel", "zee-egel"),
    ("mini\ufffeijsbaan", "mini-ijsbaan"),
    ("GGD\ufffeinspectie", "GGD-inspectie"),  # an abbreviation
    ("Noord\ufffeBrabant", "Noord-Brabant"),  # a name
    ("Brabant\ufffeZuidoost", "Brabant-Zuidoost"),
    ("covid\ufffe19", "covid-19"),  # a number
    ("A2\ufffeweg", "A2-weg"),
])
def test_a_hyphen_written_in_the_word_stays(pdfium, written):
    """Deleted, these made quotes that are not what the page says ("NoordBrabant") and words search cannot find."""
    assert normalise_text(pdfium) == written
    assert normalise_with_offsets(pdfium)[0] == written


@pytest.mark.parametrize(("pdfium", "written"), [
    ("brand\ufffeen rampenbestrijding", "brand-\nen rampenbestrijding"),
    ("mee\ufffeof tegenvallers", "mee-\nof tegenvallers"),
    ("zorg\ufffe\nen veiligheid", "zorg-\nen veiligheid"),
])
def test_a_hyphen_left_standing_before_a_conjunction_keeps_its_line_break(pdfium, written):
    """Joined, "brand- en rampenbestrijding" read "branden rampenbestrijding": a different word."""
    assert normalise_text(pdfium) == written
