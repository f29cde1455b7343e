"""Run the benchmarks whose figures stand in BENCHMARKS.md, several rounds each, and regenerate them.

``make bench`` runs this at the sizes BENCHMARKS.md quotes. Every benchmark in ``REGISTRY`` is a
script in ``bench/`` run as its own process with the exact command shown in the table; it writes
its headline figures as flat JSON (``--json PATH``: ``{"figure (unit)": number}``), or the runner
reads what the script writes itself (``bench_ingest.py``). For every figure the runner keeps the
value of each round and reports min / median / max, together with the UTC date and time, the git
commit, the number of cores and the 1-minute load average before and after every round. It writes

- ``bench/results/run-<date>.json``: everything, raw (every round's values, load, duration, the
  command, its exit code and the tail of its error output);
- the block between ``<!-- make bench: begin -->`` and ``<!-- make bench: end -->`` near the top of
  BENCHMARKS.md: one table per benchmark, "figure | unit | min | median | max | runs | load |
  target (issue)". With ``--alleen`` only those benchmarks' sections are replaced; the others stay
  as they were, each with its own date and commit.

**Order: rounds are interleaved** (round 1 of every benchmark, then round 2 of every benchmark,
...), not each benchmark's rounds back to back. On a shared 2-core machine the load comes and goes
over minutes; back to back, one burst of someone else's work can hit all rounds of one benchmark
and none of the next, so that benchmark's min and max both lie. Interleaved, each benchmark's rounds
are spread over the whole run, and its min / median / max show what the machine did over that
time; the load before and after each round says how quiet it was. Benchmarks whose figures are
deterministic (quality on a labelled set: ``once``) run once. Each round is a fresh start of the
script (its own workspace, its own server), so a round's figures do not lean on the previous one's
caches; the scripts' own rounds are set to 1 where they have them. A script may still give a list
(one value per inner round): every value then counts as a run.

``--snel`` runs the smallest sizes, one round, to check that everything runs: its figures are not
for BENCHMARKS.md, which it leaves alone. ``--groot`` adds what does not fit the default run of
about 40 minutes on a quiet 2-core machine (analysis of 100k passages, the vector index at 300k and
1M vectors, 20 reviewers for 10 minutes, the Dask cluster). Benchmarks that need ``../shared`` (or
``WEERBAAR_SHARED``) are skipped with a message when it is absent.

    .venv/bin/python bench/run.py                          # what `make bench` runs (3 rounds)
    .venv/bin/python bench/run.py --snel                   # does everything run? (minutes; not for BENCHMARKS.md)
    .venv/bin/python bench/run.py --alleen opstart review  # only these; their sections are replaced
    .venv/bin/python bench/run.py --groot                  # also the hour-long figures
    .venv/bin/python bench/run.py --lijst                  # the registry: names, commands, estimates
"""

from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BEGIN = "<!-- make bench: begin -->"
END = "<!-- make bench: end -->"
SECTION = re.compile(r"^<!-- bench (\S+) -->$", re.MULTILINE)
FIGURE_NAME = re.compile(r"^(.*) \(([^()]*)\)$")


def read_ingest_results(path: Path) -> dict:
    """``bench_ingest.py`` writes ``bench/results/ingest.json`` itself: raw extraction and ingest
    over the same number of processes, measured back to back in the same run, and their ratio."""
    data = json.loads(path.read_text(encoding="utf-8"))
    figures: dict[str, float | list[float]] = {}
    for row in data.get("rows", []):
        where = f"{row['pages']} pages, N={row['processes']}"
        figures[f"{where}: raw pypdfium2 (pages/s)"] = row["raw_pages_per_s"]
        figures[f"{where}: ingest (pages/s)"] = row["ingest_pages_per_s"]
        figures[f"{where}: ingest / raw (ratio)"] = row["ratio_per_round"]
        figures[f"{where}: peak RSS ingest, writer (MB)"] = row["ingest_peak_rss_mb"]
        if row["processes"] > 1:
            figures[f"{where}: peak RSS ingest, worker (MB)"] = row["ingest_worker_peak_rss_mb"]
        for key, name in (("raw_cpu_s", "CPU raw"), ("ingest_cpu_s", "CPU ingest"),
                          ("cpu_ratio_per_round", "raw / ingest CPU")):  # newer bench_ingest.py only
            if key in row:
                figures[f"{where}: {name} ({'ratio' if 'ratio' in key else 's'})"] = row[key]
    return figures


@dataclass(frozen=True)
class Benchmark:
    """One script in ``bench/``, the sizes BENCHMARKS.md quotes, and how to read its figures."""

    name: str
    title: str
    script: str
    args: tuple[str, ...]
    snel: tuple[str, ...] | None  # the smallest sizes, for --snel; None: no small size of its own
    minutes: float  # estimated minutes per round on a quiet 2-core machine
    needs_shared: bool = False
    groot: bool = False  # only with --groot: does not fit the default run
    once: bool = False  # deterministic figures: one run says it all
    targets: tuple[tuple[str, str], ...] = ()  # (glob on the figure's name with its unit, target and issue)
    reader: Callable[[Path], dict] | None = None  # instead of --json: read what the script writes itself,
    writes: str = ""  # to this file under bench/ (checked to be new)

    def sized(self, snel: bool) -> list[str]:
        return list(self.snel if snel and self.snel is not None else self.args)

    def argv(self, snel: bool, json_path: Path) -> list[str]:
        args = self.sized(snel)
        if self.reader is None:
            args += ["--json", str(json_path)]
        return [sys.executable, str(HERE / self.script), *args]

    def command(self, snel: bool) -> str:
        """The command as a person would type it from the repository (without the --json path)."""
        args = self.sized(snel)
        prefix = "WEERBAAR_SHARED=../shared " if self.needs_shared else ""
        return f"{prefix}.venv/bin/python bench/{self.script} {shlex.join(args)}".strip()

    def target(self, figure: str) -> str:
        return next((t for pattern, t in self.targets if fnmatch.fnmatch(figure, pattern)), "")

    def rounds(self, rounds: int) -> int:
        """How many times the runner starts the script."""
        return 1 if self.once else rounds


REGISTRY: tuple[Benchmark, ...] = (
    Benchmark("ingest", "Ingest against raw pypdfium2 extraction over 1 and 2 processes (issues #2, #14)",
              "bench_ingest.py", ("--sizes", "500", "1000", "2500", "--rounds", "1"),
              ("--sizes", "60", "--rounds", "1"), minutes=1, needs_shared=True, reader=read_ingest_results,
              writes="results/ingest.json",
              targets=(("*ingest / raw*", "≥ 0.7 (#14.2)"),)),
    Benchmark("ingest-vijandig", "Ingest on hostile input: bombs, a backtracking cue, a dot leader, the Helmond bundles (#13)",
              "bench_ingest_hostile.py", (), ("--cases", "yaml-bom", "cue", "stippen"), minutes=0.3),
    Benchmark("analyse", "Analysis (embedding, scoring) of the real corpus repeated to 10k passages (#3, #14)",
              "bench_analyse.py", ("--sizes", "10000"), ("--sizes", "300", "--embedding-passages", "64"), minutes=2.5,
              needs_shared=True,
              targets=(("*ranking one measure p95*", "≤ 50 ms (#3)"), ("*peak RSS*", "≤ 2,048 MB together (#3)"))),
    Benchmark("analyse-100k", "Analysis of 100k passages (#3)", "bench_analyse.py", ("--sizes", "100000"),
              None, minutes=16, needs_shared=True, groot=True,
              targets=(("*: analyse (s)", "≤ 900 s (#3)"), ("*ranking one measure p95*", "≤ 50 ms (#3)"),
                       ("*peak RSS*", "≤ 2,048 MB together (#3)"))),
    Benchmark("voorfilter-gelabeld", "Pre-filter before embedding: labelled evidence lost (#14.1)",
              "bench_prefilter.py", ("--skip-corpus",), ("--skip-corpus",), minutes=1.5, needs_shared=True, once=True,
              targets=(("labelled positive pairs not embedded*", "≤ 1 % (#14.1)"),)),
    Benchmark("afbreekstreepjes", "Hyphens at a line end: joined, kept, or kept before a conjunction",
              "bench_line_end_hyphens.py", (), (), minutes=0.2, needs_shared=True, once=True),
    Benchmark("voorfilter-corpus", "Pre-filter before embedding: passages skipped and time on the real corpus (#14.1)",
              "bench_prefilter.py", ("--skip-labelled", "--runs", "1"),
              ("--skip-labelled", "--runs", "1", "--corpus-files", "4"), minutes=2.5, needs_shared=True),
    Benchmark("cluster", "analyseer --dask: throughput per worker on this machine (#14.6)",
              "bench_cluster.py", ("--passages", "800"), ("--passages", "60"), minutes=1.5, needs_shared=True, groot=True),
    Benchmark("review", "Review app at 100k passages: page loads and decisions, re-ranking included (#4, #14.5)",
              "bench_review.py", ("--passages", "100000", "--besluiten", "200", "--rondes", "1"),
              ("--passages", "2000", "--besluiten", "10", "--rondes", "1"), minutes=1,
              targets=(("queue page*p95*", "≤ 100 ms (#14.5)"), ("decision*p95*", "≤ 100 ms (#14.5)"),
                       ("measures overview*p95*", "≤ 100 ms (#4)"), ("document view*p95*", "≤ 100 ms (#4)"))),
    Benchmark("rapport", "Verdicts and report at 100k passages and 2,000 decisions (#11, #13)",
              "bench_report.py", ("--passages", "100000", "--besluiten", "2000", "--rondes", "20"),
              ("--passages", "2000", "--besluiten", "50", "--rondes", "3"), minutes=2,
              targets=(("rapport*wall (s)", "≤ 30 s (#11.7)"), ("*peak RSS*", "≤ 1,024 MB (#11.7, #13)"),
                       ("/oordelen*p95*", "≤ 300 ms (#11.7)"), ("one cell*p95*", "≤ 300 ms (#11.7)"))),
    Benchmark("opstart", "Start-up of the command line, demo workspace (#14.4)", "bench_startup.py",
              ("--runs", "7"), ("--runs", "1"), minutes=0.5,
              targets=(("weerbaar --help: wall*", "≤ 0.4 s (#14.4)"), ("weerbaar zoek*: wall*", "≤ 0.4 s (#14.4)"))),
    Benchmark("overzicht", "The measures overview's counts from the decision log (#12)", "bench_overview_counts.py",
              ("--passages", "5000", "--besluiten", "8000"), ("--passages", "1000", "--besluiten", "100", "--rondes", "1"),
              minutes=0.7),
    Benchmark("vectoren", "Search by meaning: usearch HNSW against the old float16 product (#14.3)",
              "bench_vector_search.py", ("--sizes", "10000", "100000"),
              ("--sizes", "1000", "--queries", "20", "--centres", "200", "--old-queries", "3"), minutes=2.5,
              targets=(("*index k=10 p95*", "≤ 50 ms at 1M (#14.3)"),)),
    Benchmark("vectoren-groot", "Search by meaning at 300k and 1M vectors (#14.3)", "bench_vector_search.py",
              ("--sizes", "300000", "1000000", "--old-queries", "5"), None, minutes=25, groot=True,
              targets=(("*index k=10 p95*", "≤ 50 ms at 1M (#14.3)"),)),
    Benchmark("actief-leren", "Simulated screening with active learning on the development set (#4)",
              "bench_active_learning.py", (), (), minutes=1.5, needs_shared=True, once=True),
    Benchmark("belasting", "20 reviewers for 10 minutes against one review server (#13.4)", "bench_load.py",
              ("--clients", "20", "--seconds", "600"), ("--clients", "3", "--seconds", "5"), minutes=10.5, groot=True,
              targets=(("errors*", "0 (#13.4)"), ("server crashed*", "0 (#13.4)"),
                       ("decisions stored twice*", "0 (#13.4)"), ("decisions acknowledged but missing*", "0 (#13.4)"))),
)
# Not in the registry: bench_scoring.py compares the classifier's per-passage cost against another
# source tree on an analysed workspace you give it; it is a side-by-side check run by hand.


def shared_folder() -> Path:
    return Path(os.environ.get("WEERBAAR_SHARED", ROOT.parent / "shared")).resolve()


def missing_input(bench: Benchmark, shared: Path) -> str | None:
    """Why ``bench`` cannot run here, or None."""
    if bench.needs_shared and not (shared / "corpus").is_dir():
        return f"skipped: needs the real documents in {shared}/corpus (absent; set WEERBAAR_SHARED)"
    return None


def split_name(figure: str) -> tuple[str, str]:
    """'queue page p95 (ms)' -> ('queue page p95', 'ms')."""
    m = FIGURE_NAME.match(figure)
    return (m[1], m[2]) if m else (figure, "")


def aggregate(values: list[float]) -> dict:
    return {"min": min(values), "median": statistics.median(values), "max": max(values), "runs": len(values)}


def load_now() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def run_once(bench: Benchmark, snel: bool, round_no: int, shared: Path) -> dict:
    """One start of the benchmark's script; its figures, load before and after, and how it ended."""
    with tempfile.TemporaryDirectory(prefix="weerbaar-run-") as tmp:
        json_path = Path(tmp) / "figures.json"
        argv = bench.argv(snel, json_path)
        env = {**os.environ, "WEERBAAR_SHARED": str(shared)}
        record: dict = {"round": round_no, "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "load_before": load_now()}
        began, began_wall = time.perf_counter(), time.time()
        proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
        record["seconds"] = round(time.perf_counter() - began, 1)
        record["load_after"] = load_now()
        record["returncode"] = proc.returncode
        if proc.returncode != 0:
            record["error"] = (proc.stderr or proc.stdout)[-3000:]
            return record
        source = HERE / bench.writes if bench.reader else json_path
        try:
            if source.stat().st_mtime < began_wall - 1:
                raise ValueError(f"{source} was not written by this run")
            figures = bench.reader(source) if bench.reader else json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            record["error"] = f"no figures read: {type(exc).__name__}: {exc}"
            return record
    record["figures"] = figures
    return record


def summarise(bench: Benchmark, runs: list[dict]) -> dict:
    """Per figure: its unit, every round's values, min / median / max, the load range, the target."""
    values: dict[str, list[float]] = {}
    loads: dict[str, list[float]] = {}
    for run in runs:
        for name, value in (run.get("figures") or {}).items():
            items = value if isinstance(value, list) else [value]
            numbers = [float(v) for v in items if isinstance(v, int | float) and not isinstance(v, bool)]
            if not numbers:
                continue
            values.setdefault(name, []).extend(numbers)
            loads.setdefault(name, []).extend([run["load_before"][0], run["load_after"][0]])
    out = {}
    for name, vs in values.items():
        label, unit = split_name(name)
        out[name] = {"label": label, "unit": unit, "values": vs, **aggregate(vs),
                     "load": [min(loads[name]), max(loads[name])], "target": bench.target(name)}
    return out


def number(x: float) -> str:
    if x != x:  # NaN
        return "–"
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1 or x == 0:
        return f"{x:.2f}"
    return f"{x:.3f}"


def section(bench: Benchmark, result: dict) -> str:
    """The Markdown of one benchmark: what ran, when, where, under what load, and its figures."""
    lines = [f"<!-- bench {bench.name} -->", f"### {bench.name}: {bench.title}", ""]
    if result.get("skipped"):
        return "\n".join([*lines, f"`{result['command']}`", "", f"_{result['skipped']}_", ""])
    runs = result["runs"]
    when = f"{result['started'][:16].replace('T', ' ')} UTC"
    loads = [x for r in runs for x in (r["load_before"][0], r["load_after"][0])]
    load = f"load {number(min(loads))}–{number(max(loads))}" if loads else "load –"
    starts = len(runs)
    how = ("one run (deterministic figures)" if bench.once else "one round" if starts == 1 else
           f"{starts} rounds, interleaved with the other benchmarks")
    lines.append(f"`{result['command']}` · {how} · {when} · commit {result['commit']} · {result['cores']} cores · "
                 f"{load} (1-min average before and after each start) · "
                 f"{sum(r['seconds'] for r in runs) / 60:.1f} min")
    lines.append("")
    failed = [r for r in runs if "error" in r]
    if failed:
        lines += [f"_{len(failed)} of {starts} runs failed; see the raw results ({result['raw']})._", ""]
    figures = result["figures"]
    if figures:
        lines += ["| figure | unit | min | median | max | runs | load | target (issue) |",
                  "|---|---|---:|---:|---:|---:|---|---|"]
        for f in figures.values():
            lines.append(f"| {f['label']} | {f['unit']} | {number(f['min'])} | {number(f['median'])} | "
                         f"{number(f['max'])} | {f['runs']} | {number(f['load'][0])}–{number(f['load'][1])} | "
                         f"{f['target']} |")
        lines.append("")
    return "\n".join(lines)


def sections_of(block: str) -> dict[str, str]:
    """The benchmark sections of an existing generated block, by name."""
    marks = list(SECTION.finditer(block))
    return {m[1]: block[m.start(): marks[i + 1].start() if i + 1 < len(marks) else len(block)].rstrip() + "\n"
            for i, m in enumerate(marks)}


def render_block(new: dict[str, str], old: dict[str, str], header: str, fallback: dict[str, str] | None = None) -> str:
    """The whole generated block: new sections replace old ones of the same name, registry order;
    ``fallback`` sections (benchmarks skipped this time) only where there is no old one."""
    merged = {**(fallback or {}), **old, **new}
    order = [b.name for b in REGISTRY] + sorted(set(merged) - {b.name for b in REGISTRY})
    body = "\n".join(merged[name] for name in order if name in merged)
    return f"{BEGIN}\n{header}\n\n{body}{END}"


def replace_block(text: str, new_sections: dict[str, str], header: str, skipped: dict[str, str] | None = None) -> str:
    """``text`` (BENCHMARKS.md) with the generated block replaced in place; everything else untouched.
    A benchmark skipped this time (its input absent) keeps its earlier section. Without the markers
    the block goes before the first second-level heading."""
    if BEGIN in text and END in text:
        start, end = text.index(BEGIN), text.index(END) + len(END)
        old = sections_of(text[start : end - len(END)])  # the end marker is not part of the last section
        return text[:start] + render_block(new_sections, old, header, skipped) + text[end:]
    at = text.find("\n## ")
    at = len(text) if at < 0 else at + 1
    return text[:at] + render_block(new_sections, {}, header, skipped) + "\n\n" + text[at:]


def select(names: list[str] | None, groot: bool) -> list[Benchmark]:
    if names:
        known = {b.name: b for b in REGISTRY}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SystemExit(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(known)}")
        return [b for b in REGISTRY if b.name in names]
    return [b for b in REGISTRY if groot or not b.groot]


def estimate(benches: list[Benchmark], rounds: int) -> float:
    return sum(b.minutes * (1 if b.once else rounds) for b in benches)


@dataclass
class Run:
    """What one invocation of the runner measured."""

    rounds: int
    snel: bool
    shared: Path
    started: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    results: dict[str, dict] = field(default_factory=dict)

    def measure(self, benches: list[Benchmark], say: Callable[[str], None] = print) -> None:
        commit = git("rev-parse", "--short", "HEAD") or "unknown"
        if git("status", "--porcelain", "--untracked-files=no"):
            commit += " (with uncommitted changes)"
        for bench in benches:
            self.results[bench.name] = {"title": bench.title, "command": bench.command(self.snel),
                                        "started": self.started, "commit": commit, "cores": os.cpu_count(),
                                        "rounds": self.rounds, "runs": [], "skipped": missing_input(bench, self.shared)}
            if self.snel and bench.snel is None:
                self.results[bench.name]["skipped"] = ("skipped with --snel: no small size of its own (its script is "
                                                       "checked at a small size by another entry, or it has none)")
            if self.results[bench.name]["skipped"]:
                say(f"{bench.name}: {self.results[bench.name]['skipped']}")
        active = [b for b in benches if not self.results[b.name]["skipped"]]
        for round_no in range(1, self.rounds + 1):
            for bench in active:
                if round_no > bench.rounds(self.rounds):
                    continue
                result = self.results[bench.name]
                if len(result["runs"]) == 0:
                    result["started"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                say(f"[round {round_no}/{self.rounds}] {bench.name}: {result['command']} "
                    f"(load {load_now()[0]:.2f})")
                run = run_once(bench, self.snel, round_no, self.shared)
                result["runs"].append(run)
                say(f"    {run['seconds']:.0f} s, " + (f"FAILED: {run['error'][-600:]}" if "error" in run else
                                                       f"{len(run['figures'])} figures"))
        for bench in benches:
            result = self.results[bench.name]
            result["figures"] = summarise(bench, result["runs"])

    def failed(self) -> list[str]:
        return [name for name, r in self.results.items() if any("error" in run for run in r["runs"])]

    def raw(self) -> dict:
        return {"started": self.started, "finished": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "snel": self.snel, "rounds": self.rounds, "cores": os.cpu_count(),
                "python": platform.python_version(), "machine": platform.machine(), "shared": str(self.shared),
                "benchmarks": self.results}

    def sections(self, raw_path: str, skipped: bool = False) -> dict[str, str]:
        """The Markdown sections of the benchmarks that ran (or, ``skipped``, of those that could not)."""
        by_name = {b.name: b for b in REGISTRY}
        return {name: section(by_name[name], {**r, "raw": raw_path}) for name, r in self.results.items()
                if bool(r["skipped"]) == skipped}

    def header(self, raw_path: str) -> str:
        return (f"_Generated by `make bench` (`bench/run.py`); last run {self.started[:16].replace('T', ' ')} UTC, "
                f"raw results in `{raw_path}` (not committed). Do not edit by hand: the next run replaces each "
                f"benchmark's section. Min / median / max over the runs; \"load\" is the machine's 1-minute load "
                f"average before and after them ({os.cpu_count()} cores: below 2 the machine was quiet)._")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rondes", type=int, default=3, help="rounds per benchmark (min / median / max over them)")
    parser.add_argument("--alleen", nargs="+", metavar="NAAM", help="only these benchmarks (see --lijst)")
    parser.add_argument("--snel", action="store_true",
                        help="smallest sizes, one round: checks that it runs; NOT figures for BENCHMARKS.md")
    parser.add_argument("--groot", action="store_true", help="also the benchmarks that take an hour or more")
    parser.add_argument("--lijst", action="store_true", help="list the benchmarks, their commands and estimates")
    parser.add_argument("--benchmarks-md", type=Path, default=ROOT / "BENCHMARKS.md", help=argparse.SUPPRESS)
    parser.add_argument("--resultaten", type=Path, default=HERE / "results", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    rounds = 1 if args.snel else args.rondes
    if rounds < 1:
        parser.error("--rondes must be at least 1")
    benches = select(args.alleen, args.groot)
    if args.lijst:
        for b in REGISTRY:
            extra = " (--groot)" if b.groot else " (one run)" if b.once else ""
            print(f"{b.name:20} ~{b.minutes:g} min per round{extra}\n    {b.command(False)}")
        print(f"default run: about {estimate(select(None, False), args.rondes):.0f} min; with --groot about "
              f"{estimate(select(None, True), args.rondes):.0f} min (quiet 2-core machine)")
        return 0
    if args.snel:
        print("--snel: smallest sizes, one round, to check that the benchmarks run. These figures are NOT for "
              "BENCHMARKS.md; it is left unchanged.")
    else:
        print(f"{len(benches)} benchmarks, {rounds} rounds: about {estimate(benches, rounds):.0f} min on a quiet "
              f"2-core machine; load now {load_now()[0]:.2f} on {os.cpu_count()} cores")
    run = Run(rounds=rounds, snel=args.snel, shared=shared_folder())
    run.measure(benches)
    args.resultaten.mkdir(parents=True, exist_ok=True)
    stamp = run.started.replace("-", "").replace(":", "")
    raw_path = args.resultaten / f"run-{stamp}{'-snel' if args.snel else ''}.json"
    raw_path.write_text(json.dumps(run.raw(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    shown = raw_path.relative_to(ROOT) if raw_path.is_relative_to(ROOT) else raw_path
    ran, skipped = run.sections(str(shown)), run.sections(str(shown), skipped=True)
    block = render_block(ran, {}, run.header(str(shown)), skipped)
    if args.snel:
        print(f"\n{block}\n\n(--snel: not for BENCHMARKS.md; raw results in {shown})")
    else:
        path = args.benchmarks_md
        path.write_text(replace_block(path.read_text(encoding="utf-8"), ran, run.header(str(shown)), skipped),
                        encoding="utf-8")
        print(f"\n{block}\n\nwritten: {path} (the generated block) and {shown}")
    if run.failed():
        print(f"failed: {', '.join(run.failed())}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
