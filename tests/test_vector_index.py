"""The passage vectors' index: a file beside the workspace that follows the store, and search by meaning on it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from weerbaar.embeddings import DIMENSIONS, from_blobs, to_blob
from weerbaar.index import vectors as vectors_module
from weerbaar.index.analysis import index_text
from weerbaar.index.semantic import SemanticIndex
from weerbaar.index.vectors import INDEX_FILENAME, STATE_SETTING, VectorIndex
from weerbaar.ingest.metadata import DocumentMeta
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import DocumentFilters

RNG = np.random.default_rng(14)


def _unit(n: int) -> np.ndarray:
    v = RNG.standard_normal((n, DIMENSIONS)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _add_document(ws: Workspace, name: str, passages: int, *, organisation: str = "Gemeente Dijkwaard",
                  vectors: np.ndarray | None = None) -> tuple[int, list[int]]:
    """A document of ``passages`` one-line passages on one page, with their vectors stored."""
    parts = [f"Passage {name} {i} over noodstroom." for i in range(passages)]
    page = "\n".join(parts)
    spans, at = [], 0
    for part in parts:
        spans.append((1, at, at + len(part)))
        at += len(part) + 1
    meta = DocumentMeta(organisation=organisation, organisation_type="gemeente", doc_type="jaarverslag", year=2024,
                        title=name)
    with ws.transaction():
        doc_id = ws.documents.add(Path(f"/bronnen/{name}.txt"), sha256=name * 8, size_bytes=10, format="txt",
                                  meta=meta, page_count=1, paginated=True, source_info={}, notes=[])
        ids = ws.passages.add(doc_id, [page], [None], spans, index_text)
    vectors = _unit(passages) if vectors is None else vectors
    ws.analysis.store_embeddings("test", [(pid, to_blob(v)) for pid, v in zip(ids, vectors)])
    return doc_id, ids


def _exact(ws: Workspace, query: np.ndarray, k: int) -> list[int]:
    ids, blobs = ws.analysis.all_embeddings()
    scores = from_blobs(blobs) @ query
    return [ids[i] for i in np.argsort(-scores, kind="stable")[:k]]


def _stored(ws: Workspace) -> dict[int, np.ndarray]:
    ids, blobs = ws.analysis.all_embeddings()
    return dict(zip(ids, from_blobs(blobs)))


def test_the_index_is_built_once_saved_beside_the_workspace_and_loaded_again(ws):
    _add_document(ws, "a", 50)
    index = VectorIndex(ws.folder)
    index.sync(ws)
    assert index.rebuilt and len(index) == 50 and (ws.folder / INDEX_FILENAME).exists()
    assert json.loads(ws.settings.get(STATE_SETTING))["vectoren"] == 50
    again = VectorIndex(ws.folder)
    again.sync(ws)
    assert not again.rebuilt and len(again) == 50  # read from the file, not rebuilt from the store
    query = _unit(1)[0]
    assert list(again.search(query, 10)[0]) == _exact(ws, query, 10)


def test_new_vectors_and_a_removed_document_are_followed_without_a_rebuild(ws):
    doc_a, ids_a = _add_document(ws, "a", 30)
    index = VectorIndex(ws.folder)
    index.sync(ws)
    _, ids_b = _add_document(ws, "b", 20)
    index.sync(ws)
    assert not index.rebuilt and len(index) == 50
    with ws.transaction():
        ws.documents.delete(doc_a)  # its passages and their vectors cascade away
    index.sync(ws)
    assert not index.rebuilt and len(index) == 20
    stored = _stored(ws)
    assert sorted(stored) == sorted(ids_b)
    for pid in ids_b:  # each vector finds itself first
        assert index.search(stored[pid], 1)[0][0] == pid
    # A replaced vector is replaced in the index too.
    new = _unit(1)[0]
    ws.analysis.store_embeddings("test", [(ids_b[0], to_blob(new))])
    index.sync(ws)
    assert np.allclose(index.vectors([ids_b[0]])[0], from_blobs([to_blob(new)])[0])
    # Another process opening the file afterwards sees the same, without rebuilding.
    other = VectorIndex(ws.folder)
    other.sync(ws)
    assert not other.rebuilt and len(other) == 20
    assert set(other.search(_unit(1)[0], 50)[0]) == set(ids_b)  # none of the removed document's passages


def test_a_missing_damaged_or_unrecorded_index_file_is_rebuilt_from_the_store(ws):
    _add_document(ws, "a", 40)
    VectorIndex(ws.folder).sync(ws)
    path = ws.folder / INDEX_FILENAME
    path.unlink()
    index = VectorIndex(ws.folder)
    index.sync(ws)
    assert index.rebuilt and len(index) == 40 and path.exists()
    path.write_bytes(b"geen index")
    index = VectorIndex(ws.folder)
    index.sync(ws)
    assert index.rebuilt and len(index) == 40
    ws.settings.set(STATE_SETTING, "")
    index = VectorIndex(ws.folder)
    index.sync(ws)
    assert index.rebuilt


def test_an_index_whose_log_was_pruned_by_another_process_reloads_the_newer_file(ws):
    _add_document(ws, "a", 10)
    first, second = VectorIndex(ws.folder), VectorIndex(ws.folder)
    first.sync(ws)
    second.sync(ws)
    doc_b, ids_b = _add_document(ws, "b", 10)
    replaced = _unit(1)[0]
    ws.analysis.store_embeddings("test", [(ids_b[0], to_blob(replaced))])  # the count alone would not show it
    first.sync(ws)  # saves and prunes the change log
    second.sync(ws)
    assert len(second) == 20 and np.allclose(second.vectors([ids_b[0]])[0], replaced, atol=1e-3)


def test_the_approximate_index_finds_the_exact_neighbours_on_a_few_thousand_vectors(ws, monkeypatch):
    """Above EXACT_BELOW the HNSW graph answers; recall@10 against a full scan stays high."""
    monkeypatch.setattr(vectors_module, "EXACT_BELOW", 0)
    centres = _unit(20)
    noisy = np.repeat(centres, 100, axis=0) + 0.6 * RNG.standard_normal((2000, DIMENSIONS)).astype(np.float32) / 22.6
    _add_document(ws, "a", 2000, vectors=noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
    index = VectorIndex(ws.folder)
    index.sync(ws)
    queries = _unit(30)
    recall = np.mean([len(set(index.search(q, 10)[0]) & set(_exact(ws, q, 10))) / 10 for q in queries])
    assert recall >= 0.9


@pytest.fixture
def demo_ws(demo_copy):
    with Workspace.open(demo_copy) as ws:
        yield ws


def test_search_by_meaning_gives_the_passages_of_an_exact_scan_and_applies_the_filters(demo_ws, embedder):
    ws = demo_ws
    semantic = SemanticIndex(embedder)
    query = "noodsteunpunten bij een langdurige stroomstoring"
    q = embedder.encode([query])[0].astype(np.float32)
    hits = semantic.search(ws, query, limit=10)
    assert [h.passage_id for h in hits] == _exact(ws, q, 10)
    assert (ws.folder / INDEX_FILENAME).exists()
    organisation = hits[-1].citation.organisation
    narrow = DocumentFilters(organisation=organisation, year_from=hits[-1].citation.year)
    filtered = semantic.search(ws, query, narrow, limit=10)
    allowed = set(ws.search.passage_ids_with_vectors(narrow))
    ids, blobs = ws.analysis.all_embeddings()
    scores = from_blobs(blobs) @ q
    expected = [ids[i] for i in np.argsort(-scores, kind="stable") if ids[i] in allowed][:10]
    assert [h.passage_id for h in filtered] == expected
    assert all(h.citation.organisation == organisation for h in filtered)


def test_zoek_betekenis_answers_from_the_index_and_its_json_follows_the_search_schema(demo_copy):
    from tests.test_cli import run
    from tests.test_json_contract import validate

    result = run("zoek", "stroomuitval en noodstroom", "--betekenis", "--werkruimte", demo_copy, "--limiet", "5", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    validate("search", data)
    assert len(data["hits"]) == 5 and (demo_copy / INDEX_FILENAME).exists()
    with Workspace.open(demo_copy) as ws:
        for hit in data["hits"]:  # every quote verbatim at its place
            c = hit["citation"]
            assert ws.passages.page_text(c["document_id"], c["page"])[c["start"] : c["end"]] == c["text"]
    narrow = run("zoek", "stroomuitval", "--betekenis", "--werkruimte", demo_copy, "--organisatie", "zzz-geen")
    assert narrow.exit_code == 0 and "Geen passages gevonden" in narrow.stdout
