"""Real documents of the field (../shared): skipped when that folder is absent."""

import shutil

import pypdfium2 as pdfium
import pytest

from tests.conftest import shared_path
from tests.test_ingest import assert_provenance
from weerbaar.ingest.pipeline import ingest_paths
from weerbaar.workspace.documents import list_documents

pytestmark = pytest.mark.corpus

WASSENAAR = {
    "begroting-wassenaar-2021-2024.pdf": ("begroting", 2021),
    "begroting_2024.pdf": ("begroting", 2024),
    "begroting_2025.pdf": ("begroting", 2025),
    "Jaarstukken_2023.pdf": ("jaarverslag", 2023),
}


def test_wassenaar_budgets_page_by_page_with_organisation_type_and_year(ws):
    folder = shared_path("corpus", "gemeente-wassenaar")
    report = ingest_paths(ws, [folder])
    assert report.count("nieuw") == 4 and not report.skipped
    docs = {d["filename"]: d for d in list_documents(ws)}
    for name, (doc_type, year) in WASSENAAR.items():
        d = docs[name]
        assert (d["organisation"], d["organisation_type"], d["doc_type"], d["year"]) == (
            "Gemeente Wassenaar", "gemeente", doc_type, year), name
        assert d["page_count"] == len(pdfium.PdfDocument(folder / name)) >= 120
    assert assert_provenance(ws) == report.passages > 1000


def test_wassenaar_inferred_from_content_when_the_folder_says_nothing(ws, tmp_path):
    source = shared_path("corpus", "gemeente-wassenaar", "begroting_2025.pdf")
    shutil.copy(source, tmp_path / "download.pdf")
    ingest_paths(ws, [tmp_path / "download.pdf"])
    (doc,) = list_documents(ws)
    assert (doc["organisation"], doc["doc_type"], doc["year"]) == ("Gemeente Wassenaar", "begroting", 2025)
    assert doc["metadata_source"]["organisation"] == "inhoud"


def _encrypted(path) -> bool:
    return b"/Encrypt" in path.read_bytes()


def test_den_haag_pdfs_encrypted_with_an_empty_password_are_read_like_any_other(ws, tmp_path):
    folder = shared_path("corpus", "gemeente-den-haag-2025")
    encrypted = [p for p in sorted(folder.glob("*.pdf")) if _encrypted(p)][:12]
    plain = [p for p in sorted(folder.glob("*.pdf")) if not _encrypted(p)][:4]
    assert len(encrypted) >= 10
    sample = tmp_path / "gemeente-den-haag-2025"
    sample.mkdir()
    for p in encrypted + plain:
        shutil.copy(p, sample / p.name)
    report = ingest_paths(ws, [sample])
    assert not report.skipped, [(o.path.name, o.message) for o in report.skipped]
    docs = list_documents(ws)
    assert len(docs) == 16
    assert all(d["organisation"] == "Gemeente Den Haag" and d["passage_count"] > 0 for d in docs)
    assert assert_provenance(ws) > 0


@pytest.mark.parametrize(("name", "reason"), [
    ("wassenaar-jaarrekening-2019-garbled-text-layer.pdf", "onleesbare-tekstlaag"),
    ("wassenaar-jaarstukken-2021-image-only.pdf", "gescand"),
    ("blanco.pdf", "leeg"),
])
def test_broken_files_are_refused_with_a_clear_reason(ws, name, reason):
    report = ingest_paths(ws, [shared_path("corpus", "broken", name)])
    (outcome,) = report.outcomes
    assert (outcome.status, outcome.reason) == ("overgeslagen", reason)
    assert ws.conn.execute("SELECT count(*) FROM passages").fetchone()[0] == 0


def test_helmond_council_text_bundles(ws):
    report = ingest_paths(ws, [shared_path("corpus", "gemeente-helmond-raad-2021-2022")])
    assert report.count("nieuw") == 3
    docs = list_documents(ws)
    assert {d["organisation"] for d in docs} == {"Gemeente Helmond"}
    assert {d["date"] for d in docs} == {"2021-05-25", "2021-09-28", "2022-05-10"}
    assert all(not d["paginated"] for d in docs)
    assert assert_provenance(ws) > 500


def test_seed_documents_are_ingested(ws):
    report = ingest_paths(ws, [shared_path("seeds")])
    assert report.count("nieuw") == 4 and not report.skipped
    assert assert_provenance(ws) > 100
