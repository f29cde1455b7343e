"""bench/run.py, the runner behind `make bench`: aggregation over rounds, the generated block in
BENCHMARKS.md replaced in place, benchmarks without their input skipped, and one real benchmark
run through it at its smallest size."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
run = importlib.util.module_from_spec(_spec)
sys.modules["bench_run"] = run
_spec.loader.exec_module(run)


def test_aggregate_gives_min_median_max_over_rounds():
    assert run.aggregate([3.0, 1.0, 2.0, 10.0]) == {"min": 1.0, "median": 2.5, "max": 10.0, "runs": 4}


def test_summary_joins_rounds_and_per_round_lists_and_keeps_the_load():
    bench = run.Benchmark("x", "X", "bench_x.py", (), None, minutes=1, targets=(("queue*p95 (ms)", "≤ 100 ms"),))
    runs = [
        {"load_before": [0.5, 0, 0], "load_after": [1.5, 0, 0], "figures": {"queue p95 (ms)": 30, "note": "tekst"}},
        {"load_before": [2.0, 0, 0], "load_after": [0.4, 0, 0], "figures": {"queue p95 (ms)": [10, 50]}},
        {"load_before": [9.0, 0, 0], "load_after": [9.0, 0, 0], "error": "exit 1"},
    ]
    figures = run.summarise(bench, runs)
    assert list(figures) == ["queue p95 (ms)"]  # text is kept in the raw results only
    f = figures["queue p95 (ms)"]
    assert (f["label"], f["unit"], f["values"]) == ("queue p95", "ms", [30.0, 10.0, 50.0])
    assert (f["min"], f["median"], f["max"], f["runs"]) == (10.0, 30.0, 50.0, 3)
    assert f["load"] == [0.4, 2.0]  # the failed run's load belongs to no figure
    assert f["target"] == "≤ 100 ms"


BENCHMARKS = """# Benchmarks

Intro that a person wrote.

<!-- make bench: begin -->
_old header_

<!-- bench ingest -->
#### ingest: old ingest figures

| figure | unit |
|---|---|
| ratio | 0.45 |

<!-- bench opstart -->
#### opstart: old start-up figures
<!-- make bench: end -->

## Ingest, by hand

Hand-written text | with a table | that must stay.
"""


def test_block_replaced_in_place_keeps_other_sections_and_the_rest():
    new = run.replace_block(BENCHMARKS, {"opstart": "<!-- bench opstart -->\n#### opstart: new\n"}, "_new header_")
    before, after = BENCHMARKS.split(run.BEGIN)[0], BENCHMARKS.split(run.END)[1]
    assert new.startswith(before) and new.endswith(after)
    block = new[new.index(run.BEGIN): new.index(run.END)]
    assert "_new header_" in block and "_old header_" not in block
    assert "old ingest figures" in block and "| ratio | 0.45 |" in block  # not run this time: kept
    assert "opstart: new" in block and "old start-up figures" not in block
    assert block.index("bench ingest") < block.index("bench opstart")  # registry order
    assert run.replace_block(new, {"opstart": "<!-- bench opstart -->\n#### opstart: new\n"}, "_new header_") == new


def test_keeping_the_last_section_keeps_one_end_marker():
    """A partial run (--alleen) that leaves the block's last section as it was: the end marker must
    not be carried along inside that section (it was, and BENCHMARKS.md got two end markers)."""
    section = "<!-- bench ingest -->\n#### ingest: new\n"
    new = run.replace_block(BENCHMARKS, {"ingest": section}, "_new header_")
    assert new.count(run.BEGIN) == 1 and new.count(run.END) == 1
    assert "old start-up figures" in new[new.index(run.BEGIN): new.index(run.END)]
    assert run.replace_block(new, {"ingest": section}, "_new header_") == new


def test_block_without_markers_goes_before_the_first_section():
    text = "# Benchmarks\n\nIntro.\n\n## First\n\nBody.\n"
    new = run.replace_block(text, {}, "_header_")
    assert new.startswith("# Benchmarks\n\nIntro.\n\n" + run.BEGIN)
    assert new.endswith(run.END + "\n\n## First\n\nBody.\n")


def test_benchmark_without_its_input_is_skipped_with_a_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WEERBAAR_SHARED", str(tmp_path / "geen-shared"))
    benchmarks_md = tmp_path / "BENCHMARKS.md"
    benchmarks_md.write_text(BENCHMARKS, encoding="utf-8")
    code = run.main(["--alleen", "cluster", "--rondes", "3", "--benchmarks-md", str(benchmarks_md),
                     "--resultaten", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert f"cluster: skipped: needs the real documents in {tmp_path / 'geen-shared'}/corpus" in out
    raw = json.loads(next(tmp_path.glob("run-*.json")).read_text(encoding="utf-8"))
    assert raw["benchmarks"]["cluster"]["runs"] == [] and raw["benchmarks"]["cluster"]["skipped"]
    text = benchmarks_md.read_text(encoding="utf-8")
    assert "### cluster:" in text and "_skipped: needs the real documents" in text
    assert "old ingest figures" in text and text.endswith(BENCHMARKS.split(run.END)[1])


def test_registry_scripts_exist_and_write_json():
    names = [b.name for b in run.REGISTRY]
    assert len(names) == len(set(names))
    for bench in run.REGISTRY:
        source = (ROOT / "bench" / bench.script).read_text(encoding="utf-8")
        assert bench.reader is not None or '"--json"' in source, bench.script
        for option in bench.args + (bench.snel or ()):
            if option.startswith("--"):
                assert f'"{option}"' in source, (bench.script, option)
        assert bench.command(False).endswith(f"bench/{bench.script} {' '.join(bench.args)}".strip())


def test_unknown_benchmark_is_refused():
    with pytest.raises(SystemExit, match="unknown benchmark.*known: ingest"):
        run.main(["--alleen", "bestaat-niet"])


def test_a_real_benchmark_through_the_runner_at_its_smallest_size(tmp_path, capsys):
    benchmarks_md = tmp_path / "BENCHMARKS.md"
    benchmarks_md.write_text(BENCHMARKS, encoding="utf-8")
    code = run.main(["--snel", "--alleen", "overzicht", "--benchmarks-md", str(benchmarks_md),
                     "--resultaten", str(tmp_path)])
    assert code == 0
    assert benchmarks_md.read_text(encoding="utf-8") == BENCHMARKS  # --snel figures are not for BENCHMARKS.md
    out = capsys.readouterr().out
    assert "NOT for BENCHMARKS.md" in out
    raw = json.loads(next(tmp_path.glob("run-*-snel.json")).read_text(encoding="utf-8"))
    result = raw["benchmarks"]["overzicht"]
    assert raw["snel"] is True and raw["cores"] >= 1 and len(result["runs"]) == 1
    assert len(result["runs"][0]["load_before"]) == 3 and result["commit"]
    sql = result["figures"]["one SQL query, median of 1 (ms)"]
    assert sql["unit"] == "ms" and sql["runs"] == 1 and sql["min"] == sql["median"] == sql["max"] > 0
    assert result["figures"]["decisions (count)"]["median"] > 0
    assert "| one SQL query, median of 1 | ms |" in out


def test_benchmarks_md_has_one_generated_block_before_the_hand_written_sections():
    text = (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert text.count(run.BEGIN) == 1 and text.count(run.END) == 1
    assert text.index(run.BEGIN) < text.index(run.END) < text.index("\n## Ingest")


def test_ingest_figures_keep_raw_extraction_ingest_and_their_ratio(tmp_path):
    """bench_ingest.py writes its own results file; the runner reads both sides of the same run."""
    row = {"pages": 2510, "files": 284, "processes": 2, "raw_pages_per_s": [830.0], "ingest_pages_per_s": [372.0],
           "ratio_per_round": [0.45], "raw_peak_rss_mb": 35, "ingest_peak_rss_mb": 58, "ingest_worker_peak_rss_mb": 105}
    path = tmp_path / "ingest.json"
    path.write_text(json.dumps({"rows": [row]}), encoding="utf-8")
    figures = run.read_ingest_results(path)
    assert figures["2510 pages, N=2: raw pypdfium2 (pages/s)"] == [830.0]
    assert figures["2510 pages, N=2: ingest (pages/s)"] == [372.0]
    assert figures["2510 pages, N=2: ingest / raw (ratio)"] == [0.45]
    ingest = next(b for b in run.REGISTRY if b.name == "ingest")
    assert ingest.target("2510 pages, N=2: ingest / raw (ratio)") == "≥ 0.7 (#14.2)"
    row["cpu_ratio_per_round"] = [0.6]  # what a newer bench_ingest.py adds is taken along
    path.write_text(json.dumps({"rows": [row]}), encoding="utf-8")
    assert run.read_ingest_results(path)["2510 pages, N=2: raw / ingest CPU (ratio)"] == [0.6]
