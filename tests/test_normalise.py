"""normalise_with_offsets (used to find a passage's characters on the page image) agrees with
normalise_text on any text PDFium can give, and each output character leads back to its source."""

from hypothesis import given, settings
from hypothesis import strategies as st

from weerbaar.normalise import _REPLACEMENTS, normalise_text, normalise_with_offsets

# PDFium's line ends and hyphen marks, the characters removed or replaced, and ordinary text.
_PDF_TEXT = st.lists(st.sampled_from(["\r", "\n", "\r\n", "\ufffe", "\u00ad", "\ufeff", "\x00", "\uf0b7", "\uf0a7",
                                       "\u00a0", " ", "\t", "a", "b", "-", "é"]), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(_PDF_TEXT)
def test_offsets_lead_back_to_the_characters_they_came_from(text):
    normalised, origin = normalise_with_offsets(text)
    assert normalised == normalise_text(text)
    assert len(origin) == len(normalised)
    for char, at in zip(normalised, origin):
        assert char == text[at] or text[at] in _REPLACEMENTS or text[at : at + 2] in _REPLACEMENTS


def test_a_word_hyphenated_at_a_line_end_is_rejoined_and_line_ends_are_unix():
    """PDFium puts U+FFFE where it took a hyphen out at the end of a line (seen as "weer\ufffebaarheid")."""
    assert normalise_text("weer\ufffebaarheid\r\nen\u00a0veer\ufffe\nkracht  \r\n") == "weerbaarheid\nen veerkracht"
