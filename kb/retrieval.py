"""Hybrid retrieval: a Chinese-aware BM25 index in memory, dense search over the chunks, and the
dense similarity of every sentence, list item and row (a paraphrase finds its sentence even when
its section as a whole reads like another).

The three are fused by calibrated scores: the lexical score scaled to the best a row could reach,
and the cosines, each with a weight fitted on evaluation banks (kb/fitted.json, written
by `python -m evals.fit`), so that dense is a full partner wherever it earns it.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from kb.bm25 import BM25
from kb.catalog import Catalog
from kb.config import Settings
from kb.fitted import Fusion
from kb.lexicon import Analyzer
from kb.speller import Speller
from kb.store import ChunkRecord
from kb.units import UnitTable
from kb.vectors import ChromaVectors, MemoryVectors


@dataclass(frozen=True)
class Backdrop:
    """How near a question comes to the knowledge base as a whole: the mean similarity of every
    live unit, the mean of the nearest few, and their spread. The embedding model's cosines crowd
    into a narrow band whose place moves with the question and with the bank's writing, so the
    best unit's similarity says more read against this (as query-performance prediction reads a
    top score against the collection's)."""
    mean: float = 0.0
    nearest: float = 0.0
    spread: float = 0.0

    @classmethod
    def of(cls, similarities: np.ndarray, nearest: int) -> "Backdrop":
        if not len(similarities):
            return cls()
        top = -np.partition(-similarities, min(nearest, len(similarities)) - 1)[:nearest]
        return cls(float(similarities.mean()), float(top.mean()), float(similarities.std()))


@dataclass
class Hit:
    chunk: ChunkRecord
    score: float
    lexical: float
    dense: float
    unit_dense: np.ndarray | None = None  # the similarity of each of its units
    rank: int = 0                          # its place among the hits
    backdrop: Backdrop = Backdrop()        # the question's, shared by all its hits

    @property
    def unit_best(self) -> float:
        return float(self.unit_dense.max()) if self.unit_dense is not None and len(self.unit_dense) else 0.0

    @property
    def doc_key(self) -> str:
        return str(self.chunk.meta["doc_key"])


class Retriever:
    def __init__(self, chunks: list[ChunkRecord], catalog: Catalog, analyzer: Analyzer,
                 dense: MemoryVectors | ChromaVectors, settings: Settings, units: UnitTable, fusion: Fusion,
                 bm25: BM25 | None = None, speller: Speller | None = None):
        self.chunks = chunks
        self.catalog = catalog
        self.analyzer = analyzer
        self.dense = dense  # kb.vectors: nearest(query, n, live rows) -> {row: cosine}
        self.units = units
        self.fusion = fusion
        self.settings = settings
        self.doc_keys = np.array([c.meta["doc_key"] for c in chunks], dtype=object)
        self.bm25 = bm25 or BM25([analyzer.tokens(self.lexical_text(c)) for c in chunks],
                                 groups=[c.meta["doc_id"] for c in chunks])
        self._masks: dict[dt.date, np.ndarray] = {}
        self._unit_masks: dict[dt.date, np.ndarray] = {}
        self.aliases: dict[str, set[str]] = {}
        for doc in catalog.by_key.values():
            for name in doc.meta.products:
                alias = analyzer.canonicalize(name)
                if len(alias) >= 2:
                    self.aliases.setdefault(alias, set()).add(doc.meta.doc_id)
        self.aliases = {a: docs for a, docs in self.aliases.items() if self._distinctive(a, docs)}
        self._aliases_from = names_by_start(self.aliases)  # first two characters → the names starting so
        self.speller = speller or Speller(self.bm25.df, analyzer.is_known_word, self.aliases,
                                          listed=lambda word: analyzer.general_frequency(word) > 0,
                                          naming=analyzer.is_naming_word, variants=analyzer.variants)
        self.category_cues = analyzer.category_cues

    def extended(self, chunks: list[ChunkRecord], vectors: np.ndarray, catalog: Catalog,
                 embed_passages: Callable[[list[str]], np.ndarray], analyzer: Analyzer) -> "Retriever":
        """A retriever that also holds these new chunks (of documents `catalog` knows), read by
        `analyzer` (this one's, grown by the new product names); only the new chunks are
        tokenized, and this retriever stays as it was for searches under way."""
        bm25 = self.bm25.extended([analyzer.tokens(self._lexical_text(c, catalog)) for c in chunks],
                                  groups=[c.meta["doc_id"] for c in chunks])
        units = self.units.extended(chunks, lambda c: catalog.meta(c.meta["doc_key"]).title, embed_passages)
        names = [name for c in chunks for name in map(analyzer.canonicalize, catalog.meta(c.meta["doc_key"]).products)]
        return Retriever(self.chunks + chunks, catalog, analyzer,
                         self.dense.extended(vectors, [c.id for c in chunks]), self.settings, units,
                         self.fusion, bm25, self.speller.grown((w for w in bm25.df if w not in self.bm25.df), names))

    def lexical_text(self, chunk: ChunkRecord) -> str:
        return self._lexical_text(chunk, self.catalog)

    @staticmethod
    def _lexical_text(chunk: ChunkRecord, catalog: Catalog) -> str:
        """What BM25 sees: the chunk plus where it sits and which products it is about."""
        meta = catalog.meta(chunk.meta["doc_key"])
        return f"{meta.title}\n{chunk.meta['section']}\n{' '.join(meta.products)}\n{chunk.text}"

    def live_mask(self, day: dt.date) -> np.ndarray:
        if day not in self._masks:
            live = self.catalog.live_keys(day)
            self._masks[day] = np.array([k in live for k in self.doc_keys], dtype=bool)
        return self._masks[day]

    def live_units(self, day: dt.date) -> np.ndarray:
        if day not in self._unit_masks:
            self._unit_masks[day] = self.units.of_chunks(self.live_mask(day))
        return self._unit_masks[day]

    def search(self, query: str, day: dt.date) -> list[Hit]:
        """Chunks of the documents in force on `day`, best first."""
        if not self.chunks:
            return []
        spelled = self.analyzer.spell(query, self.speller)
        weighted = self.analyzer.weighted_tokens(spelled)
        live = self.live_mask(day)
        lexical = self.bm25.scores(weighted) / self.bm25.max_score(weighted)
        lexical[~live] = 0.0
        unit_sims = self.units.similarities(self.dense.embed(query))
        by_units = self.units.best_of_chunks(unit_sims)
        by_units[~live] = 0.0
        n = self.settings.candidates
        rows = {int(r) for r in np.argsort(-lexical)[:n] if lexical[r] > 0}
        rows |= {int(r) for r in np.argsort(-by_units)[:n] if by_units[r] > 0}
        dense = self.dense.nearest(query, n, live, also=rows)
        rows |= set(dense)
        named = self.named_docs(spelled)
        cued = self.cued_categories(spelled)
        backdrop = Backdrop.of(unit_sims[self.live_units(day)], self.settings.backdrop_nearest)
        hits = [self._hit(r, float(lexical[r]), max(0.0, dense.get(r, 0.0)), unit_sims, backdrop) for r in rows]
        for hit in hits:
            hit.score += self.fusion.alias_bonus if hit.chunk.meta["doc_id"] in named else 0.0
            hit.score += self.fusion.category_bonus if self.catalog.meta(hit.doc_key).category in cued else 0.0
        hits.sort(key=lambda h: h.score, reverse=True)
        for rank, hit in enumerate(hits):
            hit.rank = rank
        return hits

    def cued_categories(self, query: str) -> set[str]:
        """The categories whose cue phrases (kb/vocab/category_cues.yaml) the question uses."""
        canonical = self.analyzer.canonicalize(query)
        return {category for category, cues in self.category_cues.items() if any(c in canonical for c in cues)}

    def _distinctive(self, alias: str, owners: set[str]) -> bool:
        """A name that many other documents use as well (信用卡) picks out no document."""
        return self.bm25.df.get(alias, 0) <= 2 * len(owners) + 1

    def named_docs(self, query: str) -> set[str]:
        """Documents whose product names or aliases the question names."""
        return {doc for _, docs in self.named_products(query) for doc in docs}

    def named_products(self, query: str) -> list[tuple[str, set[str]]]:
        """The distinctive product names in the question, in order, with the documents they
        name; a name inside a longer matched name does not count (金卡 in 白金卡). Names are looked
        up by the question's character pairs, so the cost follows the question, not the thousands of
        names a large knowledge base holds."""
        return [(alias, self.aliases[alias]) for alias in longest_names(self.analyzer.canonicalize(query), self._aliases_from)]

    def _hit(self, row: int, lexical: float, dense: float, unit_sims: np.ndarray, backdrop: Backdrop) -> Hit:
        start, end = self.units.spans[row]
        units = unit_sims[start:end]
        best = float(units.max()) if len(units) else 0.0
        score = self.fusion.lexical * lexical + self.fusion.dense * dense + self.fusion.unit * best
        return Hit(self.chunks[row], score, lexical, dense, units, backdrop=backdrop)


def names_by_start(names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Names of two characters or more, by their first two: looked up from a text's pairs."""
    found: dict[str, list[str]] = {}
    for name in names:
        if len(name) >= 2:
            found.setdefault(name[:2], []).append(name)
    return {start: tuple(group) for start, group in found.items()}


def longest_names(canonical: str, by_start: dict[str, tuple[str, ...]]) -> list[str]:
    """The names a canonical text holds, in order, each the longest at its place (金卡 inside 白金卡
    does not count); the cost follows the text, not the number of names."""
    spans = [(start, start + len(name), name) for start in range(len(canonical) - 1)
             for name in by_start.get(canonical[start:start + 2], ()) if canonical.startswith(name, start)]
    return [name for s, e, name in sorted(spans)
            if not any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) for s2, e2, _ in spans)]
