"""The workspace: versioned schema, WAL, clear errors."""

import sqlite3

import pytest

from weerbaar.errors import WorkspaceError
from weerbaar.workspace import Workspace, resolve_workspace_path
from weerbaar.workspace.db import SCHEMA_VERSION
from weerbaar.workspace.migrations import MIGRATIONS


def test_new_workspace_is_migrated_and_in_wal_mode(tmp_path):
    with Workspace.open(tmp_path / "w", create=True) as ws:
        assert ws.schema_version == SCHEMA_VERSION >= 1
        assert ws.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_missing_workspace_is_a_clear_error(tmp_path):
    with pytest.raises(WorkspaceError) as info:
        Workspace.open(tmp_path / "nergens")
    assert info.value.message == f"Geen werkruimte gevonden in '{tmp_path / 'nergens'}'."


def test_workspace_from_a_newer_version_is_refused(tmp_path):
    Workspace.open(tmp_path / "w", create=True).close()
    with sqlite3.connect(tmp_path / "w" / "weerbaar.sqlite") as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(WorkspaceError) as info:
        Workspace.open(tmp_path / "w")
    assert "nieuwere versie van weerbaar" in info.value.message


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "weerbaar.sqlite").write_bytes(b"dit is geen database" * 100)
    with pytest.raises(WorkspaceError, match="geen geldige weerbaar-werkruimte"):
        Workspace.open(tmp_path / "w")


def test_failed_transaction_leaves_nothing(tmp_path):
    with Workspace.open(tmp_path / "w", create=True) as ws:
        with pytest.raises(RuntimeError):
            with ws.transaction() as conn:
                conn.execute("INSERT INTO skipped_files VALUES ('x', 'leeg', 'm', 't')")
                raise RuntimeError
        assert ws.conn.execute("SELECT count(*) FROM skipped_files").fetchone()[0] == 0


def test_workspace_path_comes_from_flag_then_environment_then_default(monkeypatch, tmp_path):
    monkeypatch.delenv("WEERBAAR_WERKRUIMTE", raising=False)
    assert str(resolve_workspace_path(None)) == "weerbaar-werkruimte"
    monkeypatch.setenv("WEERBAAR_WERKRUIMTE", str(tmp_path / "env"))
    assert resolve_workspace_path(None) == tmp_path / "env"
    assert resolve_workspace_path(tmp_path / "flag") == tmp_path / "flag"


def test_citation_reads_store_rows_and_round_trips_its_json_form():
    from weerbaar.workspace.records import Citation

    row = {"passage_id": 7, "document_id": 2, "organisation": "Gemeente Dijkwaard", "doc_type": "begroting",
           "year": 2025, "title": "Begroting 2025", "filename": "begroting.pdf", "page_no": 12,
           "paginated": 1, "start": 40, "end": 95, "text": "De gemeente oefent twee keer per jaar."}
    citation = Citation.from_row(row)
    assert (citation.document_type, citation.file, citation.page, citation.paginated) == \
        ("begroting", "begroting.pdf", 12, True)
    assert Citation.from_json(citation.to_json()) == citation
    assert set(citation.to_json()) >= {"organisation", "document_type", "page", "start", "end", "text"}


def test_an_analysed_workspace_keeps_planner_statistics(demo_copy):
    """The verdict queries are fast only when SQLite knows there are far fewer documents than
    suggestions (see migration m008): 'analyseer' leaves statistics for both, and a workspace from
    before gets them when it is opened."""
    with Workspace.open(demo_copy) as ws:
        tables = {r[0] for r in ws.conn.execute("SELECT tbl FROM sqlite_stat1")}
        assert {"documents", "suggestions", "passages"} <= tables
        ws.conn.execute("DROP TABLE sqlite_stat1")
        before_statistics = [m.__name__ for m in MIGRATIONS].index("m008_statistics")
        ws.conn.execute(f"PRAGMA user_version = {before_statistics}")
    with Workspace.open(demo_copy) as ws:
        assert {"documents", "suggestions"} <= {r[0] for r in ws.conn.execute("SELECT tbl FROM sqlite_stat1")}
