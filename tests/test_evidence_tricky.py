"""Tricky cases for evidence finding: negations, word forms, budget language, everyday senses, subjects.

Every sentence here is written for this test; none comes from a real document.
"""

import pytest

from weerbaar.classify.analyser import Analyser
from weerbaar.classify.lexical import CorpusStats
from weerbaar.classify.model import RelevanceModel
from weerbaar.classify.stage import StageDetector, TextContext, fit_stage_model
from weerbaar.classify.subject import SubjectDetector
from weerbaar.classify.terms import FormMatcher, word_forms
from weerbaar.codebook import load_codebook

BOOK = load_codebook()


@pytest.fixture(scope="module")
def analyser(embedder):
    return Analyser(BOOK, RelevanceModel.builtin(), embedder)


def _elements(analyser, text):
    return analyser.analyse([text], CorpusStats.reference())[0].element_terms


def test_every_measure_has_evidence_elements():
    assert all(len(m.elements) >= 2 for m in BOOK.measures), [m.id for m in BOOK.measures if len(m.elements) < 2]


@pytest.mark.parametrize(("text", "found"), [
    ("Het dorpshuis heeft geen noodstroom.", False),
    ("Er is nog geen noodstroomvoorziening of aggregaat aanwezig.", False),
    ("Het dorpshuis beschikt over een aggregaat voor noodstroom.", True),
])
def test_negated_elements_do_not_count(analyser, text, found):
    elements = _elements(analyser, text).get("3.1", {})
    assert bool(elements) is found, elements


@pytest.mark.parametrize(("text", "vulnerable"), [
    ("We beperken de kosten van de buitenruimte.", False),
    ("Mensen met een beperking krijgen voorrang bij de noodsteunpunten.", True),
    ("Er zijn beperkingen voor rolstoelgebruikers bij de opvang.", True),
    ("Zonder zorginstellingen gaat de planning door.", False),
])
def test_vulnerable_groups_match_whole_words_and_negation(analyser, text, vulnerable):
    assert bool(analyser.analyse([text], CorpusStats.reference())[0].vulnerable_terms) is vulnerable


def test_word_forms_take_plural_endings_but_not_other_words():
    matcher = FormMatcher([("x", "noodsteunpunt"), ("y", "beperking")])
    assert matcher.group(matcher.find(word_forms("Vijf noodsteunpunten."))) == {"x": {"noodsteunpunt"}}
    assert matcher.group(matcher.find(word_forms("We beperken het."))) == {}


BUDGET_2025 = TextContext(doc_type="begroting", year=2025, organisation="Gemeente Dijkwaard",
                          organisation_type="gemeente", known=True)
ANNUAL_2024 = TextContext(doc_type="jaarverslag", year=2024, organisation="Gemeente Dijkwaard",
                          organisation_type="gemeente", known=True)


@pytest.mark.parametrize(("text", "context", "allowed"), [
    ("In 2025 wordt het crisisplan geëvalueerd en waar nodig bijgesteld.", BUDGET_2025, {1, 2}),  # a plan, not a test
    ("De oefening stroomuitval is op 30 november 2023 met alle afdelingen gehouden.", ANNUAL_2024, {3, 4}),
    ("In de wijken zijn vijf noodsteunpunten aangewezen en ingericht.", ANNUAL_2024, {3, 4}),
    ("We willen verkennen of een noodsteunpunt in elke kern mogelijk is.", BUDGET_2025, {1, 2}),
])
def test_the_learned_stage_reads_tense_date_and_document_type(text, context, allowed):
    result = StageDetector(BOOK).detect(text, context, "eigen")
    assert result.stage in allowed, result
    assert result.cue  # the deciding words are shown


def test_research_about_organisations_in_general_is_context_whatever_its_tense():
    research = TextContext(doc_type="overig", year=2024, organisation=None, organisation_type="overig", known=True)
    text = "Veel gemeenten hebben inmiddels noodsteunpunten aangewezen en ingericht."
    subject = SubjectDetector().detect(text, research).kind
    assert subject == "algemeen"
    assert StageDetector(BOOK).detect(text, research, subject).stage == 0
    # The same realised work written by a municipality about itself is execution.
    own = "In de wijken hebben wij vijf noodsteunpunten aangewezen en ingericht."
    assert StageDetector(BOOK).detect(own, ANNUAL_2024, "eigen").stage >= 3
    # Also a model that never saw a research report (fitted on municipal text only) keeps it context.
    texts = [own, "In 2025 stellen wij een crisisplan op.", "Het crisisplan is vastgesteld en wordt uitgevoerd.",
             "We willen een netwerk van vrijwilligers opzetten."]
    detector = StageDetector(BOOK, model=False)
    model = fit_stage_model(detector, texts, [ANNUAL_2024, BUDGET_2025, ANNUAL_2024, BUDGET_2025],
                            ["eigen"] * 4, [3, 2, 3, 1], "test")
    assert StageDetector(BOOK, model=model).detect(text, research, subject).stage == 0


def test_a_loose_text_without_its_document_gets_the_stage_of_its_cues():
    assert StageDetector(BOOK).detect("Op 8 oktober is de crisisorganisatie geoefend.").stage == 4


HELMOND_MINUTES = TextContext(doc_type="notulen", year=2021, organisation="Gemeente Helmond",
                              organisation_type="gemeente", known=True)


def test_budget_text_of_the_safety_region_in_a_council_bundle_speaks_for_the_region():
    subject = SubjectDetector().detect(
        "De Veiligheidsregio Brabant-Zuidoost heeft in 2021 de regionale crisisorganisatie doorontwikkeld; "
        "het algemeen bestuur stelt de ontwerpbegroting vast na de zienswijzen van de deelnemende gemeenten.",
        HELMOND_MINUTES)
    assert subject.kind == "veiligheidsregio" and subject.name == "Veiligheidsregio Brabant-Zuidoost"
    assert subject.cue


def test_the_municipalitys_own_words_speak_for_itself():
    subject = SubjectDetector().detect("Wij hebben in onze gemeente vijf noodsteunpunten aangewezen.", HELMOND_MINUTES)
    assert subject.kind == "eigen" and subject.name == "Gemeente Helmond"


def test_a_research_report_has_no_own_organisation():
    research = TextContext(doc_type="overig", year=2024, organisation=None, organisation_type="overig", known=True)
    assert SubjectDetector().detect("Gemeenten geven aan dat zij hun kritieke processen nog niet in beeld hebben.",
                                    research).kind != "eigen"


@pytest.mark.parametrize(("text", "measure"), [
    ("We versterken de mentale weerbaarheid van jongeren met trainingen op school.", "5.1"),
    ("De rioolheffing stijgt; ook de vergoeding voor drinkwater in gemeentelijke gebouwen gaat omhoog.", "3.2"),
    ("Met de aanpak ondermijning vergroten we de weerbaarheid van ondernemers tegen criminelen.", "5.1"),
    ("De opkomst bij de verkiezingen was hoger dan vier jaar geleden.", "6.1"),
])
def test_everyday_senses_are_not_evidence(analyser, text, measure):
    result = analyser.analyse([text], CorpusStats.reference())[0]
    assert measure not in [m for m, _ in analyser.relevant(result)]


def test_real_evidence_is_above_the_threshold(analyser):
    text = ("In elke wijk zijn noodsteunpunten aangewezen waar inwoners bij een langdurige stroomuitval "
            "informatie, warmte en eerste hulp krijgen; de locaties hebben noodstroom.")
    result = analyser.analyse([text], CorpusStats.reference())[0]
    assert "2.2" in [m for m, _ in analyser.relevant(result)]


def test_classification_does_not_depend_on_a_workspace():
    assert CorpusStats.reference().n_passages > 1000  # shipped reference frequencies, not uniform weights


@pytest.mark.parametrize(("text", "name"), [
    ("De GGD BZO heeft haar crisisteam opgeleid.", "GGD Brabant-Zuidoost"),  # an abbreviation of the region
    ("De GGD Haaglanden oefent de opschaling.", "GGD Haaglanden"),
    ("Het GGD Crisisteam is geoefend.", None),  # a capitalised word is no region
])
def test_a_ggd_is_named_after_its_region_or_not_at_all(text, name):
    subject = SubjectDetector().detect(text, HELMOND_MINUTES)
    assert subject.kind == "ggd" and subject.name == name
