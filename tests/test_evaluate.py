"""The labelled sets and the evaluation by held-out group, beside a keyword scan."""

import json
import sys
from types import SimpleNamespace

import pytest

from tests.conftest import REPO, shared_path
from tests.test_json_contract import english_keys, validate
from weerbaar.cli.jsonout import SCHEMA_VERSION
from weerbaar.codebook import load_codebook
from weerbaar.errors import WeerbaarError
from weerbaar.evaluation import GroupResult, LabelledItem, _locate, evaluate_by_group, load_set, prepared, worst_first

DEVSET = REPO / "eval" / "devset.jsonl"
GENERALISATION = REPO / "eval" / "generalisation.jsonl"
CRUCIAL = ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "6.1", "6.2"]
BOOK = load_codebook()
sys.path.insert(0, str(REPO / "eval"))
from finalise import agreement, groups_of  # noqa: E402


def test_the_generalisation_set_is_large_read_twice_and_stores_no_text():
    items = load_set(GENERALISATION)
    assert len(items) >= 1500
    assert {i.organisation_group for i in items} == {g[1] for g in _groups()}
    assert all(len(i.readings) == 2 for i in items)  # two independent readings kept beside the settled label
    raw = [json.loads(line) for line in GENERALISATION.read_text("utf-8").splitlines()]
    assert not any("text" in row or "note" in row for row in raw)  # locators and labels only
    assert all(groups_of(row["source"]) == (row["organisation_group"], row["doc_group"]) for row in raw)
    for m in ("2.2", "4.1", "5.1", "6.2"):  # the measures the corpus really covers have 30+ positives
        assert sum(m in i.measures for i in items) >= 30, m


def test_agreement_between_the_two_readings_is_reported_from_the_stored_readings():
    items = load_set(GENERALISATION)
    first = {k: i.readings[0] for k, i in enumerate(items)}
    second = {k: i.readings[1] for k, i in enumerate(items)}
    result = agreement(first, second)
    assert result["passages_read_twice"] == len(items)
    assert result["any_measure_kappa"] > 0.8 and result["stage_kappa"] > 0.6
    assert set(result["crucial"]) == set(CRUCIAL)


def _groups():
    from finalise import GROUPS

    return GROUPS


def test_a_passage_is_found_again_by_its_place_in_the_document_when_pages_are_split_differently():
    text = "Eerste pagina. " * 20 + "De noodsteunpunten zijn aangewezen." + " Meer tekst." * 10
    passage = "De noodsteunpunten zijn aangewezen."
    start = text.index(passage)
    import hashlib

    item = LabelledItem(id="x", source="s", page=1, start=start, end=start + len(passage),
                        sha1=hashlib.sha1(passage.encode()).hexdigest()[:12], measures=[], stage=None, doc_start=start)
    assert _locate(item, [(1, text)]) == (1, start, passage)
    split = [(1, text[:100]), (2, text[100:])]  # the same text, cut into two pseudo-pages
    assert _locate(item, split) == (2, start - 100, passage)
    assert _locate(item, [(1, text.replace("aangewezen", "gesloten"))]) is None


def _demo_set(tmp_path, tamper=False):
    lines = [line for line in DEVSET.read_text("utf-8").splitlines() if '"source": "demo/' in line]
    rows = [json.loads(line) for line in lines]
    for row in rows:
        organisation = row["source"].split("/")[1].split("-")[0]
        row["organisation_group"], row["doc_group"] = organisation, "demo"
    if tamper:
        rows[1]["sha1"] = "000000000000"
    path = tmp_path / "demo.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_group_evaluation_fits_on_the_other_groups_and_reports_beside_the_keyword_scan(tmp_path, embedder):
    prep = prepared(BOOK, load_set(_demo_set(tmp_path)), embedder)
    results = evaluate_by_group(BOOK, prep, ("organisatie",))
    groups = [r.group for r in results]
    assert set(groups[:-1]) == {"dijkwaard", "heemvoort", "vr"} and groups[-1].startswith("alle")
    for r in results:
        assert r.model.data.startswith("weerbaar") and r.keyword.data.startswith("trefwoordscan")
        assert r.model.n_items == r.keyword.n_items > 0
        assert 20 in r.model.recall_at and (r.model.precision is None or 0 <= r.model.precision <= 1)
    assert sum(r.model.n_items for r in results[:-1]) == results[-1].model.n_items == len(prep.items)


def test_groups_are_reported_worst_first():
    """The worst held-out group is what a reader must see first, not the one whose name sorts first."""
    def result(group, macro):
        return GroupResult("organisatie", group, SimpleNamespace(macro_f1=macro), None, None, None)

    results = [result("Gemeente Aa", 0.5), result("Gemeente Bee", None), result("Gemeente Cee", 0.0),
               result("Gemeente Dee", 0.3)]
    assert [r.group for r in worst_first(results)] == ["Gemeente Cee", "Gemeente Dee", "Gemeente Aa", "Gemeente Bee"]


def test_a_changed_source_text_is_caught(tmp_path, embedder):
    with pytest.raises(WeerbaarError, match="wijkt af van de set"):
        prepared(BOOK, load_set(_demo_set(tmp_path, tamper=True)), embedder)


@pytest.mark.slow
@pytest.mark.corpus
def test_out_of_group_the_model_beats_the_keyword_scan_on_the_pooled_figures(embedder):
    """Pooled over held-out organisations; BENCHMARKS.md has every group, including where it does not."""
    shared_path("seeds")
    prep = prepared(BOOK, load_set(GENERALISATION), embedder, shared=shared_path())
    results = evaluate_by_group(BOOK, prep, ("organisatie",))
    pooled = results[-1]
    assert pooled.model.micro_f1 > pooled.keyword.micro_f1 + 0.1
    assert pooled.model.macro_f1 > pooled.keyword.macro_f1 + 0.1
    assert pooled.model.recall_at[20] > pooled.keyword.recall_at[20]
    assert pooled.model.precision > 2 * pooled.keyword.precision


# --- weerbaar evalueer outside a source checkout: every path explicit, none relative to the package ---

OWN_DOCUMENT = ("Het college stelt een draaiboek op voor de stroomuitval in het gemeentehuis.\n\n"
                "De noodstroomvoorziening van het gemeentehuis is getest en werkt.\n\n"
                "De markt op zaterdag verhuist naar het plein bij de kerk.")


def _own_set(tmp_path):
    """A labels file of demo passages plus passages of a document written here, in a folder of its own."""
    bronnen = tmp_path / "bronnen"
    (bronnen / "corpus" / "gemeente-eigendorp").mkdir(parents=True)
    (bronnen / "corpus" / "gemeente-eigendorp" / "notitie-2025.txt").write_text(OWN_DOCUMENT, encoding="utf-8")
    import hashlib

    rows = [json.loads(line) for line in _demo_set(tmp_path).read_text("utf-8").splitlines()]
    for k, (sentence, measures, stage) in enumerate([(OWN_DOCUMENT.split("\n\n")[0], ["1.1"], 2),
                                                     (OWN_DOCUMENT.split("\n\n")[1], ["1.1", "1.2"], 3),
                                                     (OWN_DOCUMENT.split("\n\n")[2], [], None)]):
        start = OWN_DOCUMENT.index(sentence)
        rows.append({"id": f"eigen-{k}", "source": "corpus/gemeente-eigendorp/notitie-2025.txt", "page": 1,
                     "start": start, "end": start + len(sentence), "measures": measures, "stage": stage,
                     "sha1": hashlib.sha1(sentence.encode()).hexdigest()[:12],
                     "organisation_group": "eigendorp", "doc_group": "notitie"})
    labels = tmp_path / "elders" / "labels.jsonl"
    labels.parent.mkdir()
    labels.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return labels, bronnen


def _evalueer(*args):
    from typer.testing import CliRunner

    from weerbaar.cli.main import app

    return CliRunner().invoke(app, ["evalueer", *map(str, args)])


def test_evalueer_reads_the_labels_and_documents_it_is_given_from_any_folder(tmp_path, monkeypatch):
    labels, bronnen = _own_set(tmp_path)
    elsewhere = tmp_path / "ergens"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no eval/ and no ../shared here: only the explicit paths can work
    monkeypatch.delenv("WEERBAAR_SHARED", raising=False)
    result = _evalueer("--labels", labels, "--bronnen", bronnen, "--groepering", "organisatie", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == SCHEMA_VERSION
    validate("evaluation", data)  # the published JSON contract, English keys
    english_keys(data)
    assert data["set"] == str(labels)
    n_demo = sum(1 for line in labels.read_text("utf-8").splitlines() if '"demo/' in line)
    assert data["passages"] == n_demo + 3  # every passage found again, the three of the own document too
    assert "eigendorp" in {g["group"] for g in data["groups"]}


def test_evalueer_says_in_dutch_which_labels_file_or_documents_folder_is_missing(tmp_path, monkeypatch):
    labels, _ = _own_set(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WEERBAAR_SHARED", raising=False)
    result = _evalueer("--json")  # the default eval/generalisation.jsonl is not in this folder
    assert result.exit_code == 1
    assert "eval/generalisation.jsonl" in result.output and "niet gevonden" in result.output
    assert "--labels" in result.output
    result = _evalueer("--set", labels, "--bronnen", tmp_path / "geen-map", "--json")  # --set: the old name
    assert result.exit_code == 1
    assert "geen-map" in result.output and "bestaat niet" in result.output and "--bronnen" in result.output
