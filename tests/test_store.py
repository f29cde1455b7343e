"""The store: no SQL outside ``weerbaar.workspace``, and its repositories do what their callers rely on."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from weerbaar.errors import QueryError
from weerbaar.index.analysis import index_text
from weerbaar.ingest.metadata import DocumentMeta
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import DocumentFilters
from weerbaar.workspace.records import PassageAnalysis, Suggestion

ROOT = Path(__file__).resolve().parents[1]
STORE = ROOT / "src" / "weerbaar" / "workspace"


# Runs under an older tree of weerbaar too (side-by-side benchmarks against code from before the
# store), so it cannot use the store; it holds only the synthetic set-up and plain counts.
LEGACY_BENCH = {"bench/legacy_sql.py"}

_SQL_START = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|WITH|REPLACE|DROP|ALTER|PRAGMA)\s", re.ASCII)
_EXECUTE = {"execute", "executemany", "executescript"}


def sql_in(source: str) -> list[str]:
    """Where a module runs SQL: calls of execute/executemany/executescript, and string literals
    (f-strings included) that start like an SQL statement in capitals."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _EXECUTE:
            found.append(f"line {node.lineno}: .{node.func.attr}(")
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and _SQL_START.match(first.value):
                found.append(f"line {node.lineno}: {first.value.strip()[:40]!r}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL_START.match(node.value):
            found.append(f"line {node.lineno}: {node.value.strip()[:40]!r}")
    return found


def test_the_sql_detector_finds_each_way_of_running_sql():
    assert sql_in('conn.execute("SELECT 1")')
    assert sql_in("ws.conn.executemany(q, rows)")
    assert sql_in('q = f"""\n  DELETE FROM passages WHERE id IN ({marks})"""')
    assert sql_in("q = 'INSERT INTO suggestions (passage_id) VALUES (?)'")
    assert not sql_in('"""Select the passages a person wants; Update: none."""\nx = "WITHOUT ROWID"')


def test_no_module_outside_the_store_holds_sql():
    offenders = {}
    for folder in (ROOT / "src" / "weerbaar", ROOT / "bench"):
        for path in sorted(folder.rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if STORE in path.parents or name in LEGACY_BENCH:
                continue
            found = sql_in(path.read_text("utf-8"))
            if found:
                offenders[name] = found
    assert not offenders, f"SQL outside weerbaar/workspace/ (move it into a repository): {offenders}"


def test_the_store_names_the_columns_it_inserts():
    """An insert by column order breaks silently when a migration adds or reorders a column."""
    by_position = re.compile(r"INSERT\s+(?:OR\s+\w+\s+)?INTO\s+[\w.]+\s+VALUES", re.IGNORECASE)
    assert by_position.search("INSERT OR REPLACE INTO fetch_cursors VALUES (?, ?, ?, ?)")
    offenders = [path.name for path in STORE.glob("*.py") if by_position.search(path.read_text("utf-8"))]
    assert not offenders


# The repositories, against the real SQLite engine.
PASSAGES = [["Eerste pagina.", "De gemeente opent noodsteunpunten bij een stroomstoring."],
            ["Tweede pagina.", "Het draaiboek voor drinkwater is in 2024 geoefend."]]
PAGES = ["\n\n".join(parts) for parts in PASSAGES]


def _add_document(ws: Workspace, name: str, organisation: str, pages=PAGES,
                  doc_type: str = "jaarverslag") -> tuple[int, list[int]]:
    spans = []
    for no, (text, parts) in enumerate(zip(pages, PASSAGES), 1):
        for part in parts:
            start = text.index(part)
            spans.append((no, start, start + len(part)))
    meta = DocumentMeta(organisation=organisation, organisation_type="gemeente", doc_type=doc_type, year=2024,
                        title=f"Verslag {name}")
    with ws.transaction():
        doc_id = ws.documents.add(Path(f"/bronnen/{name}.txt"), sha256=name * 8, size_bytes=10, format="txt",
                                  meta=meta, page_count=len(pages), paginated=True, source_info={"url": "u"},
                                  notes=[])
        ids = ws.passages.add(doc_id, pages, [None] * len(pages), spans, index_text)
    return doc_id, ids


@pytest.fixture
def ws(tmp_path):
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        yield ws


def test_passages_round_trip_verbatim_at_their_place(ws):
    doc_id, ids = _add_document(ws, "a", "Gemeente Dijkwaard")
    stored = ws.passages.of_document(doc_id)
    assert [p.id for p in stored] == ids and [p.seq for p in stored] == list(range(len(ids)))
    for p in stored:
        assert ws.passages.page_text(doc_id, p.page_no)[p.start : p.end] == p.text
    assert [p.text for p in ws.passages.on_page(doc_id, 2)] == PASSAGES[1]
    citations = ws.passages.citations([*ids, 999_999])  # an unknown id is left out, not an error
    assert set(citations) == set(ids)
    c = citations[ids[-1]]
    assert (c.organisation, c.document_type, c.year, c.file, c.page, c.paginated) == (
        "Gemeente Dijkwaard", "jaarverslag", 2024, "a.txt", 2, True)
    assert PAGES[1][c.start : c.end] == c.text
    assert ws.passages.citation(999_999) is None and ws.passages.page_text(doc_id, 9) is None


def test_a_removed_document_leaves_no_passages_or_index_rows_and_ids_are_not_reused(ws):
    doc_id, ids = _add_document(ws, "a", "Gemeente Dijkwaard")
    assert ws.search.match('"noodsteunpunt"')
    with ws.transaction():
        ws.documents.delete(doc_id)
    assert ws.passages.count() == 0 and ws.search.match('"noodsteunpunt"') == []
    _, new_ids = _add_document(ws, "b", "Gemeente Heemvoort")
    assert min(new_ids) > max(ids)


def test_a_moved_file_keeps_its_corrections_and_a_refusal_is_forgotten_once_ingested(ws):
    ws.documents.record_skipped("/bronnen/b.txt", "leeg", "Het bestand is leeg.")
    doc_id, _ = _add_document(ws, "a", "Gemeente Dijkwaard")
    ws.documents.correct(doc_id, {"organisation": "Heemvoort", "organisation_type": "gemeente"})
    ws.documents.move(doc_id, "/bronnen/a.txt", Path("/elders/a2.txt"))
    assert ws.documents.corrections("/elders/a2.txt")["organisation"] == "Heemvoort"
    assert ws.documents.at_path("/elders/a2.txt")["id"] == doc_id and ws.documents.at_path("/bronnen/a.txt") is None
    assert [s["path"] for s in ws.documents.skipped()] == ["/bronnen/b.txt"]
    _add_document(ws, "b", "Gemeente Heemvoort")
    assert ws.documents.skipped() == []


def test_search_matches_within_filters_and_says_when_the_query_is_broken(ws):
    _add_document(ws, "a", "Gemeente Dijkwaard")
    _add_document(ws, "b", "Gemeente Heemvoort", doc_type="begroting")
    found = ws.search.match('"noodsteunpunt"', DocumentFilters(doc_type="begroting"))
    assert [f.citation.organisation for f in found] == ["Gemeente Heemvoort"]
    assert found[0].organisation_type == "gemeente" and "noodsteunpunten" in found[0].citation.text
    with pytest.raises(QueryError):
        ws.search.match('"niet afgesloten')
    n, tokens, df = ws.search.vocabulary({"noodsteunpunt", "onbekendwoord"})
    assert n == ws.passages.count() and tokens > n and df == {"noodsteunpunt": 2}


def test_suggestions_are_written_and_read_back_by_name_and_replaced_per_passage(ws):
    _, ids = _add_document(ws, "a", "Gemeente Dijkwaard")
    run = ws.analysis.start_run("k1", {"threshold": 0.3})
    assert ws.analysis.latest_finished() is None  # a run counts once it finished
    assert ws.analysis.pending("k1") == ids
    analyses = [PassageAnalysis(passage_id=i, config_key="k1", run_id=run, stage=2, stage_cue="vastgesteld",
                                vulnerable_terms=["ouderen"], subject_kind="eigen") for i in ids]
    ws.analysis.store(ids, analyses, [
        Suggestion(passage_id=ids[1], measure_id="3.2", score=0.9, lexical=0.5, semantic=0.7,
                   elements={"draaiboek": ["draaiboek"]}),
        Suggestion(passage_id=ids[0], measure_id="3.2", score=0.2, lexical=0.1, semantic=0.3, elements={}),
    ])
    ws.analysis.finish_run(run, len(ids))
    assert ws.analysis.latest_finished().config == {"threshold": 0.3} and ws.analysis.pending("k1") == []
    assert ws.analysis.pending("k2") == ids  # a new configuration re-analyses everything

    ranked = ws.analysis.ranked("3.2")
    assert [r.citation.passage_id for r in ranked] == [ids[1], ids[0]]
    best = ranked[0]
    assert (best.suggestion.score, best.suggestion.elements, best.stage, best.vulnerable_terms) == (
        0.9, {"draaiboek": ["draaiboek"]}, 2, ["ouderen"])
    assert [r.citation.passage_id for r in ws.analysis.ranked("3.2", min_score=0.3)] == [ids[1]]
    assert ws.analysis.of_passage(ids[0]).subject_kind == "eigen"
    assert [(s.measure_id, s.score) for s in ws.analysis.suggestions_for(ids[1])] == [("3.2", 0.9)]
    assert ws.analysis.suggestion_count() == 2 and ws.analysis.suggestion_count(min_score=0.5) == 1

    ws.analysis.store([ids[1]], analyses[1:2], [])  # re-analysed: its old suggestion goes
    assert [r.citation.passage_id for r in ws.analysis.ranked("3.2")] == [ids[0]]


def test_embeddings_are_kept_per_model(ws):
    _, ids = _add_document(ws, "a", "Gemeente Dijkwaard")
    ws.analysis.store_embeddings("model-a", [(ids[0], b"\x01\x02"), (ids[1], b"\x03\x04")])
    assert ws.analysis.embeddings("model-a", ids) == {ids[0]: b"\x01\x02", ids[1]: b"\x03\x04"}
    assert ws.analysis.embeddings("model-b", ids) == {}
    assert ws.analysis.all_embeddings() == ([ids[0], ids[1]], [b"\x01\x02", b"\x03\x04"])


def test_settings_and_fetch_state_survive_reopening(tmp_path):
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        ws.settings.set("dubbele_beoordeling", "0.25")
        secret = ws.settings.secret()
        ws.fetch_state.record("https://example.org/a.pdf", source="website", source_id=None, version="etag:1",
                              path="bronnen/a.pdf", status="ok", message=None)
        ws.fetch_state.set_cursor("openbesluitvorming", "ps_dijkwaard", "c-1")
        ws.fetch_state.set_cursor("openbesluitvorming", "ps_dijkwaard", "c-2")
    with Workspace.open(tmp_path / "ws") as ws:
        assert ws.settings.double_review_share() == 0.25 and ws.settings.secret() == secret
        known = ws.fetch_state.known("https://example.org/a.pdf")
        assert (known.version, known.path, known.status) == ("etag:1", "bronnen/a.pdf", "ok")
        assert ws.fetch_state.known("https://example.org/b.pdf") is None
        assert ws.fetch_state.cursor("openbesluitvorming", "ps_dijkwaard") == "c-2"
        assert ws.fetch_state.cursor("openbesluitvorming", "ps_ander") is None


def test_review_counts_and_a_documents_standing_decisions(ws):

    doc_id, ids = _add_document(ws, "a", "Gemeente Dijkwaard")
    ws.decisions.record(ids[1], "3.2", "Anna", True, stage=2)
    ws.decisions.record(ids[1], "3.2", "Bram", False)
    ws.decisions.record(ids[0], "1.1", "Anna", False)
    ws.decisions.record(ids[0], "2.1", "Bram", True, stage=1)
    before = ws.decisions.fingerprint()
    ws.decisions.undo_last("Bram")  # the 2.1 decision no longer stands
    counts = ws.decisions.review_summary()
    assert (counts["reviewers"], counts["reviewed"], counts["double_reviewed"]) == (2, 2, 1)
    standing = ws.decisions.standing_on_document(doc_id)
    assert [(d.reviewer, d.relevant) for d in standing[ids[1]]] == [("Anna", True), ("Bram", False)]
    assert [d.measure_id for d in standing[ids[0]]] == ["1.1"]
    after = ws.decisions.fingerprint()
    assert after["2.1"] != before["2.1"] and after["3.2"] == before["3.2"]  # an undo changes only its measure
