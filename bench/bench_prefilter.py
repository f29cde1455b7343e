"""What the pre-filter before embedding costs and saves (issue 14, item 1).

Cost, on the labelled set (``eval/generalisation.jsonl``, texts attached from ``../shared`` through
the evaluation code): the share of labelled positives (passage × measure) whose passage the filter
would not embed, and of those how many the built-in model flags with the vector and without it.

Saving, on the real corpus (``../shared/corpus`` ingested into a temporary workspace): the share of
passages scored lexically only, and ``analyseer``'s time with the filter and without it
(``--alles-inbedden``), side by side and alternating, each in a fresh copy of the workspace, plus
how many suggestions above the threshold each run stores.

    WEERBAAR_SHARED=../shared .venv/bin/python bench/bench_prefilter.py            # ~6 minutes
    WEERBAAR_SHARED=../shared .venv/bin/python bench/bench_prefilter.py --runs 1 --skip-corpus
    WEERBAAR_SHARED=../shared .venv/bin/python bench/bench_prefilter.py --runs 1 --skip-labelled
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def labelled_cost() -> dict:
    from weerbaar.classify.model import RelevanceModel
    from weerbaar.classify.prefilter import Prefilter
    from weerbaar.codebook import load_codebook
    from weerbaar.evaluation import default_set, load_set, prepared
    from weerbaar.index.analysis import stems

    book = load_codebook()
    prep = prepared(book, load_set(default_set()))
    texts = [i.text for i in prep.items]
    texts_stems = [stems(t) for t in texts]
    prefilter = Prefilter(book)
    touched = np.array([prefilter.touches(t, s) for t, s in zip(texts, texts_stems)])
    crucial = [j for j, m in enumerate(prep.analyser.measure_ids) if book.measures[j].crucial]
    analyser = prep.analyser.with_model(RelevanceModel.builtin())
    with_vectors = analyser.scores(analyser.features_of(texts, prep.vectors), prep.vectors)
    filtered = analyser.scores(analyser.features_of(texts, prep.vectors * touched[:, None], embedded=touched),
                               prep.vectors, embedded=touched)
    threshold = analyser.model.threshold
    out = {"passages": len(texts), "passages_skipped": int((~touched).sum()),
           "positive_passages": int(prep.labels.any(axis=1).sum()),
           "positive_passages_skipped": int((prep.labels.any(axis=1) & ~touched).sum())}
    for name, cols in (("all", list(range(prep.labels.shape[1]))), ("crucial", crucial)):
        y = prep.labels[:, cols]
        lost = y & ~touched[:, None]
        flagged_before = (with_vectors[:, cols] >= threshold) & y
        flagged_after = (filtered[:, cols] >= threshold) & y
        out[name] = {"positive_pairs": int(y.sum()), "pairs_skipped": int(lost.sum()),
                     "share_skipped": float(lost.sum() / max(y.sum(), 1)),
                     "flagged_positives_embed_all": int(flagged_before.sum()),
                     "flagged_positives_prefilter": int(flagged_after.sum()),
                     "flagged_negatives_embed_all": int(((with_vectors[:, cols] >= threshold) & ~y).sum()),
                     "flagged_negatives_prefilter": int(((filtered[:, cols] >= threshold) & ~y).sum())}
    return out


def _analyse(ws_folder: Path, embed_all: bool) -> dict:
    from weerbaar.classify.pipeline import analyse_workspace
    from weerbaar.codebook import load_codebook
    from weerbaar.workspace import Workspace

    start = time.perf_counter()
    with Workspace.open(ws_folder) as ws:
        report = analyse_workspace(ws, load_codebook(), embed_all=embed_all)
        above = ws.analysis.suggestion_count(min_score=report.config.threshold)
    return {"seconds": time.perf_counter() - start, "analysed": report.analysed, "embedded": report.embedded,
            "lexical_only": report.lexical_only, "suggestions_above_threshold": above}


def spread(files: list[Path], n: int) -> list[Path]:
    """``n`` of ``files``, evenly spread over the list (so over the corpus's folders)."""
    return files[:: max(1, len(files) // n)][:n]


def corpus_saving(shared: Path, runs: int, files: int | None = None) -> dict:
    from weerbaar.ingest.pipeline import ingest_paths
    from weerbaar.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        with Workspace.open(base, create=True) as ws:
            ingest_paths(ws, spread(sorted((shared / "corpus").rglob("*.pdf")), files) if files else [shared / "corpus"])
            passages = ws.passages.count()
        results: dict[str, list[dict]] = {"prefilter": [], "embed_all": []}
        for _ in range(runs):
            for name in results:  # alternating, each in a fresh copy of the ingested workspace
                copy = Path(tmp) / name
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(base, copy)
                results[name].append(_analyse(copy, embed_all=name == "embed_all"))
        summary = {"passages": passages}
        for name, rows in results.items():
            seconds = [r["seconds"] for r in rows]
            summary[name] = {**rows[-1], "seconds_min": min(seconds), "seconds_median": statistics.median(seconds),
                             "seconds_max": max(seconds)}
        summary["time_ratio"] = summary["prefilter"]["seconds_median"] / summary["embed_all"]["seconds_median"]
        summary["share_lexical_only"] = summary["prefilter"]["lexical_only"] / max(passages, 1)
        return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--skip-labelled", action="store_true")
    parser.add_argument("--json", type=Path, help="write the headline figures here as flat JSON")
    parser.add_argument("--corpus-files", type=int, help="only N PDFs spread over the corpus (a quick check)")
    args = parser.parse_args()
    shared = Path(os.environ.setdefault("WEERBAAR_SHARED", str(HERE.parent.parent / "shared"))).resolve()
    result = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cores": os.cpu_count(),
              "load_before": os.getloadavg()}
    if not args.skip_labelled:
        result["labelled"] = labelled_cost()
        print(json.dumps(result["labelled"], indent=1))
    if not args.skip_corpus:
        result["corpus"] = corpus_saving(shared, args.runs, args.corpus_files)
        print(json.dumps(result["corpus"], indent=1))
    result["load_after"] = os.getloadavg()
    out = HERE / "results" / "prefilter.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(headline(result), indent=1))


def headline(result: dict) -> dict[str, float]:
    """The figures BENCHMARKS.md quotes, flat: ``{"figure (unit)": value}``."""
    figures: dict[str, float] = {}
    if "labelled" in result:
        lab = result["labelled"]
        figures["labelled passages not embedded (%)"] = 100 * lab["passages_skipped"] / lab["passages"]
        for group in ("all", "crucial"):
            g = lab[group]
            figures[f"labelled positive pairs not embedded, {group} measures (%)"] = 100 * g["share_skipped"]
            figures[f"positives flagged, {group} measures, every passage embedded (count)"] = \
                g["flagged_positives_embed_all"]
            figures[f"positives flagged, {group} measures, with the pre-filter (count)"] = g["flagged_positives_prefilter"]
    if "corpus" in result:
        c = result["corpus"]
        figures |= {"corpus passages (count)": c["passages"],
                    "corpus passages scored lexically only (%)": 100 * c["share_lexical_only"],
                    "analyseer with the pre-filter (s)": c["prefilter"]["seconds_median"],
                    "analyseer --alles-inbedden (s)": c["embed_all"]["seconds_median"],
                    "with / without the pre-filter (ratio)": c["time_ratio"],
                    "suggestions above the threshold, with the pre-filter (count)":
                        c["prefilter"]["suggestions_above_threshold"],
                    "suggestions above the threshold, --alles-inbedden (count)":
                        c["embed_all"]["suggestions_above_threshold"]}
    return figures


if __name__ == "__main__":
    main()
