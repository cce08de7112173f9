"""Nearest-neighbour search over the stored project vectors: an exact scan with numpy.

Each process keeps the vectors of one model as a float32 matrix in memory (100,000 projects by
512 dimensions are 200 MB; one scan takes a few milliseconds). Processes stay in step through
two tokens in the shared cache: the services bump the *version* after every write, and a
process then reads the rows changed since its last read; a removal bumps the *generation*,
after which a process reloads everything.
"""

import datetime
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .models import ProjectEmbedding

VERSION_KEY = "match:vectors:version"
GENERATION_KEY = "match:vectors:generation"
# A refresh reads the rows changed since its last read minus this margin, for clocks that
# differ between machines and rows stamped just before a read that did not see them yet.
COMMIT_SKEW = datetime.timedelta(seconds=60)
LOAD_BATCH = 20_000
STORED_DTYPE = np.float16


def encode_vector(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=STORED_DTYPE).tobytes()


def decode_vectors(blobs: list[bytes], dimensions: int) -> np.ndarray:
    if not blobs:
        return np.zeros((0, dimensions), dtype=np.float32)
    stored = np.frombuffer(b"".join(bytes(blob) for blob in blobs), dtype=STORED_DTYPE)
    return stored.reshape(len(blobs), dimensions).astype(np.float32)


def _bump(key: str) -> None:
    # A fresh token, not a counter: after a cache flush a counter would start again at a value
    # some process has already seen, and that process would miss the change.
    cache.set(key, uuid.uuid4().hex, timeout=None)


def announce_change(*, project_ids: Sequence[int] = (), removed: bool = False) -> None:
    """Tell every process that vectors changed: at once (so that this transaction's own reads
    see its rows) and again after the commit, when other processes can see them.

    At the commit the rows are stamped again: a transaction that stayed open longer than
    COMMIT_SKEW would otherwise carry a time that other processes have already read past.
    """
    key = GENERATION_KEY if removed else VERSION_KEY
    _bump(key)

    def committed():
        if project_ids:
            ProjectEmbedding.objects.filter(project_id__in=project_ids).update(
                changed_at=timezone.now()
            )
        _bump(key)

    transaction.on_commit(committed)


def _marks() -> tuple:
    """(version, generation) as the shared cache has them now."""
    found = cache.get_many([VERSION_KEY, GENERATION_KEY])
    return found.get(VERSION_KEY), found.get(GENERATION_KEY)


@dataclass(frozen=True)
class _Snapshot:
    ids: np.ndarray
    matrix: np.ndarray
    version: object = None
    generation: object = None
    read_at: datetime.datetime | None = None

    def is_current(self, marks: tuple) -> bool:
        return self.read_at is not None and marks == (self.version, self.generation)


class VectorIndex:
    def __init__(self, model: str, dimensions: int) -> None:
        self.model = model
        self.dimensions = dimensions
        self._snapshot = _Snapshot(
            ids=np.zeros(0, dtype=np.int64), matrix=np.zeros((0, dimensions), dtype=np.float32)
        )
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._snapshot.ids)

    def nearest(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """(project id, cosine similarity) of the `limit` closest vectors, best first."""
        snapshot = self.refresh()
        if not len(snapshot.ids) or limit <= 0:
            return []
        similarities = snapshot.matrix @ np.asarray(query, dtype=np.float32)
        if limit < len(similarities):
            top = np.argpartition(-similarities, limit)[:limit]
        else:
            top = np.arange(len(similarities))
        top = top[np.argsort(-similarities[top], kind="stable")]
        return [(int(snapshot.ids[i]), float(similarities[i])) for i in top]

    def refresh(self) -> _Snapshot:
        marks = _marks()
        if self._snapshot.is_current(marks):
            return self._snapshot
        with self._lock:
            marks = _marks()  # another thread may have refreshed while this one waited
            snapshot = self._snapshot
            if snapshot.is_current(marks):
                return snapshot
            version, generation = marks
            if snapshot.read_at is None or generation != snapshot.generation:
                snapshot = self._load(since=None)
            else:
                snapshot = self._merge(snapshot, self._load(since=snapshot.read_at - COMMIT_SKEW))
            self._snapshot = _Snapshot(
                snapshot.ids, snapshot.matrix, version, generation, snapshot.read_at
            )
            return self._snapshot

    def _load(self, since: datetime.datetime | None) -> _Snapshot:
        read_at = timezone.now()
        rows = ProjectEmbedding.objects.filter(model=self.model)
        if since is not None:
            rows = rows.filter(changed_at__gte=since)
        ids: list[int] = []
        parts: list[np.ndarray] = []
        last_id = 0
        while batch := list(
            rows.filter(project_id__gt=last_id)
            .order_by("project_id")
            .values_list("project_id", "vector")[:LOAD_BATCH]
        ):
            ids.extend(project_id for project_id, _ in batch)
            parts.append(decode_vectors([vector for _, vector in batch], self.dimensions))
            last_id = batch[-1][0]
        matrix = np.vstack(parts) if parts else np.zeros((0, self.dimensions), dtype=np.float32)
        return _Snapshot(ids=np.asarray(ids, dtype=np.int64), matrix=matrix, read_at=read_at)

    @staticmethod
    def _merge(current: _Snapshot, changed: _Snapshot) -> _Snapshot:
        if not len(changed.ids):
            return _Snapshot(current.ids, current.matrix, read_at=changed.read_at)
        positions = {int(project_id): row for row, project_id in enumerate(current.ids)}
        updated = [
            (positions[int(pid)], row)
            for row, pid in enumerate(changed.ids)
            if int(pid) in positions
        ]
        new_rows = [row for row, pid in enumerate(changed.ids) if int(pid) not in positions]
        # vstack copies, so readers of the current snapshot never see a half-written matrix.
        matrix = np.vstack([current.matrix, changed.matrix[new_rows]])
        for position, row in updated:
            matrix[position] = changed.matrix[row]
        ids = np.concatenate([current.ids, changed.ids[new_rows]])
        return _Snapshot(ids=ids, matrix=matrix, read_at=changed.read_at)


_indexes: dict[str, VectorIndex] = {}
_indexes_lock = threading.Lock()


def vector_index(model: str, dimensions: int) -> VectorIndex:
    """The process's index for one model, loaded on first use."""
    with _indexes_lock:
        if model not in _indexes:
            _indexes[model] = VectorIndex(model, dimensions)
        return _indexes[model]


def forget_indexes() -> None:
    """Drop the in-memory indexes; the next search loads them again from the database."""
    with _indexes_lock:
        _indexes.clear()
