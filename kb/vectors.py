"""Dense search over the chunks' vectors, for the retriever: rows of live chunks, nearest first.

Chroma holds the vectors. Up to `memory_vectors_max` chunks, each process also keeps them in one
normalized matrix and searches it exactly with one product (about 0.05 ms for the demo store,
a few ms at 100,000 chunks), which is cheaper than a Chroma query and needs no metadata filter;
a larger store is searched in Chroma, over-fetching to leave out versions not in force.
"""

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

OVERFETCH = 2
Embed = Callable[[str], Any]  # a question → its vector


class MemoryVectors:
    def __init__(self, embed: Embed, matrix: np.ndarray):
        self.embed = embed
        self.matrix = _normalized(matrix)

    def extended(self, vectors: np.ndarray, chunk_ids: list[str]) -> "MemoryVectors":
        """The same search with new rows appended (a copy: searches under way keep theirs)."""
        grown = MemoryVectors(self.embed, np.zeros((0, 0), dtype=np.float32))
        grown.matrix = np.vstack([self.matrix, _normalized(vectors)]) if len(self.matrix) else _normalized(vectors)
        return grown

    def nearest(self, query: str, n: int, live: np.ndarray, also: Iterable[int] = ()) -> dict[int, float]:
        """The `n` live rows nearest the query, and the similarity of the rows `also` asked for
        (the lexical candidates: a weak embedding model's top `n` often misses the right one)."""
        if n <= 0 or not len(self.matrix):
            return {}
        vector = np.asarray(self.embed(query), dtype=np.float32)
        scores = self.matrix @ (vector / (np.linalg.norm(vector) or 1.0))
        scores[~live] = -np.inf
        top = np.argpartition(-scores, min(n, len(scores) - 1))[:n]
        return {int(r): float(scores[r]) for r in {*top, *also} if np.isfinite(scores[r])}


class ChromaVectors:
    def __init__(self, embed: Embed, store: Any, chunk_ids: list[str]):
        self.embed = embed
        self.store = store
        self.chunk_ids = list(chunk_ids)
        self.row_of = {chunk_id: row for row, chunk_id in enumerate(chunk_ids)}

    def extended(self, vectors: np.ndarray, chunk_ids: list[str]) -> "ChromaVectors":
        """The same search knowing the rows of new chunks (their vectors are in Chroma)."""
        return ChromaVectors(self.embed, self.store, self.chunk_ids + chunk_ids)

    def nearest(self, query: str, n: int, live: np.ndarray, also: Iterable[int] = ()) -> dict[int, float]:
        vector = self.embed(query)
        found = self.store.dense(vector, n * OVERFETCH)
        rows = {self.row_of[i]: s for i, s in found.items() if i in self.row_of and live[self.row_of[i]]}
        top = dict(sorted(rows.items(), key=lambda rs: rs[1], reverse=True)[:n])
        missing = [self.chunk_ids[r] for r in also if r not in top]
        return top | {self.row_of[i]: s for i, s in self.store.similarities(vector, missing).items()}


def _normalized(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if not matrix.size:
        return matrix.reshape(0, matrix.shape[1] if matrix.ndim == 2 else 0)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)
