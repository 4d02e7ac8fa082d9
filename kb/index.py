"""What a question reads, built together and replaced as one.

A question takes the current `Index` once and reads only it, so a document published meanwhile
is either wholly absent from its answer or wholly present, never half. Publishing one version
grows the index (`with_versions`: only the new chunks are tokenized), which keeps an update of a
large knowledge base to about a second; anything else (a folder re-ingest that changed or removed
versions) builds a new index beside the old one before the swap.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from kb.answering import Answerer
from kb.catalog import Catalog
from kb.config import Settings
from kb.fitted import Fitted
from kb.lexicon import Analyzer
from kb.models import SourceDocument
from kb.retrieval import Retriever
from kb.store import ChunkRecord
from kb.units import UnitTable


@dataclass(frozen=True)
class Index:
    catalog: Catalog
    analyzer: Analyzer
    retriever: Retriever
    answerer: Answerer
    sections: dict[tuple[str, str], str]
    generation: str | None = None
    embed_passages: Callable[[list[str]], np.ndarray] | None = None  # texts → rows, for versions added later

    @property
    def hashes(self) -> dict[str, str]:
        """doc_id@vN → content hash of every version the index holds."""
        return {key: doc.content_hash for key, doc in self.catalog.by_key.items()}

    def with_versions(self, docs: list[SourceDocument], chunks: list[ChunkRecord],
                      vectors: np.ndarray, generation: str | None) -> "Index":
        """This index plus new document versions (none of which it holds yet)."""
        catalog = Catalog([*self.catalog.by_key.values(), *docs])
        analyzer = self.analyzer.with_words([name for doc in docs for name in doc.meta.products])
        if self.embed_passages is None:
            raise ValueError("this index was built without a way to embed the units of new versions")
        retriever = self.retriever.extended(chunks, vectors, catalog, self.embed_passages, analyzer)
        answerer = self.answerer.rebound(retriever.bm25.idf, retriever.bm25.df.__contains__, retriever.speller)
        return Index(catalog, analyzer, retriever, answerer,
                     {**self.sections, **section_texts(chunks)}, generation, self.embed_passages)


def build_index(docs: list[SourceDocument], chunks: list[ChunkRecord], analyzer: Analyzer,
                dense: Any, settings: Settings, embedder: Any, fitted: Fitted, generation: str | None = None) -> Index:
    """`embedder`: passages (texts → rows) and query (text → vector), both through the cache."""
    catalog = Catalog(docs)
    units = UnitTable.build(chunks, lambda c: catalog.meta(c.meta["doc_key"]).title, embedder.passages)
    retriever = Retriever(chunks, catalog, analyzer, dense, settings, units, fitted.fusion)
    answerer = Answerer(analyzer, retriever.bm25.idf, retriever.bm25.df.__contains__, settings, fitted,
                        embedder.query, retriever.cued_categories, retriever.speller, getattr(embedder, "id", ""))
    return Index(catalog, analyzer, retriever, answerer, section_texts(chunks), generation,
                 embedder.passages)


def section_texts(chunks: list[ChunkRecord]) -> dict[tuple[str, str], str]:
    """(doc_id@vN, heading path) → the section's whole text, as retrieval sees it."""
    parts: dict[tuple[str, str], list[ChunkRecord]] = {}
    for chunk in chunks:
        parts.setdefault((chunk.meta["doc_key"], chunk.meta["section"]), []).append(chunk)
    return {key: "\n".join(c.text for c in sorted(pieces, key=lambda c: c.number))
            for key, pieces in parts.items()}
