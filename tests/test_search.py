"""Search finds passages by stem, phrase, alternatives and filters, and marks the right words."""

import pytest

from tests.conftest import write_pdf
from weerbaar.errors import QueryError
from weerbaar.index.search import parse_query, search
from weerbaar.ingest.pipeline import IngestOptions, ingest_paths
from weerbaar.workspace.documents import DocumentFilters

DIJKWAARD = [
    "De gemeente heeft vijf noodsteunpunten aangewezen. Elk noodsteunpunt heeft een aggregaat voor noodstroom.",
    "Het communicatieplan voor crises is vastgesteld. De kritieke processen zijn in beeld gebracht.",
]
HEEMVOORT = [
    "Wij willen onderzoeken of in iedere kern een noodsteunpunt kan komen.",
    "Het drinkwater wordt bij uitval geleverd via noodwaterpunten van het waterbedrijf.",
]


@pytest.fixture
def filled(ws, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    write_pdf(a / "jaarverslag-2024.pdf", DIJKWAARD)
    write_pdf(b / "begroting-2025.pdf", HEEMVOORT)
    ingest_paths(ws, [a], IngestOptions(overrides={"organisation": "Gemeente Dijkwaard"}))
    ingest_paths(ws, [b], IngestOptions(overrides={"organisation": "Gemeente Heemvoort"}))
    return ws


def orgs(hits):
    return [h.citation.organisation for h in hits]


def test_singular_finds_plural_and_the_page_is_right(filled):
    hits = search(filled, "noodsteunpunten")
    assert sorted(orgs(hits)) == ["Gemeente Dijkwaard", "Gemeente Heemvoort"]
    dijkwaard = next(h.citation for h in hits if h.citation.organisation == "Gemeente Dijkwaard")
    assert dijkwaard.page == 1 and dijkwaard.year == 2024 and dijkwaard.document_type == "jaarverslag"
    highlights = next(h.highlights for h in hits if h.citation == dijkwaard)
    assert [dijkwaard.text[a:b] for a, b in highlights] == ["noodsteunpunten", "noodsteunpunt"]


def test_phrase_or_and_not(filled):
    assert orgs(search(filled, '"kritieke processen"')) == ["Gemeente Dijkwaard"]
    assert orgs(search(filled, '"processen kritieke"')) == []
    assert sorted(orgs(search(filled, "aggregaat OF noodwaterpunten"))) == ["Gemeente Dijkwaard", "Gemeente Heemvoort"]
    assert orgs(search(filled, "noodsteunpunt -aggregaat")) == ["Gemeente Heemvoort"]


def test_filters_on_organisation_type_and_year(filled):
    assert orgs(search(filled, "noodsteunpunt", DocumentFilters(organisation="heemvoort"))) == ["Gemeente Heemvoort"]
    assert orgs(search(filled, "noodsteunpunt", DocumentFilters(doc_type="jaarverslag"))) == ["Gemeente Dijkwaard"]
    assert orgs(search(filled, "noodsteunpunt", DocumentFilters(year_from=2025, year_to=2025))) == ["Gemeente Heemvoort"]


def test_snippet_keeps_highlights_on_the_same_words(filled):
    hit = search(filled, "communicatieplan")[0]
    snippet, spans = hit.snippet(width=40)
    assert [snippet[a:b] for a, b in spans] == ["communicatieplan"]


def test_query_without_words_is_a_clear_error():
    with pytest.raises(QueryError) as info:
        parse_query(' -- "" ')
    assert info.value.message == "De zoekvraag bevat geen zoekwoorden."


def test_fts_syntax_characters_in_a_query_are_harmless(filled):
    plain = search(filled, "noodsteunpunt")
    assert len(plain) == 2
    assert search(filled, 'noodsteunpunt "(" * ^ :') == plain
