"""The core object: built from settings, it ingests folders, answers questions and evaluates."""

import datetime as dt
import time
from functools import cached_property
from pathlib import Path

from kb.answering import Answerer
from kb.catalog import Catalog
from kb.config import Settings
from kb.errors import BadRequest
from kb.lexicon import Analyzer, load_synonym_groups
from kb.models import AssistResponse, Disclosure, SourceDocument
from kb.retrieval import Hit, Retriever
from kb.store import Store


class KnowledgeBase:
    def __init__(self, settings: Settings):
        self.settings = settings

    @cached_property
    def store(self) -> Store:
        return Store(self.settings)

    @cached_property
    def embedder(self):
        from kb.embeddings import Embedder

        return Embedder(self.settings.embed_model)

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.store.document_records())

    @cached_property
    def analyzer(self) -> Analyzer:
        return Analyzer(load_synonym_groups(self.settings.synonyms_file), self.catalog.aliases())

    @cached_property
    def retriever(self) -> Retriever:
        if self.store.model_id is not None:
            self.store.check_model(self.embedder.id)
        return Retriever(self.store.chunk_records(), self.catalog, self.analyzer,
                         self._dense_search, self.settings)

    @cached_property
    def answerer(self) -> Answerer:
        return Answerer(self.analyzer, self.retriever.bm25.idf, self.retriever.bm25.df.__contains__,
                        self.settings)

    def _dense_search(self, query: str, n: int, day: dt.date) -> dict[str, float]:
        return self.store.dense(self.embedder.query(query), n, day)

    def refresh(self) -> None:
        """Forget the in-memory indexes so the next question sees the store as it is now."""
        for name in ("catalog", "analyzer", "retriever", "answerer"):
            self.__dict__.pop(name, None)

    def validate(self, source: Path):
        from ingest.reader import read_folder

        stored = self.store.document_records() if self.store_exists() else []
        return read_folder(source, {d.meta.doc_id for d in stored if d.meta.category == "disclosure"})

    def store_exists(self) -> bool:
        """A dry run must not create a store folder just by looking for one."""
        return bool(self.settings.chroma_url) or self.settings.store.exists()

    def ingest(self, source: Path):
        from ingest.indexer import ingest_folder

        report = ingest_folder(source, self.store, self.embedder)
        self.refresh()
        return report

    def warm_up(self, prepare_chunks: int = 2000) -> None:
        """Load the model and indexes, and prepare the answer caches of up to `prepare_chunks`
        sections, so that the first questions of a call are as fast as the later ones."""
        self.ask("warm up")
        hits = [Hit(chunk, 0.0, 0.0, 0.0) for chunk in self.retriever.chunks[:prepare_chunks]]
        self.answerer.prepare(hits, self.catalog)

    def ask(self, query: str, as_of: dt.date | None = None) -> AssistResponse:
        self._load()
        started = time.perf_counter()
        query = self._checked(query)
        day = as_of or dt.date.today()
        hits = self.retriever.search(query, day)
        answer = self.answerer.answer(query, hits, self.catalog)
        response = AssistResponse(
            query=query, answer=answer, as_of=day,
            disclosures=self.disclosures_for(answer, day),
            retrieved=_ranked_doc_ids(hits))
        response.latency_ms = round((time.perf_counter() - started) * 1000, 2)
        return response

    def _load(self) -> None:
        """Build the indexes and load the model once, outside any answer's timing."""
        _ = self.answerer, self.embedder.component

    def _checked(self, query: str) -> str:
        query = (query or "").strip()
        if not query:
            raise BadRequest("the question is empty")
        if len(query) > self.settings.max_query_chars:
            raise BadRequest(f"the question is longer than {self.settings.max_query_chars} characters")
        return query

    def disclosures_for(self, answer, day: dt.date) -> list[Disclosure]:
        """Every disclosure a cited document lists (and any cited disclosure), whole, once each."""
        live = self.catalog.in_force(day)
        wanted: list[str] = []
        for citation in answer.citations:
            cited = self.catalog.meta(f"{citation.doc_id}@v{citation.version}")
            refs = [cited.doc_id] if cited.category == "disclosure" else []
            wanted += [r for r in refs + cited.disclosures if r not in wanted]
        return [_disclosure(live[r]) for r in wanted if r in live]

    def evaluate(self, dataset: Path, **options):
        from evals.runner import run_evaluation

        return run_evaluation(self, dataset, **options)


def _disclosure(doc: SourceDocument) -> Disclosure:
    return Disclosure(doc_id=doc.meta.doc_id, title=doc.meta.title, text=doc.body)


def _ranked_doc_ids(hits) -> list[str]:
    ranked: list[str] = []
    for hit in hits:
        doc_id = hit.chunk.meta["doc_id"]
        if doc_id not in ranked:
            ranked.append(doc_id)
    return ranked
