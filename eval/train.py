"""Fit the built-in models and the reference word frequencies that ship in weerbaar.

    WEERBAAR_SHARED=../shared .venv/bin/python eval/train.py

Reads the labelled sets (``eval/generalisation.jsonl``: real passages read twice and settled;
the demo part of ``eval/devset.jsonl``: the project's own fictional documents) from their sources
and writes, into ``src/weerbaar/classify/data/``:

- ``reference-df.json``: document frequencies of every codebook vocabulary stem over all passages
  of ../shared/seeds and ../shared/corpus, so a term weighs the same in every workspace;
- ``relevance-model.json``, ``stage-model.json``: fitted on every labelled
  passage. Their quality on organisations and document types they did not see is measured by
  ``weerbaar evalueer`` (leave one group out), never on these fits.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from weerbaar.classify.lexical import MeasureVocabulary
from weerbaar.codebook import load_codebook
from weerbaar.evaluation import fit_builtin, load_set, prepared, shared_folder
from weerbaar.ingest.pipeline import ingest_paths
from weerbaar.workspace import Workspace

EVAL = Path(__file__).resolve().parent
DATA = EVAL.parent / "src" / "weerbaar" / "classify" / "data"
SOURCES = ["seeds", "corpus/gemeente-wassenaar", "corpus/gemeente-helmond-raad-2021-2022", "corpus/gemeente-den-haag-2025"]


def reference_frequencies(book) -> None:
    from weerbaar.classify.lexical import CorpusStats

    shared = shared_folder()
    with tempfile.TemporaryDirectory() as tmp, Workspace.open(Path(tmp) / "ws", create=True) as ws:
        ingest_paths(ws, [shared / s for s in SOURCES])
        stats = CorpusStats.from_workspace(ws, MeasureVocabulary(book).all_stems())
    (DATA / "reference-df.json").write_text(stats.to_json() + "\n", encoding="utf-8")
    print(f"reference-df.json: {stats.n_passages} passages, {len(stats.df)} stems", file=sys.stderr)


def main() -> None:
    book = load_codebook()
    reference_frequencies(book)
    items = load_set(EVAL / "generalisation.jsonl")
    demo = [i for i in load_set(EVAL / "devset.jsonl") if i.is_demo]
    for item in demo:
        item.organisation_group, item.doc_group = "demo", "demo"
    models = fit_builtin(book, prepared(book, items + demo))
    models.relevance.trained_on = (f"eval/generalisation.jsonl ({len(items)} echte passages, twee lezingen) "
                                   f"en het demodeel van eval/devset.jsonl ({len(demo)})")
    models.relevance.save(DATA / "relevance-model.json")
    models.stage.model.trained_on = models.relevance.trained_on
    (DATA / "stage-model.json").write_text(models.stage.model.to_json() + "\n", encoding="utf-8")
    print(f"models written to {DATA} (threshold {models.relevance.threshold:.3f})", file=sys.stderr)


if __name__ == "__main__":
    main()
