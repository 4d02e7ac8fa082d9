"""Dense search over the chunks' vectors, for the retriever: rows of live chunks, nearest first.

Chroma holds the vectors. Up to `memory_vectors_max` chunks, each process also keeps them in one
normalized matrix and searches it exactly with one product (about 0.05 ms for the demo store,
a few ms at 100,000 chunks), which is cheaper than a Chroma query and needs no metadata filter;
a larger store is searched in Chroma, over-fetching to leave out versions not in force.
"""

import numpy as np

OVERFETCH = 2


class MemoryVectors:
    def __init__(self, embed, matrix: np.ndarray):
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        self.embed = embed
        self.matrix = (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)

    def nearest(self, query: str, n: int, live: np.ndarray) -> dict[int, float]:
        if n <= 0 or not len(self.matrix):
            return {}
        vector = np.asarray(self.embed(query), dtype=np.float32)
        scores = self.matrix @ (vector / (np.linalg.norm(vector) or 1.0))
        scores[~live] = -np.inf
        top = np.argpartition(-scores, min(n, len(scores) - 1))[:n]
        return {int(r): float(scores[r]) for r in top if np.isfinite(scores[r])}


class ChromaVectors:
    def __init__(self, embed, store, chunk_ids: list[str]):
        self.embed = embed
        self.store = store
        self.row_of = {chunk_id: row for row, chunk_id in enumerate(chunk_ids)}

    def nearest(self, query: str, n: int, live: np.ndarray) -> dict[int, float]:
        found = self.store.dense(self.embed(query), n * OVERFETCH)
        rows = {self.row_of[i]: s for i, s in found.items() if i in self.row_of and live[self.row_of[i]]}
        return dict(sorted(rows.items(), key=lambda rs: rs[1], reverse=True)[:n])
