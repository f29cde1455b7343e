"""The review server under several reviewers at once: PDFium serialised, no error, no crash, and every
acknowledged decision stored exactly once (the short version of bench/bench_load.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap

from tests.conftest import REPO


def _bench():
    spec = importlib.util.spec_from_file_location("bench_load", REPO / "bench" / "bench_load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_page_images_and_boxes_from_many_threads_neither_crash_nor_garble(tmp_path):
    """Unserialised (PDFIUM_LOCK swapped for a null context), this run ends in a segmentation fault
    within its first few requests: PDFium is not thread-safe. 15 requests per thread are plenty."""
    script = textwrap.dedent(f"""
        import sys, threading
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from tests.conftest import write_pdf, PROSE
        from weerbaar.normalise import normalise_with_offsets
        from weerbaar.review.source import page_png, passage_boxes
        import pypdfium2 as pdfium

        folder = Path({str(tmp_path)!r})
        paths = [write_pdf(folder / f"d{{i}}.pdf", [PROSE[j % 3] * 3 for j in range(30)]) for i in range(4)]
        texts = {{}}
        for p in paths:
            doc = pdfium.PdfDocument(p)
            for n in range(len(doc)):
                texts[(p, n + 1)] = normalise_with_offsets(doc[n].get_textpage().get_text_range())[0]
            doc.close()
        expected = {{key: passage_boxes(key[0], key[1], text, 10, 60) for key, text in texts.items()}}
        assert all(expected.values())
        problems = []

        def work(k):
            for n in range(15):
                key = (paths[(k + n) % 4], 1 + (n * 7 + k) % 30)
                try:
                    if not page_png(key[0], key[1], scale=1.0 + k / 100).startswith(b"\\x89PNG"):
                        problems.append("no png")
                    if passage_boxes(key[0], key[1], texts[key], 10, 60) != expected[key]:
                        problems.append(f"other boxes for {{key}}")
                except Exception as exc:
                    problems.append(repr(exc))

        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print("problems", len(problems), problems[:3])
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "problems 0 []" in done.stdout


def test_eight_reviewers_for_eight_seconds(demo_copy):
    """bench/bench_load.py runs the same for ten minutes; here 8 s (about 380 decisions on a quiet
    2-core machine, about half that beside the other test worker)."""
    result = _bench().run_load(demo_copy, clients=8, seconds=8)
    summary = result.summary()
    assert summary["errors"] == 0, summary["first_errors"]
    assert not summary["server_crashed"]
    assert summary["decisions_acknowledged"] > 100
    assert summary["stored_exactly_once"] == summary["decisions_acknowledged"]
    assert summary["stored_more_than_once"] == 0 and summary["acknowledged_but_missing"] == 0
    assert summary["ms"]["paginabeeld"]["n"] > 0
