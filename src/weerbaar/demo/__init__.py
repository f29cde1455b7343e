"""The built-in demo corpus: fictional municipalities Dijkwaard and Heemvoort and their safety
region Rijnvallei, in PDF, DOCX, HTML and Markdown, written for weerbaar (sources in demo/bron/).

Dijkwaard has implemented several crucial measures (continuity, emergency power, noodsteunpunten,
crisis communication, informing residents); Heemvoort mostly states intentions and plans; the
region has a drinking-water protocol and plans for communication and vulnerable groups.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from weerbaar.ingest.pipeline import ingest_paths
from weerbaar.workspace import Workspace
from weerbaar.workspace.db import DB_FILENAME

DEFAULT_DEMO_WORKSPACE = "weerbaar-demo"


def demo_documents() -> Path:
    """The folder with the demo documents, inside the installed package."""
    return Path(str(resources.files("weerbaar.demo").joinpath("documenten")))


def demo_decisions() -> Path:
    """Our own review of the demo passages, made with the review app (demo/review_demo.py)."""
    return Path(str(resources.files("weerbaar.demo").joinpath("beslissingen.jsonl")))


def demo_regions() -> Path:
    """Which demo municipality belongs to which (fictional) safety region."""
    return Path(str(resources.files("weerbaar.demo").joinpath("regio-indeling.csv")))


def build_demo(folder: Path, *, fresh: bool = False, analyse: bool = True, decisions: bool = True, progress=None):
    """Ingest the demo corpus into the workspace at ``folder`` (emptied first when ``fresh``),
    analyse it and add the demo's review decisions (skipped when already there). Returns the
    ingest report and the analysis report (None when ``analyse`` is off)."""
    if fresh and (folder / DB_FILENAME).exists():
        shutil.rmtree(folder)
    with Workspace.open(folder, create=True) as ws:
        report = ingest_paths(ws, [demo_documents()], progress=progress)
        if not analyse:
            return report, None
        from weerbaar.classify.pipeline import analyse_workspace
        from weerbaar.codebook import load_codebook

        analysis = analyse_workspace(ws, load_codebook())
        if decisions:
            from weerbaar.review.decisions import import_decisions

            import_decisions(ws, demo_decisions())
        return report, analysis
