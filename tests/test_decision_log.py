"""The one decision log (``ws.decisions``): which decision counts at a moment, settling, conflicts,
all-or-nothing "hoort ook bij", retries that write nothing twice, and every consumer (queue,
verdicts, report, team page, overview) agreeing after a re-ingest re-attached decisions."""

from __future__ import annotations

import re
import shutil

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PROSE, write_docx
from weerbaar import jsonl
from weerbaar.assess.verdicts import assess
from weerbaar.codebook import load_codebook
from weerbaar.demo import demo_documents
from weerbaar.errors import WeerbaarError
from weerbaar.ingest.pipeline import ingest_paths
from weerbaar.report.build import collect
from weerbaar.review.decisions import import_decisions
from weerbaar.review.queue import MeasureQueue
from weerbaar.web.app import create_app
from weerbaar.workspace import Workspace
from weerbaar.workspace.decisions import DecisionKey
from weerbaar.workspace.documents import DocumentFilters, list_documents

BOOK = load_codebook()


@pytest.fixture
def doc(ws, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    path = write_docx(folder / "brief.docx", [[PROSE[0]], [PROSE[1]], [PROSE[2]]])
    ingest_paths(ws, [folder])
    return path


def first_passage(ws) -> int:
    return ws.evidence.passage_with_document(1)["id"]


def _import(ws, tmp_path, template, *records):
    """Import decisions like ``template`` (a recorded decision) with other uids, reviewers and times."""
    base = {k: getattr(template, k) for k in ("measure_id", "document_sha256", "document_path", "page_no", "start",
                                             "end", "text")}
    path = tmp_path / "beslissingen.jsonl"
    path.write_text("".join(jsonl.dumps({**base, "settles": False, **r}) + "\n" for r in records), encoding="utf-8")
    return import_decisions(ws, path, BOOK)


def test_current_at_compares_moments_not_strings(ws, doc, tmp_path):
    template = ws.decisions.record(first_passage(ws), "2.2", "anna", True)
    ws.decisions.undo_last("anna")
    # 10:00 UTC, then 11:30 at +02:00 — which is 09:30 UTC, so *earlier*, though its text sorts later.
    _import(ws, tmp_path, template,
            {"uid": "a1", "reviewer": "bert", "relevant": True, "decided_at": "2025-03-01T10:00:00+00:00"},
            {"uid": "a2", "reviewer": "bert", "relevant": False, "decided_at": "2025-03-01T11:30:00+02:00"},
            {"uid": "a3", "reviewer": "carla", "relevant": True, "decided_at": "2025-03-01T08:00:00Z",
             "undone_at": "2025-03-02T08:00:00Z"})
    key = DecisionKey("2.2", template.passage_id)
    now = ws.decisions.current()
    assert list(now) == [key] and {r: d.uid for r, d in now[key].items()} == {"bert": "a1"}  # carla's undone
    early = ws.decisions.current(at="2025-03-01T09:45:00+00:00")
    assert {r: d.uid for r, d in early[key].items()} == {"bert": "a2", "carla": "a3"}
    day = ws.decisions.current(at="2025-03-01")  # a date counts its whole day (UTC)
    assert {r: d.uid for r, d in day[key].items()} == {"bert": "a1", "carla": "a3"}
    assert ws.decisions.current(at="2025-02-28") == {}
    assert ws.decisions.final(at="2025-03-01")[key].uid == "a1"  # both say relevant: the latest counts
    # The verdicts' moment goes through the same log: on 1 March carla's decision still counted.
    assert ws.decisions.final(at="2025-03-01T09:45:00Z") == {}  # bert said not relevant, carla relevant


def test_final_with_a_settling_decision_and_conflicts(ws, doc):
    pid = first_passage(ws)
    ws.decisions.record(pid, "2.2", "anna", True, stage=3)
    ws.decisions.record(pid, "2.2", "bert", False)
    key = DecisionKey("2.2", pid)
    ((conflict_key, votes),) = ws.decisions.conflicts()
    assert conflict_key == key and sorted(d.reviewer for d in votes) == ["anna", "bert"]
    assert key not in ws.decisions.final() and ws.decisions.counts_per_measure() == {}
    settled = ws.decisions.record(pid, "2.2", "carla", False, settles=True)
    assert ws.decisions.conflicts() == []
    assert ws.decisions.final()[key].uid == settled.uid
    ws.decisions.record(pid, "2.2", "anna", True)  # a later vote does not overturn the settling decision
    assert ws.decisions.final()[key].uid == settled.uid
    counts = ws.decisions.counts_per_measure()["2.2"]
    assert (counts.reviewed, counts.relevant) == (1, 0)


def test_decide_with_an_unknown_extra_measure_writes_nothing(ws, doc):
    pid = first_passage(ws)
    with pytest.raises(WeerbaarError, match="'99.9' bestaat niet in het codeboek; er is niets opgeslagen"):
        ws.decisions.decide(pid, "2.2", "anna", True, also_for=["1.1", "99.9"], codebook=BOOK)
    assert ws.decisions.count() == 0
    stored = ws.decisions.decide(pid, "2.2", "anna", True, also_for=["1.1", "2.2"], codebook=BOOK)
    assert [d.measure_id for d in stored] == ["2.2", "1.1"] and ws.decisions.count() == 2


def test_a_retried_decision_writes_nothing_twice(ws, doc):
    pid = first_passage(ws)
    first = ws.decisions.decide(pid, "2.2", "anna", True, also_for=["1.1"], request_key="formulier-1", codebook=BOOK)
    again = ws.decisions.decide(pid, "2.2", "anna", True, also_for=["1.1"], request_key="formulier-1", codebook=BOOK)
    assert [d.uid for d in again] == [d.uid for d in first] and ws.decisions.count() == 2
    # The same form sent back with another answer is a new decision: nothing a reviewer decided is lost.
    changed = ws.decisions.decide(pid, "2.2", "anna", False, request_key="formulier-1", codebook=BOOK)
    assert changed[0].uid not in {d.uid for d in first} and ws.decisions.count() == 3
    assert ws.decisions.final()[DecisionKey("2.2", pid)].relevant is False
    # Undone, then the old form sent once more: that is deciding anew, not a retry.
    ws.decisions.undo_last("anna")
    anew = ws.decisions.decide(pid, "2.2", "anna", False, request_key="formulier-1", codebook=BOOK)
    assert anew[0].uid != changed[0].uid and ws.decisions.count() == 4
    assert ws.decisions.final()[DecisionKey("2.2", pid)].uid == anew[0].uid


def test_the_decision_snapshot_is_a_citation_and_exports_unchanged(ws, doc, tmp_path):
    d = ws.decisions.record(first_passage(ws), "2.2", "anna", True)
    assert (d.citation.passage_id, d.citation.page, d.citation.text) == (d.passage_id, d.page_no, d.text)
    assert d.citation.file == str(doc) and d.citation.organisation == list_documents(ws)[0]["organisation"]
    from weerbaar.review.decisions import EXPORT_FIELDS, export_decisions

    export_decisions(ws, tmp_path / "uit.jsonl")
    (record,) = [jsonl.loads(line) for line in (tmp_path / "uit.jsonl").read_text("utf-8").splitlines()]
    assert tuple(record) == EXPORT_FIELDS and record["page_no"] == d.page_no and record["text"] == d.text


def _client(folder, reviewer):
    client = TestClient(create_app(folder, BOOK, allowed_hosts=["testserver"]), follow_redirects=False)
    client.cookies.set("weerbaar_beoordelaar", reviewer)
    return client


def test_the_review_form_is_atomic_and_idempotent(demo_copy):
    client = _client(demo_copy, "Anna")
    html = client.get("/maatregel/2.2").text
    form = {"passage_id": re.search(r'name="passage_id" value="(\d+)"', html)[1], "measure_id": "2.2",
            "besluit": "relevant", "csrf": re.search(r'name="csrf" value="([0-9a-f]+)"', html)[1],
            "verzoek": re.search(r'name="verzoek" value="([0-9a-f-]+)"', html)[1], "terug": "/maatregel/2.2"}
    assert client.post("/beslissing", data={**form, "andere_maatregelen": "1.1, 99.9"}).status_code == 400
    with Workspace.open(demo_copy) as ws:
        assert ws.decisions.count() == 0  # the main decision was not committed before the bad extra measure
    assert client.post("/beslissing", data={**form, "andere_maatregelen": "1.1"}).status_code == 303
    assert client.post("/beslissing", data={**form, "andere_maatregelen": "1.1"}).status_code == 303  # resent
    with Workspace.open(demo_copy) as ws:
        assert sorted(d.measure_id for d in ws.decisions.all()) == ["1.1", "2.2"]


def test_every_consumer_agrees_on_the_decision_that_counts_after_a_reingest(tmp_path, embedder):
    from weerbaar.classify.pipeline import analyse_workspace

    folder = tmp_path / "documenten"
    folder.mkdir()
    memo = folder / "heemvoort-memo-stroomuitval-2025.md"
    shutil.copy(demo_documents() / memo.name, memo)
    manifest = (demo_documents() / "manifest.csv").read_text("utf-8").splitlines()
    (folder / "manifest.csv").write_text("\n".join([manifest[0], *[r for r in manifest if r.startswith(memo.name)]]) + "\n",
                                         encoding="utf-8")
    with Workspace.open(tmp_path / "werkruimte", create=True) as ws:
        ingest_paths(ws, [folder])
        analyse_workspace(ws, BOOK, embedder=embedder)
        (document,) = [d for d in list_documents(ws) if d["filename"] == memo.name]
        only_memo = DocumentFilters(document_id=document["id"])
        score, old_pid, mid = max((c[1], c[0], m.id) for m in BOOK.measures
                                  for c in ws.evidence.queue_candidates(m.id, only_memo))
        old_text = ws.evidence.texts([old_pid])[old_pid]
        org = ws.evidence.passages([old_pid])[old_pid][8]
        ws.decisions.record(old_pid, mid, "anna", True, stage=3)
        ws.decisions.record(old_pid, mid, "bert", True, stage=3)

        memo.write_text(memo.read_text("utf-8") + "\n\nNaschrift: de raad wordt in het voorjaar opnieuw "
                        "geïnformeerd over de evaluatie.\n", encoding="utf-8")
        ingest_paths(ws, [folder])  # a changed file: new passages, decisions re-attached by text
        analyse_workspace(ws, BOOK, embedder=embedder)
        (document,) = [d for d in list_documents(ws) if d["filename"] == memo.name]
        only_memo = DocumentFilters(document_id=document["id"])
        new_pid = next(pid for pid, text in ws.evidence.texts(
            c[0] for c in ws.evidence.queue_candidates(mid, only_memo)).items() if text == old_text)
        assert new_pid != old_pid and {d.passage_id for d in ws.decisions.all()} == {new_pid}
        # Anna changes her mind on the re-attached passage: her new decision replaces her old one
        # (made on the previous version of the file) everywhere, so the item is now a conflict.
        ws.decisions.record(new_pid, mid, "anna", False)
        client = _client(ws.folder, "Cora")

        def views():
            queue = MeasureQueue(mid, only_memo, threshold=0.0)
            queue_label = queue._final(ws.decisions.votes(mid, attached=True)).get(new_pid)
            progress = queue.progress(ws)
            (verdict,) = assess(ws, BOOK, organisation=org, measure_id=mid)
            verdict_label = next((e.validated for e in verdict.evidence if e.passage_id == new_pid), None)
            report = collect(ws, BOOK, charts=False)
            report_label = next((e.validated for e in report.verdicts[(org, mid)].evidence
                                 if e.passage_id == new_pid), None)
            team = client.get("/team").text
            team_conflicts = int(re.search(r"Conflicten \((\d+)\)", team)[1])
            overview = ws.decisions.counts_per_measure().get(mid)
            return dict(queue=queue_label, queue_relevant=progress.relevant, verdict=verdict_label,
                        report=report_label, conflicts=team_conflicts,
                        overview=(overview.reviewed, overview.relevant) if overview else (0, 0),
                        method=report.method["reviewed"])

        assert views() == dict(queue=None, queue_relevant=0, verdict=None, report=None, conflicts=1, overview=(0, 0),
                               method=1)
        ws.decisions.record(new_pid, mid, "Cora", True, settles=True)
        assert views() == dict(queue=True, queue_relevant=1, verdict=True, report=True, conflicts=0, overview=(1, 1),
                               method=1)
        (verdict,) = assess(ws, BOOK, organisation=org, measure_id=mid)
        (evidence,) = [e for e in verdict.evidence if e.passage_id == new_pid]
        assert evidence.reviewers == ["Cora", "anna", "bert"]
