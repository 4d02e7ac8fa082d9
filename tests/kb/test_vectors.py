import numpy as np

from kb.vectors import ChromaVectors, MemoryVectors

VECTORS = {"a": [1.0, 0.0], "b": [0.7, 0.7], "c": [0.0, 2.0], "d": [-1.0, 0.0]}


def embed(text: str) -> list[float]:
    return VECTORS[text]


def test_memory_search_is_exact_cosine_over_live_rows_only():
    index = MemoryVectors(embed, np.array(list(VECTORS.values())))
    everything = np.ones(4, dtype=bool)
    nearest = index.nearest("a", 2, everything)
    assert list(sorted(nearest, key=nearest.get, reverse=True)) == [0, 1]
    assert abs(nearest[0] - 1.0) < 1e-6 and abs(nearest[1] - 0.7071) < 1e-3
    assert 0 not in index.nearest("a", 2, np.array([False, True, True, True]))
    assert index.nearest("c", 10, everything)[2] > 0.999  # vectors are normalized
    assert index.nearest("a", 2, np.zeros(4, dtype=bool)) == {}


def test_memory_search_also_scores_the_rows_asked_for():
    index = MemoryVectors(embed, np.array(list(VECTORS.values())))
    nearest = index.nearest("a", 1, np.ones(4, dtype=bool), also={2, 3})
    assert set(nearest) == {0, 2, 3}
    assert abs(nearest[2]) < 1e-6 and abs(nearest[3] + 1.0) < 1e-6


class FakeStore:
    def __init__(self):
        self.asked_for = None

    def dense(self, vector, n):
        self.asked_for = n
        return {"x#0": 0.9, "old#0": 0.8, "y#0": 0.5, "gone#0": 0.4}

    def similarities(self, vector, ids):
        self.scored = ids
        return {i: 0.1 for i in ids}


def test_chroma_search_over_fetches_and_keeps_the_live_known_rows():
    store = FakeStore()
    index = ChromaVectors(embed, store, ["x#0", "old#0", "y#0"])
    nearest = index.nearest("a", 2, np.array([True, False, True]))
    assert store.asked_for == 4
    assert nearest == {0: 0.9, 2: 0.5}


def test_chroma_search_scores_the_rows_asked_for_that_it_did_not_find():
    store = FakeStore()
    index = ChromaVectors(embed, store, ["x#0", "old#0", "y#0", "z#0"])
    nearest = index.nearest("a", 1, np.ones(4, dtype=bool), also={0, 3})
    assert store.scored == ["z#0"]
    assert nearest == {0: 0.9, 3: 0.1}
