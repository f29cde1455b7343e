"""Embedding and scoring on a Dask distributed cluster: ``weerbaar analyseer --dask tcp://…``.

The local process stays the only one that opens the workspace: it reads each chunk's texts,
document contexts and already stored vectors, sends them to the cluster as one task, and writes
what comes back through the store (new vectors, then the chunk's analyses and suggestions, each
in one transaction), chunk by chunk in passage order. An interrupted run resumes like a local
one: what was written counts, the rest is still pending.

A worker builds one :class:`~weerbaar.classify.analyser.Analyser` (and so loads the sentence
model once) per analysis configuration and keeps it for every later chunk. The worker runs the
same code as a local run (pre-filter, float16 rounding of new vectors, features, model, stage,
subject), so the results are the same passage for passage.

Install with ``pip install 'weerbaar[cluster]'``; workers need weerbaar itself too (see
``docs/schaal.md``).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from weerbaar.errors import WeerbaarError

if TYPE_CHECKING:
    from weerbaar.classify.model import RelevanceModel
    from weerbaar.codebook.model import Codebook

#: Chunks in flight per worker thread: enough to keep every worker busy while results are written.
IN_FLIGHT_PER_THREAD = 2
CONNECT_TIMEOUT = "20s"


@dataclass(frozen=True)
class ClusterSpec:
    """What a worker needs to analyse like the local process: codebook, model, whether to filter."""

    codebook: Codebook
    model: RelevanceModel
    embed_all: bool

    @property
    def key(self) -> str:
        return f"{self.codebook.fingerprint}:{self.model.key}:{self.embed_all}"


_analysers: dict[str, tuple] = {}
_lock = threading.Lock()


def _worker_analyser(spec: ClusterSpec):
    """This worker's analyser and pre-filter for ``spec``, built once (the sentence model loads once)."""
    from weerbaar.classify.analyser import Analyser
    from weerbaar.classify.prefilter import Prefilter
    from weerbaar.embeddings import Embedder

    with _lock:
        if spec.key not in _analysers:
            analyser = Analyser(spec.codebook, spec.model, Embedder(workers=1))
            _analysers[spec.key] = (analyser, None if spec.embed_all else Prefilter(spec.codebook), threading.Lock())
        return _analysers[spec.key]


def analyse_chunk(spec: ClusterSpec, ids: list[int], texts: list[str], contexts: list, stored: dict[int, bytes]):
    """On a worker: embed what the chunk needs and score it. Returns (new vectors as blobs, ChunkResult)."""
    from weerbaar.classify.lexical import CorpusStats
    from weerbaar.classify.pipeline import ChunkResult, assemble_vectors, wanted_embeddings
    from weerbaar.embeddings import to_blob
    from weerbaar.index.analysis import stems

    analyser, prefilter, lock = _worker_analyser(spec)
    texts_stems = [stems(t) for t in texts]
    missing = wanted_embeddings(ids, texts, texts_stems, stored, prefilter)
    by_id = dict(zip(ids, texts))
    with lock:  # one model per worker; its threads take turns
        vectors = analyser.embedder.encode([by_id[i] for i in missing])
    new = list(zip(missing, (to_blob(v) for v in vectors)))
    vectors, embedded = assemble_vectors(ids, {**stored, **dict(new)})
    results = analyser.analyse(texts, CorpusStats.reference(), vectors, contexts, embedded, texts_stems)
    return new, ChunkResult(ids, results, len(missing), int((~embedded).sum()))


def analyse_on_cluster(address: str, ws, chunks: list[list[int]], codebook, model, *, embed_all: bool,
                       client=None) -> Iterator:
    """The chunks analysed on the cluster at ``address``, in order; new vectors are stored as they come.

    ``client``: an existing ``distributed.Client`` (tests); otherwise one is opened and closed here.
    """
    from weerbaar.classify.pipeline import BEFORE_CHARS
    from weerbaar.classify.stage import TextContext

    try:
        from distributed import Client
    except ImportError:
        raise WeerbaarError("Voor --dask zijn de pakketten dask en distributed nodig.",
                            hint="Installeer ze met: pip install 'weerbaar[cluster]'") from None
    own = client is None
    if own:
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise WeerbaarError(f"Kan de Dask-scheduler op '{address}' niet bereiken ({exc}).",
                                hint="Start hem met 'dask scheduler' en geef zijn adres, bijv. tcp://10.0.0.5:8786.") from None
    try:
        threads = max(sum(client.nthreads().values()), 1)
        spec = client.scatter(ClusterSpec(codebook, model, embed_all), broadcast=True)
        embedder_name = _embedder_name()

        def submit(ids: list[int]):
            passages = ws.passages.for_analysis(ids, BEFORE_CHARS)
            texts = [passages[i].text for i in ids]
            contexts = [TextContext(doc_type=p.doc_type, year=p.year, organisation=p.organisation,
                                    organisation_type=p.organisation_type, before=p.before, known=True)
                        for p in (passages[i] for i in ids)]
            stored = ws.analysis.embeddings(embedder_name, ids)
            return client.submit(analyse_chunk, spec, ids, texts, contexts, stored, pure=False)

        waiting = iter(chunks)
        in_flight: deque = deque()
        for ids in waiting:
            in_flight.append(submit(ids))
            if len(in_flight) >= threads * IN_FLIGHT_PER_THREAD:
                break
        while in_flight:
            new, result = in_flight.popleft().result()
            following = next(waiting, None)
            if following is not None:
                in_flight.append(submit(following))
            if new:
                ws.analysis.store_embeddings(embedder_name, new)
            yield result
    finally:
        if own:
            client.close()


def _embedder_name() -> str:
    from weerbaar.embeddings import MODEL_NAME

    return MODEL_NAME
