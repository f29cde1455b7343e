"""Sanity bounds for the hostile-input tests: against a hang, never a timing (figures are in bench/)."""

from __future__ import annotations

import multiprocessing
import threading
import traceback


def finishes(fn, seconds: float = 60):
    """Run ``fn`` in a thread and return its value; fail as "hung" when it has not ended after ``seconds``."""
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "hung"
    if "error" in box:
        raise box["error"]
    return box.get("value")


def ends_in_a_process(fn, seconds: float = 60) -> None:
    """Run ``fn`` (which asserts what it needs) in a forked process; fail as "hung" when it has not
    ended after ``seconds``. For work that holds the GIL in one C call (a regular expression), which
    :func:`finishes` cannot interrupt: its thread would keep the test waiting."""

    def target():
        try:
            fn()
        except BaseException:  # noqa: BLE001 - the exit code tells the test
            traceback.print_exc()
            raise SystemExit(1) from None

    process = multiprocessing.get_context("fork").Process(target=target, daemon=True)
    process.start()
    process.join(seconds)
    if process.is_alive():
        process.kill()
        process.join()
        raise AssertionError("hung")
    assert process.exitcode == 0, f"failed in the child process (exit code {process.exitcode})"
