"""Passages are sentence-aligned, paragraph-sized and exactly located in their page."""

from hypothesis import given, settings
from hypothesis import strategies as st

from weerbaar.ingest.passages import ABBREVIATIONS, MAX_CHARS, sentence_spans, split_passages


def texts(text, spans):
    return [text[s.start : s.end] for s in spans]


def test_abbreviations_and_initials_do_not_end_a_sentence():
    text = "Dit geldt o.a. voor de GGD en m.b.t. art. 5 van de wet. Mevr. J. de Vries is akkoord. Daarna volgt meer."
    assert texts(text, sentence_spans(text)) == [
        "Dit geldt o.a. voor de GGD en m.b.t. art. 5 van de wet.",
        "Mevr. J. de Vries is akkoord.",
        "Daarna volgt meer.",
    ]


def test_every_abbreviation_is_known_however_long_and_a_longer_word_ends_the_sentence():
    # A full stop after a word longer than any abbreviation skips the list: the longest must still be found.
    for abbreviation in sorted(ABBREVIATIONS):
        text = f"Dit staat in het plan {abbreviation}. Daarna volgt meer."
        assert len(sentence_spans(text)) == 1, abbreviation
    text = "Dit staat in het grondplan. Daarna volgt meer."
    assert texts(text, sentence_spans(text)) == ["Dit staat in het grondplan.", "Daarna volgt meer."]


def test_bullets_start_new_sentences_and_line_breaks_inside_a_sentence_do_not():
    text = "Wij doen het volgende:\n• locaties aanwijzen\n• aggregaten kopen\nDe raad wordt\ngeïnformeerd."
    assert texts(text, sentence_spans(text)) == [
        "Wij doen het volgende:",
        "• locaties aanwijzen",
        "• aggregaten kopen\nDe raad wordt\ngeïnformeerd.",
    ]


def test_passages_cut_at_sentence_ends_and_stay_within_bounds():
    sentence = "De gemeente heeft vijf noodsteunpunten in de wijken aangewezen en ingericht. "
    text = (sentence * 30).strip()
    spans = split_passages(text)
    assert len(spans) > 1
    for span in spans:
        piece = text[span.start : span.end]
        assert piece.endswith(".")
        assert len(piece) <= MAX_CHARS


def test_headings_join_the_paragraph_that_follows():
    text = "Noodstroom\n\nHet stadhuis heeft een aggregaat. Er is brandstof voor 96 uur. De aggregaten worden getest."
    spans = split_passages(text)
    assert texts(text, spans) == [text.replace("\n\n", "\n\n")]


def test_page_furniture_without_words_is_dropped():
    assert split_passages("Pagina 3 van 136\n\n........ 12") == []


def test_an_overlong_run_without_full_stops_is_cut_at_spaces():
    text = " ".join(["kolom"] * 1200)
    spans = split_passages(text)
    assert all(s.end - s.start <= MAX_CHARS for s in spans)
    assert sum(len(text[s.start : s.end].split()) for s in spans) == 1200


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abc de.F?\n\n•-12 ")), max_size=3000))
def test_passages_are_exact_ordered_non_overlapping_substrings(text):
    spans = split_passages(text)
    previous_end = 0
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert span.start >= previous_end
        piece = text[span.start : span.end]
        assert piece == piece.strip()
        previous_end = span.end
