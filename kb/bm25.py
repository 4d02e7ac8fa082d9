"""A BM25 index whose rows can be appended without rebuilding it, so publishing one document
into a large knowledge base costs only that document's terms."""

import copy
import math
from collections import Counter

import numpy as np


class BM25:
    """Okapi BM25 over pre-tokenized documents (rows are addressed by position).

    Postings hold each row's term-frequency weight; the IDF is applied at query time, so adding
    rows (which changes every term's IDF a little) never rewrites the postings of other terms.
    """

    def __init__(self, corpus: list[list[str]], k1: float = 1.2, b: float = 0.75,
                 groups: list[str] | None = None):
        """`groups` (one label per row, e.g. its document) makes document frequency count groups,
        not rows: a product name repeated on every chunk of its document stays rare."""
        self.k1, self.b = k1, b
        self.size = 0
        lengths = [len(tokens) for tokens in corpus]
        self.avg_length = sum(lengths) / len(lengths) if lengths and sum(lengths) else 1.0
        self.df: dict[str, int] = {}
        self._groups_of: dict[str, frozenset[str | int]] = {}
        self._all_groups: frozenset[str | int] = frozenset()
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._add(corpus, groups)

    @property
    def units(self) -> int:
        return len(self._all_groups)

    def extended(self, corpus: list[list[str]], groups: list[str] | None = None) -> "BM25":
        """A new index with these rows appended; this one is left as it was, so a search running
        on it meanwhile sees a consistent index. The average row length stays that of the first
        build (it moves little as rows are added, and keeps old rows' weights exact)."""
        grown = copy.copy(self)
        grown.df, grown._groups_of, grown._postings = dict(self.df), dict(self._groups_of), dict(self._postings)
        grown._add(corpus, groups)
        return grown

    def _add(self, corpus: list[list[str]], groups: list[str] | None) -> None:
        labels: list[str] | range = groups if groups is not None else range(self.size, self.size + len(corpus))
        added: dict[str, tuple[list[int], list[float], set[str | int]]] = {}
        for offset, tokens in enumerate(corpus):
            norm = self.k1 * (1 - self.b + self.b * len(tokens) / self.avg_length)
            for term, tf in Counter(tokens).items():
                rows, weights, owners = added.setdefault(term, ([], [], set()))
                rows.append(self.size + offset)
                weights.append(tf * (self.k1 + 1) / (tf + norm))
                owners.add(labels[offset])
        for term, (rows, weights, owners) in added.items():
            old = self._postings.get(term)
            new_rows = np.array(rows, dtype=np.int64)
            new_weights = np.array(weights, dtype=np.float32)
            if old is not None:
                new_rows, new_weights = np.concatenate([old[0], new_rows]), np.concatenate([old[1], new_weights])
            self._postings[term] = (new_rows, new_weights)
            self._groups_of[term] = self._groups_of.get(term, frozenset()) | owners
            self.df[term] = len(self._groups_of[term])
        self._all_groups = self._all_groups | frozenset(labels)
        self.size += len(corpus)

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
                scores[posting[0]] += np.float32(weight * self.idf(term)) * posting[1]
        return scores

    def max_score(self, query: dict[str, float]) -> float:
        """The score of an ideal row holding every query term once: a scale for fusion."""
        query = _weighted(query)
        return sum(w * self.idf(t) for t, w in query.items() if t in self.df) or 1.0


def _weighted(query: dict[str, float] | list[str]) -> dict[str, float]:
    return query if isinstance(query, dict) else dict.fromkeys(query, 1.0)
