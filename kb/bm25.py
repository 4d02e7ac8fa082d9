"""A BM25 index with per-term weights computed once, so a query is a few numpy additions."""

import math
from collections import Counter

import numpy as np


class BM25:
    """Okapi BM25 over pre-tokenized documents (rows are addressed by position)."""

    def __init__(self, corpus: list[list[str]], k1: float = 1.2, b: float = 0.75,
                 groups: list[str] | None = None):
        """`groups` (one label per row, e.g. its document) makes document frequency count groups,
        not rows: a product name repeated on every chunk of its document stays rare."""
        self.size = len(corpus)
        lengths = np.array([len(tokens) for tokens in corpus], dtype=np.float32)
        avg_length = float(lengths.mean()) if self.size else 1.0
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for row, tokens in enumerate(corpus):
            norm = k1 * (1 - b + b * lengths[row] / avg_length)
            for term, tf in Counter(tokens).items():
                rows, weights = postings.setdefault(term, ([], []))
                rows.append(row)
                weights.append(tf * (k1 + 1) / (tf + norm))
        labels = groups if groups is not None else range(self.size)
        self.units = len(set(labels)) if self.size else 0
        self.df = {term: len({labels[r] for r in rows}) for term, (rows, _) in postings.items()}
        self._postings = {
            term: (np.array(rows, dtype=np.int64), np.array(weights, dtype=np.float32) * self.idf(term))
            for term, (rows, weights) in postings.items()
        }

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.units - df + 0.5) / (df + 0.5))

    def scores(self, query: dict[str, float] | list[str]) -> np.ndarray:
        """BM25 of every row for a query given as {token: query weight} (or tokens, weight 1)."""
        query = _weighted(query)
        scores = np.zeros(self.size, dtype=np.float32)
        for term, weight in query.items():
            posting = self._postings.get(term)
            if posting is not None:
                scores[posting[0]] += weight * posting[1]
        return scores

    def max_score(self, query: dict[str, float]) -> float:
        """The score of an ideal row holding every query term once: a scale for fusion."""
        query = _weighted(query)
        return sum(w * self.idf(t) for t, w in query.items() if t in self.df) or 1.0


def _weighted(query) -> dict[str, float]:
    return query if isinstance(query, dict) else dict.fromkeys(query, 1.0)
