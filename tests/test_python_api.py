"""The public Python API (weerbaar.open): the worked example of docs/python-api.md runs as written,
and the API says in Dutch what is wrong."""

import functools
import json
import re
import subprocess
import sys

import pytest

import weerbaar
from tests.conftest import PROSE, REPO, write_pdf
from weerbaar import api
from weerbaar.errors import WeerbaarError, WorkspaceError

MARKER = "<!-- example: run by tests/test_python_api.py -->"


def _worked_example() -> str:
    text = (REPO / "docs" / "python-api.md").read_text("utf-8")
    after = text.split(MARKER, 1)[1]
    match = re.match(r"\s*```python\n(.*?)\n```", after, re.DOTALL)
    assert match, "the marker must stand right above a ```python block"
    return match.group(1)


def test_the_worked_example_in_the_docs_runs_on_an_empty_folder(tmp_path, monkeypatch, capsys, embedder):
    monkeypatch.chdir(tmp_path)
    # The session's embedding model instead of a fresh one per project (loading it costs seconds).
    monkeypatch.setattr(api, "open", functools.partial(api.open, embedder=embedder))
    exec(compile(_worked_example(), "docs/python-api.md", "exec"), {"__name__": "__example__"})
    out = capsys.readouterr().out
    assert re.search(r"^8 documenten, \d+ passages ingelezen$", out, re.MULTILINE)
    assert "Gemeente Dijkwaard: " in out and "fase" in out
    assert re.search(r"^Gemeente Dijkwaard: (midden|hoog|laag) \(", out, re.MULTILINE)  # a verdict from the decision
    report = tmp_path / "rapport" / "rapport.html"
    assert out.rstrip().endswith(f"Rapport: {report.relative_to(tmp_path)}")
    assert "Dijkwaard" in report.read_text("utf-8")
    with weerbaar.open(tmp_path / "werkruimte", create=False) as project:  # the decision was stored
        assert [d.reviewer for d in project.decisions.final()] == ["Anna"]


def test_importing_weerbaar_loads_no_core_module():
    code = "import sys, weerbaar; print(sorted(m for m in sys.modules if m.startswith('weerbaar')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['weerbaar']"


def test_the_package_ships_its_type_information():
    assert (REPO / "src" / "weerbaar" / "py.typed").is_file()
    assert '"py.typed"' in (REPO / "pyproject.toml").read_text("utf-8")


def test_open_refuses_a_missing_workspace_unless_asked_to_make_one(tmp_path):
    with pytest.raises(WorkspaceError, match="Geen werkruimte gevonden"):
        weerbaar.open(tmp_path / "nergens", create=False)
    with weerbaar.open(tmp_path / "nieuw") as project:
        assert project.folder == tmp_path / "nieuw" and project.codebook.measures


def test_an_own_codebook_is_used_by_path(tmp_path):
    builtin = REPO / "src" / "weerbaar" / "codebook" / "data" / "vng-handreiking-2025.yaml"
    own = tmp_path / "eigen.yaml"
    own.write_text(builtin.read_text("utf-8").replace("name: ", "name: Eigen ", 1), encoding="utf-8")
    with weerbaar.open(tmp_path / "ws", codebook=own) as project:
        assert project.codebook.name.startswith("Eigen ")


def test_ingest_takes_metadata_for_every_file_and_refuses_a_bad_value(tmp_path):
    (tmp_path / "docs").mkdir()
    write_pdf(tmp_path / "docs" / "stuk.pdf", PROSE)
    with weerbaar.open(tmp_path / "ws") as project:
        with pytest.raises(WeerbaarError, match="Ongeldige metadata: .*jaar"):
            project.ingest(tmp_path / "docs", year=1200)
        assert project.search("noodsteunpunten") == []  # nothing was read
        report = project.ingest(tmp_path / "docs", organisation="Gemeente Testdorp", doc_type="memo", year=2024)
        assert report.count("nieuw") == 1
        hits = project.search("noodsteunpunten", organisation="testdorp", years=(2020, 2024))
        found = {(h.citation.organisation, h.citation.document_type, h.citation.year) for h in hits}
        assert hits and found == {("Gemeente Testdorp", "memo", 2024)}
        assert project.search("noodsteunpunten", years=2023) == []


def test_report_format_comes_from_the_suffix_or_is_refused_in_dutch(demo_copy, tmp_path):
    with weerbaar.open(demo_copy, create=False) as project:
        written = project.report(tmp_path / "uit" / "cellen.csv", include_suggestions=True)
        assert written.read_text("utf-8-sig").startswith(("organisatie", "Organisatie"))
        with pytest.raises(WeerbaarError, match="Onbekend rapportformaat 'docx'"):
            project.report(tmp_path / "rapport.docx")
        written = project.report(tmp_path / "rapport.data", "json", title="Eigen titel")
        assert json.loads(written.read_text("utf-8"))["titel"] == "Eigen titel"


def test_what_the_web_app_asks_of_a_project_works_without_the_app(demo_copy):
    """The review and dashboard methods the web app uses, on a plain project (no Shared): a passage
    the analysis passed over is shown all the same, the matrix has a cell per organisation and
    measure, and a cell that does not exist is None."""
    with weerbaar.open(demo_copy, create=False) as project:
        best = project.passages("2.2", top=1)[0]
        assert project.passage("2.2", best.passage_id) == best
        others = {p.passage_id for p in project.passages("2.2", top=10_000, include_below=True)}
        unscored = next(pid for pid in range(1, 10_000) if pid not in others
                        and project.workspace.evidence.passage_with_document(pid) is not None)
        shown = project.passage("2.2", unscored)
        assert shown is not None and shown.score == 0.0 and not shown.elements_found
        assert project.passage("2.2", 10**9) is None
        queue = project.review_queue("2.2", api.document_filters())
        assert queue.measure_id == "2.2"
        matrix = project.dashboard(include_suggestions=True)  # the demo copy has no decisions
        assert len(matrix.cells) == len(matrix.organisations) * len(project.codebook.measures)
        organisation = matrix.organisations[0]
        cell = project.cell(organisation, "2.2", include_suggestions=True)
        assert cell is not None and cell.verdict.level == matrix.cells[(organisation, "2.2")].level and cell.summary
        assert project.cell(organisation, "99.9") is None and project.cell("Nergens", "2.2") is None
