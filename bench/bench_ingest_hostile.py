"""Peak memory and time of ingest on hostile input: a zip bomb, a YAML bomb, a codebook cue that
backtracks, a dot leader of 300,000 full stops without a space ("stippen"), and the real one-line
council bundles of Helmond (../shared/corpus).

Each case runs in a fresh subprocess, so its peak RSS (``ru_maxrss``) is its own. With
``--baseline-src`` (a checkout's ``src`` folder, e.g. of the commit before issue 13) the cases
also run on that code, alternating with the current code, so machine noise hits both alike.

    .venv/bin/python bench/bench_ingest_hostile.py
    git archive 5ec7aa4 src | tar -x -C /tmp/base && \\
        .venv/bin/python bench/bench_ingest_hostile.py --baseline-src /tmp/base/src --cases helmond
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("WEERBAAR_SHARED", HERE.parent.parent / "shared"))

CHILD = r'''
import json, resource, sys, time
from pathlib import Path
case, work = sys.argv[1], Path(sys.argv[2])
sys.path.insert(0, sys.argv[3])  # the repository, for tests.robustness.ingest_corpus
from tests.robustness import ingest_corpus as corpus
from weerbaar.workspace import Workspace
from weerbaar.ingest.pipeline import ingest_paths
docs = work / "docs"; docs.mkdir()
result = {}
if case == "docx-bom":
    corpus.docx_bomb(docs, 200)
elif case == "helmond":
    for p in sorted(Path(sys.argv[4]).glob("*.txt")):
        (docs / p.name).write_bytes(p.read_bytes())
elif case == "stippen":
    corpus.dot_leader_text(docs)
elif case == "yaml-bom":
    corpus.good_text(docs)
    (docs / "manifest.yaml").write_text(corpus.yaml_bomb(), "utf-8")
elif case == "cue":
    from importlib import resources
    text = resources.files("weerbaar.codebook.data").joinpath("vng-handreiking-2025.yaml").read_text("utf-8")
    (work / "cb.yaml").write_text(text.replace("  - \\bhet kabinet\\b\n", "  - \\bhet kabinet\\b\n  - (a|aa)+b\n", 1))
start = time.perf_counter()
try:
    if case == "cue":
        from weerbaar.codebook import load_codebook
        load_codebook(work / "cb.yaml")
        result["outcome"] = "geladen"
    else:
        with Workspace.open(work / "ws", create=True) as ws:
            report = ingest_paths(ws, [docs])
            result["outcome"] = {o.path.name: o.status + (f" ({o.reason})" if o.reason else "") for o in report.outcomes}
            row = ws.conn.execute("SELECT max(length(title)), max(length(text)), count(*) FROM documents "
                                  "JOIN pages ON pages.document_id = documents.id").fetchone()
            result["longest_title"], result["longest_page"], result["pages"] = row
            result["passages"] = ws.conn.execute("SELECT count(*) FROM passages").fetchone()[0]
except Exception as exc:
    result["outcome"] = f"{type(exc).__name__}: {getattr(exc, 'message', exc)}"[:200]
result["seconds"] = round(time.perf_counter() - start, 2)
result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(result))
'''


def run(case: str, src: Path | None) -> dict:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([sys.executable, "-c", CHILD, case, tmp, str(HERE.parent),
                               str(SHARED / "corpus" / "gemeente-helmond-raad-2021-2022")],
                              capture_output=True, text=True, env=env, timeout=3600)
    if proc.returncode != 0:
        return {"outcome": "exit " + str(proc.returncode), "stderr": proc.stderr[-400:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", nargs="+", default=["docx-bom", "yaml-bom", "cue", "stippen", "helmond"])
    parser.add_argument("--baseline-src", type=Path, help="src folder of the code to compare with")
    parser.add_argument("--json", type=Path, help="write the headline figures (current code) here as flat JSON")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    for case in args.cases:
        if case == "helmond" and not (SHARED / "corpus" / "gemeente-helmond-raad-2021-2022").is_dir():
            print(f"{case}: skipped, ../shared/corpus not found")
            continue
        now = run(case, None)
        print(f"{case} (huidig): {json.dumps(now, ensure_ascii=False)}")
        if "seconds" in now:  # a case whose process failed has no figures (and shows why above)
            figures[f"{case}: time (s)"] = now["seconds"]
            figures[f"{case}: peak RSS (MB)"] = now["peak_rss_mb"]
        if args.baseline_src:
            print(f"{case} (basis):  {json.dumps(run(case, args.baseline_src), ensure_ascii=False)}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
