"""Every ``--json`` output validates against its published schema, run on real workspaces.

The schemas (weerbaar/schemas/*.json, draft 2020-12) are closed: a key the code writes but the
schema does not list fails here, so docs/json.md and the schemas cannot drift from the output.
"""

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import referencing
from typer.testing import CliRunner

from tests.conftest import PROSE, REPO, write_image_pdf, write_pdf
from weerbaar import schemas
from weerbaar.cli.jsonout import SCHEMA_VERSION
from weerbaar.cli.main import app
from weerbaar.codebook import load_codebook
from weerbaar.demo import demo_decisions
from weerbaar.workspace.records import CITATION_FIELDS

runner = CliRunner()
REGISTRY = referencing.Registry().with_resources(
    (s["$id"], referencing.Resource.from_contents(s)) for s in map(schemas.load, schemas.NAMES))


def validate(name: str, data) -> None:
    schema = schemas.load(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, registry=REGISTRY).validate(data)


def run_json(*args, input=None) -> dict:
    result = runner.invoke(app, [str(a) for a in args],
                           input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == SCHEMA_VERSION
    return data


def english_keys(data, path="") -> None:
    """No Dutch key anywhere (values are Dutch; keys of free-form maps are ids, not words)."""
    dutch = {"organisatie", "jaar", "pagina", "titel", "bestand", "tekst", "fase", "maatregel", "maatregelen",
             "aantallen", "bestanden", "paginas", "melding", "reden", "naam", "rol", "gemaakt", "drempel",
             "overeenstemming", "conflicten", "documenttype", "begin", "eind", "fragment", "markeringen"}
    if isinstance(data, dict):
        assert not dutch & set(data), f"Dutch keys at {path}: {dutch & set(data)}"
        for k, v in data.items():
            if k not in ("elements_found", "metadata_source", "per_measure", "recall_at_k", "source_info"):
                english_keys(v, f"{path}.{k}")
    elif isinstance(data, list):
        for i, v in enumerate(data):
            english_keys(v, f"{path}[{i}]")


def test_every_schema_is_valid_and_shipped():
    assert sorted(p.stem for p in (REPO / "src" / "weerbaar" / "schemas").glob("*.json")) == sorted(schemas.NAMES)
    for name in schemas.NAMES:
        jsonschema.Draft202012Validator.check_schema(schemas.load(name))
    assert list(schemas.load("citation")["properties"]) == list(CITATION_FIELDS)
    described = (REPO / "docs" / "json.md").read_text("utf-8")
    assert all(f"`{name}.json`" in described for name in schemas.NAMES)


def test_ingest_documents_and_search(tmp_path):
    folder = tmp_path / "gemeente-testdorp"
    folder.mkdir()
    write_pdf(folder / "programmabegroting-2024.pdf", PROSE)
    write_image_pdf(folder / "scan.pdf")
    ws = tmp_path / "ws"
    ingested = run_json("ingest", folder, "-w", ws, "--json")
    validate("ingest", ingested)
    assert ingested["counts"]["new"] == 1 and ingested["counts"]["skipped"] == 1
    docs = run_json("documenten", "-w", ws, "--json")
    validate("documents", docs)
    assert docs["documents"][0]["document_type"] == "begroting"
    skipped = run_json("documenten", "-w", ws, "--overgeslagen", "--json")
    validate("skipped-files", skipped)
    assert skipped["skipped_files"][0]["reason"] == "gescand"
    found = run_json("zoek", "noodsteunpunten", "-w", ws, "--json")
    validate("search", found)
    citation = found["hits"][0]["citation"]
    assert citation["file"] == "programmabegroting-2024.pdf" and citation["page"] == 1
    for data in (ingested, docs, skipped, found):
        english_keys(data)


@pytest.fixture(scope="module")
def reviewed_demo(demo_pristine, tmp_path_factory) -> Path:
    """The analysed demo with the demo's own review decisions and one account."""
    folder = tmp_path_factory.mktemp("json") / "demo"
    shutil.copytree(demo_pristine, folder)
    runner.invoke(app,
                  ["beslissingen", "importeer", str(demo_decisions()), "-w", str(folder)], catch_exceptions=False)
    runner.invoke(app,
                  ["gebruiker", "toevoegen", "anna", "--rol", "coordinator", "--wachtwoord-stdin", "-w", str(folder)],
                  input="een lang wachtwoord\n", catch_exceptions=False)
    return folder


def test_evidence_verdicts_and_review(reviewed_demo):
    ws = reviewed_demo
    outputs = {
        "analysis": run_json("analyseer", "-w", ws, "--json"),
        "passages": run_json("passages", "-m", "2.2", "-w", ws, "--json"),
        "verdicts": run_json("beoordeel", "-w", ws, "--json"),
        "changes": run_json("vergelijk", "-w", ws, "--tot", "2000-01-01", "--json"),
        "agreement": run_json("beslissingen", "overeenstemming", "-w", ws, "--json"),
        "accounts": run_json("gebruiker", "lijst", "-w", ws, "--json"),
        "measures": run_json("maatregelen", "--json"),
    }
    for name, data in outputs.items():
        validate(name, data)
        english_keys(data)
    ranked = outputs["passages"]["passages"]
    assert ranked and all(r["measure_id"] == "2.2" for r in ranked)
    stages = {s.level: s.label for s in load_codebook().stages}
    assert all(r["stage_label"] == stages[r["stage"]] for r in ranked)
    assessed = [v for v in outputs["verdicts"]["verdicts"] if v["evidence"]]
    assert assessed, "the demo's decisions give verdicts with evidence"
    for v in assessed:
        for e in v["evidence"]:
            c = e["citation"]
            assert c["file"] and e["quote"] in c["text"]
    assert outputs["changes"]["changes"], "everything assessed now was not assessed in 2000"
    assert outputs["accounts"]["accounts"] == [{"name": "anna", "role": "coordinator",
                                                "created_at": outputs["accounts"]["accounts"][0]["created_at"]}]


def test_classificeer_writes_one_valid_object_per_line(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": PROSE[0]}) + "\n" + '{"id": "b"}\n' + "geen json\n", "utf-8")
    result = runner.invoke(app,
                           ["classificeer", str(source), "-w", str(tmp_path / "geen")], catch_exceptions=False)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3 and "error" in lines[1] and "error" in lines[2]
    for line in lines:
        assert line["schema_version"] == SCHEMA_VERSION
        validate("classification", line)
    assert lines[0]["stage_label"]


# `evalueer --json` is validated against its schema where its output is tested anyway, one evaluation
# run instead of two: tests/test_evaluate.py::test_evalueer_reads_the_labels_and_documents_it_is_given_from_any_folder
