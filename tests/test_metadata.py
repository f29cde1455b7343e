"""Metadata is inferred from names and content, and overridden by manifest, flags and corrections."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import PROSE, write_docx, write_pdf
from weerbaar.documentmeta import DOC_TYPES
from weerbaar.errors import ManifestError
from weerbaar.ingest.manifest import load_manifest
from weerbaar.ingest.metadata import _doc_type_in, infer_metadata
from weerbaar.ingest.pipeline import IngestOptions, ingest_paths
from weerbaar.organisations import find_safety_region, normalise_organisation
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import correct_document, list_documents


@pytest.mark.parametrize(
    ("path", "organisation", "org_type", "doc_type", "year", "date"),
    [
        ("gemeente-wassenaar/begroting_2025.pdf", "Gemeente Wassenaar", "gemeente", "begroting", 2025, None),
        ("gemeente-wassenaar/Jaarstukken_2023.pdf", "Gemeente Wassenaar", "gemeente", "jaarverslag", 2023, None),
        ("stukken/begroting-wassenaar-2021-2024.pdf", None, "overig", "begroting", 2021, None),
        ("vr-haaglanden/beleidsplan-2023-2026.pdf", "Veiligheidsregio Haaglanden", "veiligheidsregio", "beleidsplan", 2023, None),
        ("VRBZO/risicoprofiel 2024.pdf", "Veiligheidsregio Brabant-Zuidoost", "veiligheidsregio", "risicoprofiel", 2024, None),
        ("raad/1259650__raadsvoorstel-15167058-20250213-ris321209-gemeenschappelijke-regeling-veiligheidsregio.pdf",
         None, "overig", "raadsvoorstel", 2025, "2025-02-13"),
        ("gemeente-helmond/Gemeenteraad_10-05-2022.txt", "Gemeente Helmond", "gemeente", "overig", 2022, "2022-05-10"),
        ("ggd-rijnvallei/jaarverslag_2022.docx", "GGD Rijnvallei", "ggd", "jaarverslag", 2022, None),
        ("gemeente-den-haag-2025/motie-werk-algemeen-belang-uit.pdf", "Gemeente Den Haag", "gemeente", "motie", None, None),
    ],
)
def test_inference_from_folder_and_file_names(path, organisation, org_type, doc_type, year, date):
    meta = infer_metadata(Path("/data") / path, ["Een pagina zonder namen of jaartallen."], None)
    assert (meta.organisation, meta.organisation_type, meta.doc_type, meta.year, meta.date) == (
        organisation, org_type, doc_type, year, date)


def test_inference_from_content_when_names_say_nothing():
    first = ("Gemeente Testdorp\nRaadsinformatiebrief\nDatum: 3 juni 2025\n"
             "Geachte leden van de raad, de gemeente Testdorp informeert u over de noodsteunpunten.")
    meta = infer_metadata(Path("/downloads/brief.pdf"), [first], None)
    assert meta.organisation == "Gemeente Testdorp"
    assert meta.doc_type == "raadsinformatiebrief"
    assert meta.date == "2025-06-03" and meta.year == 2025
    assert meta.source == {"title": "inhoud", "organisation": "inhoud", "organisation_type": "afgeleid",
                           "doc_type": "inhoud", "date": "inhoud", "year": "inhoud"}


LETTERHEAD = ("Gemeente Dijkwaard Postbus 100 dienst: afdeling-telefoon\n"
              "Kerkplein 1 1234 AB Dijkwaard\n"
              "Dijkwaard\n"
              "Datum\n"
              "3 maart 2025\n"
              "Ons kenmerk\n"
              "BO/20250303\n")


@pytest.mark.parametrize(("first_page", "title"), [
    (LETTERHEAD + "Voorstel van het college inzake een noodstroomplan voor het gemeentehuis\nDe raad wordt gevraagd ...",
     "Voorstel van het college inzake een noodstroomplan voor het gemeentehuis"),
    (LETTERHEAD + "Onderwerp\nOefening noodsteunpunten in de wijken\nGeachte leden van de raad,",
     "Oefening noodsteunpunten in de wijken"),
    ("Aan de leden van de raad\nOnderwerp: Drinkwater bij langdurige stroomuitval\nGeachte leden,",
     "Drinkwater bij langdurige stroomuitval"),
    ("Jaarverslag 2024 VR\nVeiligheidsregio Rijnvallei", "Jaarverslag 2024 VR"),  # a year, not a postcode
    ("Gemeente Dijkwaard\nBeleidsplan crisisbeheersing 2025-2028\nInleiding", "Beleidsplan crisisbeheersing 2025-2028"),
    # a line of running text that begins with the label's word is no label
    ("Raadsinformatiebrief over de crisisorganisatie\nbetreft de afspraken met de veiligheidsregio over opvang",
     "Raadsinformatiebrief over de crisisorganisatie"),
])
def test_the_title_is_the_subject_not_the_letterhead(first_page, title):
    meta = infer_metadata(Path("/data/gemeente-dijkwaard/brief.pdf"), [first_page], None)
    assert meta.title == title and meta.source["title"] == "inhoud"


def test_a_plain_text_file_gets_no_title_from_its_first_line_but_markdown_from_its_heading(tmp_path):
    from weerbaar.ingest.readers.text import read_text

    (tmp_path / "brief.txt").write_text("Xq 7 3)\n\nOnderwerp\n\nWeerbaarheid in de wijk\n\n" + PROSE[0], "utf-8")
    (tmp_path / "memo.md").write_text("# Memo stroomuitval\n\n" + PROSE[0], "utf-8")
    assert read_text(tmp_path / "brief.txt").title is None
    assert read_text(tmp_path / "memo.md").title == "Memo stroomuitval"
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        ingest_paths(ws, [tmp_path / "brief.txt"])
        assert [d["title"] for d in ws.documents.overview()] == ["Weerbaarheid in de wijk"]


def test_a_report_that_cites_many_organisations_belongs_to_none_of_them():
    text = ("Onderzoeksrapport over weerbaarheid\n\n" + "Tekst zonder namen. " * 30 +
            "Respondenten van gemeente Utrecht, gemeente Utrecht, gemeente Barneveld, Veiligheidsregio Twente "
            "en Veiligheidsregio Zeeland vertelden over hun aanpak.")
    assert infer_metadata(Path("/x/rapport.txt"), [text], None).organisation is None


def test_a_document_type_in_the_title_beats_later_mentions():
    meta = infer_metadata(Path("/x/stuk.pdf"), ["Programmabegroting 2026\nIn deze begroting staan ook moties."], None)
    assert meta.doc_type == "begroting" and meta.year == 2026


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("VRBZO", "Veiligheidsregio Brabant-Zuidoost"),
        ("veiligheidsregio brabant zuid oost", "Veiligheidsregio Brabant-Zuidoost"),
        ("VR Fryslan", "Veiligheidsregio Fryslân"),
        ("gemeente den haag", "Gemeente Den Haag"),
        ("Utrecht", "Utrecht"),  # a bare place name is not a safety region
        ("gemeente Utrecht", "Gemeente Utrecht"),
    ],
)
def test_organisation_names_are_normalised(name, expected):
    assert normalise_organisation(name)[0] == expected


def _corpus(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    write_pdf(folder / "begroting-2024.pdf", PROSE)
    write_docx(folder / "brief.docx", [[PROSE[0]]])
    return folder


def test_manifest_csv_overrides_inference_and_patterns_apply_to_a_folder(ws, tmp_path):
    folder = _corpus(tmp_path)
    (folder / "manifest.csv").write_text(
        "bestand;organisatie;documenttype;jaar;bron\n"
        "brief.docx;Gemeente Testdorp;raadsinformatiebrief;2025;https://example.org/brief\n"
        "*.pdf;Gemeente Testdorp;;;\n",
        encoding="utf-8",
    )
    ingest_paths(ws, [folder])
    docs = {d["filename"]: d for d in list_documents(ws)}
    brief, begroting = docs["brief.docx"], docs["begroting-2024.pdf"]
    assert (brief["organisation"], brief["doc_type"], brief["year"]) == ("Gemeente Testdorp", "raadsinformatiebrief", 2025)
    assert brief["metadata_source"]["year"] == "manifest"
    assert brief["source_info"]["url"] == "https://example.org/brief"
    assert (begroting["organisation"], begroting["doc_type"], begroting["year"]) == ("Gemeente Testdorp", "begroting", 2024)
    assert begroting["metadata_source"]["doc_type"] == "bestandsnaam"
    assert "manifest.csv" not in docs


def test_manifest_yaml(ws, tmp_path):
    folder = _corpus(tmp_path)
    (folder / "manifest.yaml").write_text(
        "documenten:\n  - bestand: brief.docx\n    organisatie: VRBZO\n    datum: 2024-03-01\n", encoding="utf-8")
    ingest_paths(ws, [folder])
    brief = next(d for d in list_documents(ws) if d["filename"] == "brief.docx")
    assert brief["organisation"] == "Veiligheidsregio Brabant-Zuidoost"
    assert brief["organisation_type"] == "veiligheidsregio"
    assert brief["date"] == "2024-03-01"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("bestand,organisatie,jaar\nbrief.docx,Testdorp,twintig\n", "manifest.csv, regel 2: jaar 'twintig' is geen jaartal."),
        ("bestand,organisatie,kleur\nbrief.docx,Testdorp,rood\n", "manifest.csv, regel 2: onbekende kolom(men) kleur."),
        ("bestand,documenttype\nbrief.docx,begroting\nx.pdf,folder\n",
         "manifest.csv, regel 3: onbekend documenttype 'folder'; kies uit: motie, amendement, raadsinformatiebrief, "
         "raadsvoorstel, notulen, memo, risicoprofiel, beleidsplan, jaarverslag, begroting, overig."),
        ("organisatie\nTestdorp\n", "manifest.csv, regel 2: kolom 'bestand' ontbreekt of is leeg."),
    ],
)
def test_invalid_manifest_gives_the_line(tmp_path, content, message):
    path = tmp_path / "manifest.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        load_manifest(path)
    assert info.value.message == message


def test_invalid_yaml_manifest_gives_the_line(tmp_path):
    path = tmp_path / "manifest.yaml"
    path.write_text("- bestand: a.pdf\n  jaar: 2024\n- bestand: b.pdf\n  jaar: ooit\n", encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        load_manifest(path)
    assert info.value.message == "manifest.yaml, regel 3: jaar 'ooit' is geen jaartal."


def test_command_line_overrides_beat_the_manifest(ws, tmp_path):
    folder = _corpus(tmp_path)
    (folder / "manifest.csv").write_text("bestand,jaar\n*,2020\n", encoding="utf-8")
    ingest_paths(ws, [folder], IngestOptions(overrides={"year": 2019, "organisation": "Gemeente Elders"}))
    assert {(d["year"], d["organisation"]) for d in list_documents(ws)} == {(2019, "Gemeente Elders")}


def test_a_correction_is_kept_when_the_file_changes_and_is_ingested_again(ws, tmp_path):
    folder = _corpus(tmp_path)
    ingest_paths(ws, [folder])
    doc = next(d for d in list_documents(ws) if d["filename"] == "brief.docx")
    corrected = correct_document(ws, doc["id"], {"organisation": "Gemeente Testdorp", "year": 2023})
    assert corrected["organisation"] == "Gemeente Testdorp" and corrected["year"] == 2023

    write_docx(folder / "brief.docx", [[PROSE[1]]])  # the file changes
    ingest_paths(ws, [folder])
    again = next(d for d in list_documents(ws) if d["filename"] == "brief.docx")
    assert again["id"] != doc["id"]
    assert (again["organisation"], again["year"]) == ("Gemeente Testdorp", 2023)
    assert again["metadata_source"]["organisation"] == "handmatig"


def test_an_invalid_correction_changes_nothing(ws, tmp_path):
    ingest_paths(ws, [_corpus(tmp_path)])
    doc = list_documents(ws)[0]
    with pytest.raises(ValueError, match="geen jaartal"):
        correct_document(ws, doc["id"], {"year": "vorig jaar"})
    assert list_documents(ws)[0] == doc


def test_a_correction_follows_a_moved_file(ws, tmp_path):
    folder = _corpus(tmp_path)
    ingest_paths(ws, [folder])
    doc = next(d for d in list_documents(ws) if d["filename"] == "brief.docx")
    correct_document(ws, doc["id"], {"year": 2021})
    (folder / "brief.docx").rename(folder / "brief-verplaatst.docx")
    ingest_paths(ws, [folder])
    write_docx(folder / "brief-verplaatst.docx", [[PROSE[2]]])  # and later it changes
    ingest_paths(ws, [folder])
    moved = next(d for d in list_documents(ws) if d["filename"] == "brief-verplaatst.docx")
    assert moved["year"] == 2021 and moved["metadata_source"]["year"] == "handmatig"


def _doc_type_word_by_word(text: str) -> str | None:
    """The rule _doc_type_in's one expression replaced: each type's words searched one by one."""
    import re

    low, best = text.lower(), None
    for rank, (_, words) in enumerate(DOC_TYPES.values()):
        for word in words:
            m = re.search(rf"(?<![a-z]){re.escape(word)}" + (r"\b" if len(word) <= 4 else ""), low)
            if m and (best is None or (m.start(), rank) < best):
                best = (m.start(), rank)
    return list(DOC_TYPES)[best[1]] if best else None


_TYPE_WORDS = sorted({w for _, words in DOC_TYPES.values() for w in words})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TYPE_WORDS + ["x", "-", " ", "de", "2025", "ribbon", "memos", "Raads", "\n"]),
                max_size=8).map("".join))
def test_document_type_is_the_first_type_word_and_at_one_place_the_type_listed_first(text):
    assert _doc_type_in(text) == _doc_type_word_by_word(text)


@pytest.mark.parametrize(("name", "number"), [
    ("veiligheidsregio-fryslan", 2), ("Veiligheidsregio Fryslân", 2), ("VR_FRYSLÂN", 2), ("vr-friesland", 2),
    ("VRF", 2), ("Veiligheidsregio Brabant-Zuidoost", 22), ("vr haaglanden", 15), ("Fryslân", None), ("Haaglanden", None),
])
def test_a_safety_region_is_found_in_ascii_and_accented_spellings_but_not_by_its_place_alone(name, number):
    region = find_safety_region(name)
    assert (region.number if region else None) == number
