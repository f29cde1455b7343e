"""The Dutch stemmer must conflate forms of policy words without merging different words."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weerbaar.index import analysis
from weerbaar.index.analysis import index_text, stem, stems

SAME = [
    ("weerbaarheid", "weerbaar"),
    ("gemeenten", "gemeente"),
    ("gemeentelijke", "gemeente"),
    ("noodsteunpunten", "noodsteunpunt"),
    ("veiligheidsregio's", "veiligheidsregio"),
    ("zelfredzaamheid", "zelfredzaam"),
    ("aggregaten", "aggregaat"),
    ("oefeningen", "oefenen"),
    ("begrotingen", "begroting"),
    ("jaarverslagen", "jaarverslag"),
    ("kwetsbare", "kwetsbaar"),
    ("continuïteit", "continuiteit"),
]
DIFFERENT = [
    ("weerbaarheid", "weer"),  # Snowball's newer 'dutch' merges these (resilience vs weather)
    ("gemeente", "meen"),  # ... and strips ge- from gemeente
    ("noodstroom", "noodsteunpunt"),
    ("drinkwater", "nooddrinkwater"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_forms_of_a_policy_word_share_a_stem(a, b):
    assert stem(a) == stem(b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_words_keep_different_stems(a, b):
    assert stem(a) != stem(b)


def test_policy_words_stay_recognisable():
    assert stem("weerbaarheid").startswith("weerbar")
    assert stem("gemeenten").startswith("gemeent")
    assert stem("noodsteunpunten") == "noodsteunpunt"


def test_hyphenated_words_are_split_and_codes_kept():
    assert stems("Brabant-Zuidoost") == ["brabant", "zuidoost"]
    assert "bio2" in stems("de BIO2-normen")
    assert index_text("72-uurs") == "72 uur"


def test_stem_agrees_with_batch_stems():
    text = "De veiligheidsregio's en gemeenten oefenen met noodsteunpunten."
    assert [stem(w) for w in text.replace(".", "").split()] == stems(text)


# --- the fast paths of stems() (no apostrophe; ASCII) are the rule they replaced, on any text ---

_AWKWARD = st.lists(st.sampled_from(list("abcé ï'’_s-.\n\t(/:;,!\x00\x7f0ŉＩ＇Ǻ") + ["gemeente", "regio's", "auto’s"]),
                    max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(_AWKWARD)
def test_stems_equal_the_rule_with_every_apostrophe_removed_first(text):
    words = analysis._APOSTROPHE.sub("", analysis.fold(text))
    assert stems(text) == analysis._stemmer.stemWords(analysis._TOKEN.findall(words))


def test_stems_stay_right_when_the_word_cache_is_full(monkeypatch):
    monkeypatch.setattr(analysis, "_STEM_OF_MAX", 4)
    monkeypatch.setattr(analysis, "_STEM_OF", {})
    texts = ["De gemeenten oefenen met noodsteunpunten en crisisplannen.",
             "Weerbaarheid van gemeenten: oefeningen, plannen, voorraden en communicatiemiddelen.",
             "De gemeenten oefenen."]
    longest = max(len(set(analysis._TOKEN.findall(analysis.fold(text)))) for text in texts)
    for text in texts * 2:
        assert stems(text) == analysis._stemmer.stemWords(analysis._TOKEN.findall(analysis.fold(text)))
        assert len(analysis._STEM_OF) < 4 + longest  # emptied when full, before a text's new words
