"""``analyseer --dask``: a Dask cluster embeds and scores, the local process writes; same results as locally."""

import shutil

import numpy as np
import pytest

from tests.test_classify import BOOK, OFF_TOPIC, PLANTED, _folder
from weerbaar.classify.pipeline import analyse_workspace
from weerbaar.embeddings import from_blobs
from weerbaar.ingest.pipeline import ingest_paths
from weerbaar.workspace import Workspace

distributed = pytest.importorskip("distributed")

EXTRA = [
    "De gemeente oefent twee keer per jaar met de crisisorganisatie en evalueert elke oefening.",
    "Voor inwoners met een beperking is er een lijst met noodsteunpunten en een belteam.",
    "Bij stroomuitval draaien de aggregaten op het gemeentehuis minstens 72 uur op voorraad brandstof.",
]


def _results(ws: Workspace, ids: list[int]) -> dict:
    out = {}
    for pid in ids:
        a = ws.analysis.of_passage(pid)
        out[pid] = {"analysis": (a.stage, a.stage_cue, a.vulnerable_terms, a.subject_kind, a.subject_name,
                                 a.subject_cue),
                    "suggestions": {s.measure_id: s for s in ws.analysis.suggestions_for(pid, limit=100)}}
    return out


def test_a_local_cluster_gives_the_same_results_passage_for_passage(tmp_path, embedder, monkeypatch):
    import weerbaar.classify.pipeline as pipeline

    monkeypatch.setattr(pipeline, "CHUNK", 3)  # several chunks, in flight at once
    with Workspace.open(tmp_path / "lokaal", create=True) as ws:
        ingest_paths(ws, [_folder(tmp_path, "gemeente-testdorp", [PLANTED, *OFF_TOPIC, *EXTRA, PLANTED + " Ook x."])])
    shutil.copytree(tmp_path / "lokaal", tmp_path / "cluster")

    with Workspace.open(tmp_path / "lokaal") as ws:
        local = analyse_workspace(ws, BOOK, embedder=embedder)
        ids = sorted(ws.analysis.pending("geen"))
        expected = _results(ws, ids)
        vectors = ws.analysis.embeddings(embedder.name, ids)

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Workspace.open(tmp_path / "cluster") as ws:
        done = []
        remote = analyse_workspace(ws, BOOK, embedder=embedder, dask=cluster.scheduler_address,
                                   progress=lambda n, total: done.append((n, total)))
        got = _results(ws, ids)
        got_vectors = ws.analysis.embeddings(embedder.name, ids)
        again = analyse_workspace(ws, BOOK, embedder=embedder, dask=cluster.scheduler_address)

    assert local.analysed == remote.analysed == len(ids) >= 8
    assert (remote.embedded, remote.lexical_only) == (local.embedded, local.lexical_only)
    assert 0 < local.lexical_only < len(ids)  # the pre-filter runs on the workers too
    assert remote.config.key == local.config.key
    assert done == [(n, len(ids)) for n in range(3, len(ids), 3)] + [(len(ids), len(ids))]
    assert again.analysed == 0  # resumable like a local run: written chunks count
    assert got_vectors.keys() == vectors.keys()
    assert np.allclose(from_blobs([got_vectors[i] for i in vectors]), from_blobs(list(vectors.values())), atol=2e-3)
    for pid in ids:
        assert got[pid]["analysis"] == expected[pid]["analysis"]
        assert got[pid]["suggestions"].keys() == expected[pid]["suggestions"].keys()
        for measure, s in expected[pid]["suggestions"].items():
            g = got[pid]["suggestions"][measure]
            assert g.elements == s.elements
            assert np.allclose([g.score, g.lexical, g.semantic], [s.score, s.lexical, s.semantic], atol=1e-3)


def test_an_unreachable_scheduler_is_a_clear_dutch_error(ws, embedder, monkeypatch):
    import weerbaar.classify.cluster as cluster
    from weerbaar.errors import WeerbaarError

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "2s")
    ingest_paths(ws, [])
    with pytest.raises(WeerbaarError, match="Dask-scheduler op 'tcp://127.0.0.1:9'"):
        analyse_workspace(ws, BOOK, embedder=embedder, dask="tcp://127.0.0.1:9")
