"""The command line: exit codes, Dutch messages, JSON that scripts can rely on."""

import json

import pytest
from typer.testing import CliRunner

from tests.conftest import PROSE, write_docx, write_image_pdf, write_pdf
from weerbaar import __version__
from weerbaar.cli.main import app
from weerbaar.workspace import Workspace

runner = CliRunner()


def run(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env, catch_exceptions=False)


@pytest.fixture
def folder(tmp_path):
    docs = tmp_path / "gemeente-testdorp"
    docs.mkdir()
    write_pdf(docs / "programmabegroting-2024.pdf", PROSE)
    write_docx(docs / "raadsinformatiebrief-2025.docx", [[PROSE[0]], [PROSE[1]]])
    write_image_pdf(docs / "scan.pdf")
    return docs


@pytest.fixture
def workspace(tmp_path, folder):
    ws = tmp_path / "ws"
    result = run("ingest", folder, "--werkruimte", ws)
    assert result.exit_code == 0, result.output
    return ws


def test_version():
    assert run("--versie").stdout.strip() == f"weerbaar {__version__}"


def test_ingest_reports_counts_and_skipped_files(tmp_path, folder):
    result = run("ingest", folder, "--werkruimte", tmp_path / "ws")
    assert result.exit_code == 0
    assert "Nieuw ingelezen     2" in result.stderr
    assert "scan.pdf" in result.stderr and "gescand: geen tekstlaag" in result.stderr
    again = run("ingest", folder, "--werkruimte", tmp_path / "ws")
    assert "Ongewijzigd (al ingelezen)  2" in again.stderr


def test_ingest_json(tmp_path, folder):
    result = run("ingest", folder, "--werkruimte", tmp_path / "ws", "--json")
    data = json.loads(result.stdout)
    assert data["counts"]["new"] == 2 and data["counts"]["skipped"] == 1
    scan = next(f for f in data["files"] if f["file"].endswith("scan.pdf"))
    assert scan["reason"] == "gescand" and scan["status"] == "overgeslagen"


def test_ingest_with_nothing_readable_fails_clearly(tmp_path):
    docs = tmp_path / "scans"
    docs.mkdir()
    write_image_pdf(docs / "scan.pdf")
    result = run("ingest", docs, "--werkruimte", tmp_path / "ws")
    assert result.exit_code == 1
    assert "Fout: Geen enkel bestand kon worden ingelezen." in result.stderr


def test_ingest_of_a_missing_path(tmp_path):
    result = run("ingest", tmp_path / "bestaat-niet", "--werkruimte", tmp_path / "ws")
    assert result.exit_code == 1
    assert f"Fout: '{tmp_path / 'bestaat-niet'}' bestaat niet." in result.stderr


def test_metadata_from_the_command_line(tmp_path, folder):
    run("ingest", folder, "--werkruimte", tmp_path / "ws", "--organisatie", "VRBZO", "--jaar", "2019")
    docs = json.loads(run("documenten", "--werkruimte", tmp_path / "ws", "--json").stdout)["documents"]
    assert {(d["organisation"], d["organisation_type"], d["year"]) for d in docs} == {
        ("Veiligheidsregio Brabant-Zuidoost", "veiligheidsregio", 2019)}


def test_documents_list_and_correction(workspace):
    listing = run("documenten", "--werkruimte", workspace)
    assert listing.exit_code == 0
    assert "Gemeente Testdorp" in listing.stdout and "1 bestanden geweigerd" in listing.stdout
    docs = json.loads(run("documenten", "--werkruimte", workspace, "--json").stdout)["documents"]
    brief = next(d for d in docs if d["file"].startswith("raadsinformatiebrief"))
    shown = (brief["document_type"], brief["year"], brief["page_count"], brief["passage_count"])
    assert shown == ("raadsinformatiebrief", 2025, 2, 2)

    fixed = run("documenten", "--werkruimte", workspace, "wijzig", brief["id"], "--jaar", "2024", "--documenttype", "memo")
    assert fixed.exit_code == 0, fixed.output
    after = next(d for d in json.loads(run("documenten", "-w", workspace, "--json").stdout)["documents"]
                 if d["id"] == brief["id"])
    assert (after["year"], after["document_type"], after["metadata_source"]["year"]) == (2024, "memo", "handmatig")
    assert after["metadata_source"]["document_type"] == "handmatig"

    bad = run("documenten", "--werkruimte", workspace, "wijzig", brief["id"], "--documenttype", "folder")
    assert bad.exit_code == 2
    assert "onbekend documenttype 'folder'" in bad.stderr
    missing = run("documenten", "--werkruimte", workspace, "wijzig", "999", "--jaar", "2024")
    assert missing.exit_code == 1
    assert "Fout: Er is geen document met nummer 999 in deze werkruimte." in missing.stderr


def test_skipped_files_are_listed(workspace):
    result = json.loads(run("documenten", "--werkruimte", workspace, "--overgeslagen", "--json").stdout)
    assert [r["reason"] for r in result["skipped_files"]] == ["gescand"]


def test_search_json_quotes_are_verbatim_at_their_page(workspace):
    result = run("zoek", "noodsteunpunten OF continuiteitsplan", "--werkruimte", workspace, "--json")
    data = json.loads(result.stdout)
    assert data["query"] == "noodsteunpunten OF continuiteitsplan"
    hits = data["hits"]
    assert len(hits) >= 2
    with Workspace.open(workspace) as ws:
        for hit in hits:
            c = hit["citation"]
            page = ws.conn.execute("SELECT text FROM pages WHERE document_id = ? AND page_no = ?",
                                   (c["document_id"], c["page"])).fetchone()[0]
            assert page[c["start"] : c["end"]] == c["text"]
            for a, b in hit["highlights"]:
                assert hit["snippet"][a:b].lower().startswith(("noodsteunpunt", "continuiteitsplan"))


def test_search_text_output_and_filters(workspace):
    result = run("zoek", "noodsteunpunten", "--werkruimte", workspace, "--type", "begroting", "--jaar", "2024")
    assert result.exit_code == 0
    assert "Gemeente Testdorp" in result.stdout and "p. 1" in result.stdout
    assert "(begroting, 2024)" in result.stdout
    none = run("zoek", "zwembad", "--werkruimte", workspace)
    assert "Geen passages gevonden." in none.stdout


def test_search_without_workspace_explains_what_to_do(tmp_path):
    result = run("zoek", "noodstroom", "--werkruimte", tmp_path / "leeg")
    assert result.exit_code == 1
    assert f"Fout: Geen werkruimte gevonden in '{tmp_path / 'leeg'}'." in result.stderr
    assert "weerbaar ingest MAP" in result.stderr


def test_workspace_from_environment_variable(workspace):
    result = run("zoek", "noodsteunpunten", env={"WEERBAAR_WERKRUIMTE": str(workspace)})
    assert result.exit_code == 0 and "Gemeente Testdorp" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--jaar", "vorig"], "'vorig' is geen jaar of reeks zoals 2024 of 2020-2024."),
    (["--jaar", "2025-2020"], "de reeks 2025-2020 loopt achteruit."),
    (["--type", "folder"], "onbekend documenttype 'folder'"),
])
def test_invalid_filters(workspace, args, message):
    result = run("zoek", "noodstroom", "--werkruimte", workspace, *args)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


def test_measures(tmp_path):
    data = json.loads(run("maatregelen", "--json").stdout)
    assert len(data["measures"]) == 41
    crucial = json.loads(run("maatregelen", "--cruciaal", "--json").stdout)
    assert [m["id"] for m in crucial["measures"]][:2] == ["1.1", "1.2"] and len(crucial["measures"]) == 12
    table = run("maatregelen", "--pijler", "2")
    assert "Noodsteunpunten inrichten" in table.stdout and "Kritieke" not in table.stdout
    bad = tmp_path / "codeboek.yaml"
    bad.write_text("name: x\nversion: '1'\npillars: []\nkleur: rood\n", encoding="utf-8")
    result = run("maatregelen", "--codeboek", bad)
    assert result.exit_code == 1
    assert "codeboek.yaml, regel 4: veld 'kleur': is geen bekend veld" in result.stderr


def test_demo_builds_a_searchable_workspace_and_says_what_next(tmp_path):
    result = run("demo", "--werkruimte", tmp_path / "demo")
    assert result.exit_code == 0
    assert "Nieuw ingelezen     8" in result.stderr
    assert "weerbaar zoek noodsteunpunten" in result.stderr
    docs = json.loads(run("documenten", "--werkruimte", tmp_path / "demo", "--json").stdout)["documents"]
    assert {d["format"] for d in docs} == {"pdf", "docx", "html", "txt"}
    assert {d["organisation"] for d in docs} == {"Gemeente Dijkwaard", "Gemeente Heemvoort", "Veiligheidsregio Rijnvallei"}
    hits = json.loads(run("zoek", "noodsteunpunten", "--werkruimte", tmp_path / "demo", "--json").stdout)["hits"]
    assert {h["citation"]["organisation"] for h in hits} >= {"Gemeente Dijkwaard", "Gemeente Heemvoort"}
    again = run("demo", "--werkruimte", tmp_path / "demo", "--zonder-analyse")  # the re-read, not the report again
    assert "Ongewijzigd (al ingelezen)  8" in again.stderr
