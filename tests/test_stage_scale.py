"""An own codebook with its own stage scale (0–3, planning at 1, execution at 2): validation with
line numbers, analysis, review, verdicts and the report all follow the codebook, not the VNG scale."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from weerbaar.assess.summary import summarise
from weerbaar.assess.verdicts import assess, level_for
from weerbaar.codebook import Codebook, load_codebook
from weerbaar.codebook.loader import parse_codebook
from weerbaar.codebook.model import DEFAULT_SCALE
from weerbaar.errors import CodebookError, WeerbaarError
from weerbaar.workspace import Workspace

SCALE_0_3 = """\
name: Eigen schaal
version: '1'
stages:
  - level: 0
    label: geen
  - level: 1
    label: voornemen
    cues: ['\\bwillen\\b']
  - level: 2
    label: gedaan
    cues: ['\\bis ingericht\\b', '\\bzijn aangewezen\\b']
  - level: 3
    label: getoetst
    cues: ['\\bgeoefend\\b']
planning_stage: 1
execution_stage: 2
pillars:
  - id: 2
    name: Crisisorganisatie
    measures:
      - id: '2.2'
        label: Noodsteunpunten
        text: De gemeente richt noodsteunpunten in.
        terms: [noodsteunpunt, steunpunt]
        elements:
          - {id: locaties, label: Locaties, terms: [locaties, aangewezen]}
          - {id: stroom, label: Noodstroom, terms: [aggregaat, noodstroom]}
"""

#: Passages for the analysis, each with the stage its cue means on the 0–3 scale.
PASSAGES = {
    "Wij willen in iedere kern een noodsteunpunt voor inwoners bij stroomuitval.": 1,
    "Het noodsteunpunt bij de sporthal is ingericht met een aggregaat voor noodstroom.": 2,
    "Het noodsteunpunt in het dorpshuis is in oktober met de buurt geoefend bij stroomuitval.": 3,
}


def scale_book(text: str = SCALE_0_3) -> Codebook:
    return parse_codebook(text, "schaal.yaml")


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_codebook_defines_the_scale(tmp_path):
    (tmp_path / "schaal.yaml").write_text(SCALE_0_3, encoding="utf-8")
    book = load_codebook(tmp_path / "schaal.yaml")
    scale = book.scale
    assert scale.labels == {0: "geen", 1: "voornemen", 2: "gedaan", 3: "getoetst"}
    assert (scale.maximum, scale.planning, scale.execution) == (3, 1, 2)
    assert scale.choices() == "0 tot en met 3"
    # A codebook without stages of its own keeps the VNG scale, and the built-in one is that scale.
    assert load_codebook().scale.labels == DEFAULT_SCALE.labels
    assert (load_codebook().scale.planning, load_codebook().scale.execution) == (2, 3)
    bare = SCALE_0_3.split("pillars:")[0].split("stages:")[0] + "pillars:" + SCALE_0_3.split("pillars:")[1]
    assert scale_book(bare).scale == DEFAULT_SCALE


@pytest.mark.parametrize(("change", "needle", "message"), [
    (lambda t: t.replace("level: 3", "level: 4"), "level: 0",
     "veld 'stages': de fasen moeten genummerd zijn 0, 1, 2, … zonder gaten of dubbele; nu: 0, 1, 2, 4"),
    (lambda t: t.replace("planning_stage: 1", "planning_stage: 5"), "planning_stage:",
     "veld 'planning_stage': fase 5 staat niet op de schaal van het codeboek (0 tot en met 3)"),
    (lambda t: t.replace("execution_stage: 2", "execution_stage: 1"), "execution_stage:",
     "veld 'execution_stage': de uitvoeringsfase (1) moet hoger zijn dan de planfase (1)"),
])
def test_an_invalid_scale_names_the_line(change, needle, message):
    text = change(SCALE_0_3)
    with pytest.raises(CodebookError) as info:
        scale_book(text)
    assert f"schaal.yaml, regel {line_of(text, needle)}: {message}" in info.value.message


def test_a_short_scale_must_say_where_planning_and_execution_are():
    # Levels 0–1 only: the default planning (2) and execution (3) stages are not on it.
    text = re.sub(r"  - level: 2\n.*?(?=planning_stage)", "", SCALE_0_3, flags=re.S)
    text = text.replace("planning_stage: 1\nexecution_stage: 2\n", "")
    with pytest.raises(CodebookError) as info:
        scale_book(text)
    expected = "veld 'planning_stage': fase 2 staat niet op de schaal van het codeboek (0 tot en met 1)"
    assert expected in info.value.message


def test_verdict_levels_follow_the_codebooks_planning_and_execution():
    scale = scale_book().scale
    assert level_for([2], 1, 2, scale) == "hoog"  # 'gedaan' is execution here (midden on the VNG scale)
    assert level_for([2], 1, 2) == "midden"
    assert level_for([1], 0, 0, scale) == "midden"  # 'voornemen' is this codebook's planning stage
    assert level_for([0], 0, 0, scale) == "laag"


@pytest.fixture
def analysed(tmp_path, embedder):
    """A municipality's memo analysed with the 0–3 codebook."""
    from weerbaar.classify.pipeline import analyse_workspace
    from weerbaar.ingest.pipeline import ingest_paths

    book = scale_book()
    folder = tmp_path / "gemeente-schaaldorp"
    folder.mkdir()
    (folder / "memo-2024.txt").write_text("\n\f".join(PASSAGES) + "\n", encoding="utf-8")  # a page each
    ws = Workspace.open(tmp_path / "ws", create=True)
    ingest_paths(ws, [folder])
    analyse_workspace(ws, book, embedder=embedder)
    yield ws, book
    ws.close()


def test_analysis_review_verdicts_and_report_follow_an_own_scale(analysed, tmp_path):
    ws, book = analysed
    stages = dict(ws.conn.execute(
        "SELECT p.text, a.stage FROM passages p JOIN passage_analysis a ON a.passage_id = p.id"))
    assert {" ".join(text.split()): stage for text, stage in stages.items()} == PASSAGES
    ids = {PASSAGES[" ".join(t.split())]: pid for pid, t in ws.conn.execute("SELECT id, text FROM passages")}

    # Review: stage 3 is on this scale, 4 is not (and nothing is stored for it).
    with pytest.raises(WeerbaarError, match="Fase 4 bestaat niet; kies 0 tot en met 3"):
        ws.decisions.decide(ids[3], "2.2", "anna", True, stage=4, scale=book.scale)
    assert ws.decisions.all() == []
    ws.decisions.decide(ids[3], "2.2", "anna", False, stage=3, scale=book.scale)
    ws.decisions.decide(ids[2], "2.2", "anna", True, stage=2, elements=["locaties"], scale=book.scale)

    # Verdicts: 'gedaan' (2) is this codebook's execution, and half the elements are shown: hoog.
    (verdict,) = [v for v in assess(ws, book) if v.measure_id == "2.2"]
    assert verdict.level == "hoog" and verdict.first_execution == verdict.first_plan == 2024
    assert "hoogste fase 2 (gedaan)" in verdict.reason
    assert verdict.rule.startswith("Hoog: minstens één relevante passage toont fase 2 (gedaan) of hoger")
    assert summarise(verdict, book.measure("2.2"), book.scale)[0].lead.startswith(
        "Gemeente Schaaldorp toont fase 2 (gedaan) in")

    # The report: the method section lists this scale and words the rules on it.
    from weerbaar.report.build import collect, render_html

    report = collect(ws, book, charts=False)
    assert report.stage_labels == book.scale.labels
    assert report.method["rules"]["laag"] == "Laag: de relevante passages tonen alleen fase 0 (geen)."
    html = render_html(report)
    assert "Fasen: 0 geen, 1 voornemen, 2 gedaan, 3 getoetst." in html
    assert "getest of geborgd" not in html


def test_the_review_screen_offers_the_codebooks_stages(analysed):
    from weerbaar.web.app import create_app

    ws, book = analysed
    client = TestClient(create_app(ws.folder, book, allowed_hosts=["testserver"]), follow_redirects=False)
    client.cookies.set("weerbaar_beoordelaar", "Anna")
    html = client.get("/maatregel/2.2").text
    assert re.findall(r'name="fase" value="(\d+)"', html) == ["0", "1", "2", "3"]
    assert "getoetst" in html and "getest of geborgd" not in html
    passage = int(re.search(r'name="passage_id" value="(\d+)"', html)[1])
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', html)[1]
    form = {"passage_id": passage, "measure_id": "2.2", "besluit": "relevant", "csrf": csrf, "terug": "/"}
    refused = client.post("/beslissing", data={**form, "fase": "4"})
    assert refused.status_code == 400 and "kies 0 tot en met 3" in refused.text
    assert client.post("/beslissing", data={**form, "fase": "3"}).status_code == 303
    assert [d.stage for d in ws.decisions.all()] == [3]
