"""Re-ranking review queues off the request path: decisions never wait for the ranker, the queue
takes up a re-ranking once it is published, decided passages never come back, nothing is lost,
and the app stops its worker cleanly."""

from __future__ import annotations

import threading
import time

import numpy as np
from fastapi.testclient import TestClient

from tests.test_web_api import BOOK, decide, shown
from weerbaar.review import active
from weerbaar.review.queue import MeasureQueue
from weerbaar.review.reranker import THREAD_NAME, Reranker
from weerbaar.web.app import create_app
from weerbaar.workspace import Workspace
from weerbaar.workspace.documents import DocumentFilters


class BlockingRanker:
    """Stands in for :func:`active.rerank`: records the thread of every call, waits until released,
    and then ranks the candidates in reverse order of the analysis' score (an order the prior never gives)."""

    def __init__(self):
        self.threads: list[str] = []
        self.release = threading.Event()
        self.entered = threading.Event()

    def __call__(self, features, prior, decided):
        self.threads.append(threading.current_thread().name)
        self.entered.set()
        assert self.release.wait(30), "the test never released the ranker"
        scores = 1.0 - np.asarray(prior, dtype=float)
        order = [int(i) for i in np.argsort(-scores, kind="stable") if int(i) not in decided]
        return active.QueueState(order=order, scores=scores, expected_remaining=float(scores[order].sum()))


def app_client(folder, reviewer="Anna") -> TestClient:
    client = TestClient(create_app(folder, BOOK, allowed_hosts=["testserver"]), follow_redirects=False)
    client.cookies.set("weerbaar_beoordelaar", reviewer)
    return client


def test_decisions_never_wait_for_the_ranker_and_the_queue_takes_up_its_order(demo_copy, monkeypatch):
    ranker = BlockingRanker()
    monkeypatch.setattr(active, "rerank", ranker)
    measures = ("2.2", "3.1")  # the demo's largest queues (10 candidates each)
    with Workspace.open(demo_copy) as ws:
        priors = {m: {r[0]: r[1] for r in ws.evidence.queue_candidates(m, DocumentFilters())} for m in measures}
    per_measure = 8
    assert all(len(prior) >= per_measure + 2 for prior in priors.values())
    with app_client(demo_copy) as client:
        state = client.app.state.weerbaar
        seen = {m: [] for m in measures}
        for i in range(2 * per_measure):  # the ranker blocks all the while: a request that called it would hang
            measure = measures[i % 2]
            passage = shown(client, measure)
            assert passage not in seen[measure]  # a passage this reviewer decided never comes back
            seen[measure].append(passage)
            assert decide(client, passage, relevant=i % 4 < 2, measure=measure).status_code == 303
        assert ranker.entered.wait(10)  # the worker did start a re-ranking, in its own thread
        assert set(ranker.threads) == {THREAD_NAME}
        for measure, prior in priors.items():  # until a re-ranking is published, the analysis' order stands
            open_by_prior = sorted((p for p in prior if p not in seen[measure]), key=lambda p: -prior[p])
            assert shown(client, measure) == open_by_prior[0]

        ranker.release.set()
        assert state.reranker.wait_idle(10)
        for measure, prior in priors.items():
            # The published order is the ranker's: the open passage with the lowest analysis score comes first.
            ids = list(prior)
            by_ranker = [ids[i] for i in np.argsort(-(1.0 - np.array(list(prior.values()))), kind="stable")]
            open_by_prior = sorted((p for p in prior if p not in seen[measure]), key=lambda p: -prior[p])
            assert shown(client, measure) == next(p for p in by_ranker if p not in seen[measure]) != open_by_prior[0]
        # Bursts coalesce: the fit that was blocked, then each measure once on its latest decisions,
        # not one fit per decision.
        assert set(ranker.threads) == {THREAD_NAME} and len(ranker.threads) <= len(measures) + 1
        worker = state.reranker._thread
    assert not worker.is_alive()  # the app's shut-down ended the worker
    with Workspace.open(demo_copy) as ws:  # no decision lost
        for measure in measures:
            assert sorted(v.passage_id for v in ws.decisions.votes(measure)) == sorted(seen[measure])


def test_the_background_ranking_is_the_one_fitted_on_the_decisions(demo_copy):
    """With the real ranker: after enough decisions of both kinds the page serves what the fit puts first."""
    with app_client(demo_copy) as client:
        state = client.app.state.weerbaar
        with Workspace.open(demo_copy) as ws:
            candidates = [r[0] for r in sorted(ws.evidence.queue_candidates("2.2", DocumentFilters()),
                                               key=lambda r: -r[1])]
        labels = {pid: False for pid in candidates[:3]} | {pid: True for pid in candidates[-3:]}
        assert shown(client) == candidates[0]  # the analysis' order, before any decision
        for pid, relevant in labels.items():
            assert decide(client, pid, relevant=relevant).status_code == 303
        assert state.reranker.wait_idle(20)
        (queue,) = state.queues.values()
        assert queue.published.learned and queue.published.seen
        decided = {queue._index[pid]: label for pid, label in labels.items()}
        expected = active.rerank(queue._features, queue._prior, decided).scores
        best_open = max((pid for pid in candidates if pid not in labels), key=lambda pid: expected[queue._index[pid]])
        assert shown(client) == best_open


def test_an_undone_decision_comes_back_at_once_whatever_order_is_published(demo_copy, monkeypatch):
    ranker = BlockingRanker()
    monkeypatch.setattr(active, "rerank", ranker)
    with app_client(demo_copy) as client:
        first = shown(client)
        decide(client, first)
        assert shown(client) != first
        token = client.get("/team").text.split('name="csrf" value="')[1].split('"')[0]
        assert client.post("/ongedaan", data={"csrf": token, "terug": "/maatregel/2.2"}).status_code == 303
        assert shown(client) == first
        ranker.release.set()


def test_stopping_waits_for_the_fit_in_progress_and_drops_the_rest(demo_copy, monkeypatch):
    ranker = BlockingRanker()
    monkeypatch.setattr(active, "rerank", ranker)
    reranker = Reranker(demo_copy)
    with Workspace.open(demo_copy) as ws:
        measures = [m for m, n in ws.evidence.candidates_per_measure(0.0, DocumentFilters()).items()
                    if n > 3][:2]
        queues = [MeasureQueue(m, threshold=0.26, reranker=reranker) for m in measures]
        for queue in queues:
            for pid, *_ in ws.evidence.queue_candidates(queue.measure_id, DocumentFilters())[:3]:
                ws.decisions.record(pid, queue.measure_id, "Anna", False)
            queue.next_item(ws, "Anna")  # sees the decisions: asks the worker, does not wait
        assert ranker.entered.wait(10)
        reranker.request(queues[0])
        reranker.request(queues[0])  # coalesces: in line at most once
        threading.Timer(0.3, ranker.release.set).start()
        started = time.monotonic()
        reranker.stop(timeout=10)
        assert time.monotonic() - started < 5 and not reranker._thread.is_alive()
        assert ranker.threads == [THREAD_NAME]  # what was in line was dropped, not fitted after the stop
        reranker.request(queues[1])  # after the stop nothing starts again
        assert ranker.threads == [THREAD_NAME]


def test_a_real_server_stops_promptly_after_deciding(demo_copy):
    """`weerbaar review` as a process: decisions that set re-rankings going, then SIGTERM; it ends at
    once and cleanly (the worker is stopped by the app's shut-down, not left hanging)."""
    import httpx

    from tests.conftest import ReviewServer

    server = ReviewServer(demo_copy).start()
    try:
        client = httpx.Client(base_url=server.url, cookies={"weerbaar_beoordelaar": "Anna"}, timeout=30)
        csrf = client.get("/team").text.split('name="csrf" value="')[1].split('"')[0]
        for i in range(6):
            html = client.get("/maatregel/2.2").text
            pid = html.split('name="passage_id" value="')[1].split('"')[0]
            assert client.post("/beslissing", data={"passage_id": pid, "measure_id": "2.2", "csrf": csrf,
                                                    "besluit": "relevant" if i % 2 else "niet",
                                                    "terug": "/maatregel/2.2"}).status_code == 303
        started = time.monotonic()
        server.process.terminate()
        # uvicorn shuts down (lifespan, so the worker too), then re-raises the signal: -15 or 0.
        assert server.process.wait(10) in (0, -15) and time.monotonic() - started < 5
        assert b"Traceback" not in server.process.stderr.read()
    finally:
        server.stop()
    with Workspace.open(demo_copy) as ws:
        assert len(ws.decisions.votes("2.2")) == 6


def test_a_burst_of_decisions_is_one_fit_on_the_latest_state(demo_copy, monkeypatch):
    ranker = BlockingRanker()
    ranker.release.set()
    monkeypatch.setattr(active, "rerank", ranker)
    reranker = Reranker(demo_copy, quiet=0.3, max_delay=30)
    queue = MeasureQueue("2.2", threshold=0.26, reranker=reranker)
    try:
        with Workspace.open(demo_copy) as ws:
            queue.next_item(ws, "Anna")
            for pid, *_ in ws.evidence.queue_candidates("2.2", DocumentFilters())[:6]:
                ws.decisions.record(pid, "2.2", "Anna", False)
                queue.mark_stale()  # what the decision route does after every decision
            assert reranker.wait_idle(10)
            assert ranker.threads == [THREAD_NAME]  # one fit for the burst ...
            assert queue.published.seen == {v.id for v in ws.decisions.votes("2.2")}  # ... on all six decisions
    finally:
        reranker.stop()
