"""The core object: built from settings, it ingests folders, answers questions and evaluates."""

import datetime as dt
import time
from functools import cached_property
from pathlib import Path

from kb.alerts import AlertRules
from kb.answering import Answerer
from kb.catalog import Catalog
from kb.compliance import DraftChecker
from kb.config import Settings
from kb.database import make_engine
from kb.documents import STATUSES, DocumentDetail, DocumentSummary, detail, summaries
from kb.errors import BadRequest, NotFound
from kb.feedback import FeedbackLog
from kb.lexicon import Analyzer, load_synonym_groups
from kb.models import Alert, Answer, AssistResponse, CallContextInfo, Disclosure, SourceDocument
from kb.privacy import mask_personal_data
from kb.retrieval import Hit, Retriever
from kb.scripts import ScriptPicker, load_situations
from kb.sessions import CallContext, CallContexts
from kb.store import Store
from kb.vectors import ChromaVectors, MemoryVectors

# Categories whose documents are about one product, which a follow-up question may leave out.
PRODUCT_CATEGORIES = frozenset({"credit_card", "loan", "wealth", "deposit"})


class KnowledgeBase:
    def __init__(self, settings: Settings):
        self.settings = settings

    @cached_property
    def store(self) -> Store:
        return Store(self.settings)

    @cached_property
    def embedder(self):
        from kb.embeddings import Embedder

        return Embedder(self.settings.embed_model, self.settings.torch_threads)

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
        chunks = self.store.chunk_records()
        return Retriever(chunks, self.catalog, self.analyzer, self._vectors(chunks), self.settings)

    def _vectors(self, chunks):
        ids = [c.id for c in chunks]
        if len(ids) <= self.settings.memory_vectors_max:
            return MemoryVectors(self.embedder.query, self.store.chunk_vectors(ids))
        return ChromaVectors(self.embedder.query, self.store, ids)

    @cached_property
    def answerer(self) -> Answerer:
        return Answerer(self.analyzer, self.retriever.bm25.idf, self.retriever.bm25.df.__contains__,
                        self.settings)

    @cached_property
    def scripts(self) -> ScriptPicker:
        return ScriptPicker(load_situations())

    @cached_property
    def alert_rules(self) -> AlertRules:
        return AlertRules.load()

    @cached_property
    def draft_checker(self) -> DraftChecker:
        return DraftChecker.load()

    @cached_property
    def database(self):
        """The app database's engine (feedback, evaluation runs)."""
        return make_engine(self.settings.app_database_url)

    @cached_property
    def feedback(self) -> FeedbackLog:
        return FeedbackLog(self.database)

    @cached_property
    def runs(self):
        from evals.runs import RunLog

        return RunLog(self.database)

    @cached_property
    def contexts(self) -> CallContexts:
        return CallContexts(self.settings.session_minutes * 60)

    def refresh(self) -> None:
        """Forget the in-memory indexes so the next question sees the store as it is now."""
        for name in ("catalog", "analyzer", "retriever", "answerer", "sections"):
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
        self.analyzer.load()
        for doc in list(self.catalog.by_key.values())[:3]:
            self.ask(f"{doc.meta.title}有哪些规定", session_id="warm-up")
        hits = [Hit(chunk, 0.0, 0.0, 0.0) for chunk in self.retriever.chunks[:prepare_chunks]]
        self.answerer.prepare(hits, self.catalog)
        _ = self.sections

    def ask(self, query: str, as_of: dt.date | None = None,
            session_id: str | None = None) -> AssistResponse:
        """The assist response: answer, disclosures, script and alerts. Personal data is masked
        first, so nothing after this line (response, logs, feedback) ever sees it."""
        self._load()
        started = time.perf_counter()
        masked = mask_personal_data(self._checked(query, self.settings.max_query_chars, "question"))
        day = as_of or dt.date.today()
        context = self.contexts.get(session_id) if session_id else None
        named = self.retriever.named_products(masked.without)
        asked, hits, answer = self._answer(masked.without, day, context, bool(named))
        named_docs = self._live(set().union(*(docs for _, docs in named)), day)
        response = AssistResponse(
            query=masked.text, answer=answer, as_of=day,
            disclosures=self.disclosures_for(answer, day),
            script=self.scripts.pick(masked.without, answer, self.catalog, day),
            alerts=self.alert_rules.alerts(masked, answer, [d.meta for d in named_docs], self.catalog, day),
            context=self._remember(context, named, masked.without, asked, answer),
            retrieved=_ranked_doc_ids(hits))
        response.latency_ms = round((time.perf_counter() - started) * 1000, 2)
        return response

    def _answer(self, query: str, day: dt.date, context: CallContext | None, names_product: bool):
        """A follow-up that names no product is asked about the product of the call so far; when
        that finds no answer, the question may be about something else and is asked as it is."""
        if context is not None and context.product and not names_product:
            asked = f"{context.product} {query}"
            hits = self.retriever.search(asked, day)
            answer = self.answerer.answer(asked, hits, self.catalog, own_words=query)
            if answer.status == "answered":
                return asked, hits, answer
        hits = self.retriever.search(query, day)
        return query, hits, self.answerer.answer(query, hits, self.catalog)

    def _remember(self, context: CallContext | None, named: list, query: str, asked: str,
                  answer: Answer) -> CallContextInfo | None:
        if context is None:
            return None
        if named:
            context.product = named[-1][0]
        elif context.product is None and answer.citations:
            cited = self.catalog.cited(answer.citations)[0]
            if cited.category in PRODUCT_CATEGORIES and cited.products:
                context.product = cited.products[0]
        context.turns.append(query)
        return CallContextInfo(product=context.product, carried=asked != query,
                               turn=len(context.turns))

    def _live(self, doc_ids: set[str], day: dt.date) -> list[SourceDocument]:
        live = self.catalog.in_force(day)
        return [live[d] for d in sorted(doc_ids) if d in live]

    def check(self, draft: str, as_of: dt.date | None = None) -> list[Alert]:
        """Alerts for an agent's draft reply: forbidden phrases, a missing risk disclosure."""
        self._load()
        draft = mask_personal_data(self._checked(draft, self.settings.max_draft_chars, "draft")).text
        day = as_of or dt.date.today()
        named = self._live(self.retriever.named_docs(draft), day)
        return self.draft_checker.check(draft, named, self.catalog.in_force(day))

    def _load(self) -> None:
        """Build the indexes and load the model once, outside any answer's timing."""
        _ = self.answerer, self.embedder.component

    @staticmethod
    def _checked(text: str, limit: int, what: str) -> str:
        text = (text or "").strip()
        if not text:
            raise BadRequest(f"the {what} is empty")
        if len(text) > limit:
            raise BadRequest(f"the {what} is longer than {limit} characters")
        return text

    @cached_property
    def sections(self) -> dict[tuple[str, str], str]:
        """(doc_id@vN, heading path) → the section's whole text, as retrieval sees it."""
        parts: dict[tuple[str, str], list] = {}
        for chunk in self.retriever.chunks:
            parts.setdefault((chunk.meta["doc_key"], chunk.meta["section"]), []).append(chunk)
        return {key: "\n".join(c.text for c in sorted(chunks, key=lambda c: c.number))
                for key, chunks in parts.items()}

    def section_text(self, doc_id: str, version: int, section: str) -> str:
        """The whole text of a cited section: the context a citation's quote is shown in."""
        return self.sections.get((f"{doc_id}@v{version}", section), "")

    def disclosures_for(self, answer, day: dt.date) -> list[Disclosure]:
        """Every disclosure a cited document lists (and any cited disclosure), whole, once each."""
        live = self.catalog.in_force(day)
        wanted: list[str] = []
        for cited in self.catalog.cited(answer.citations):
            refs = [cited.doc_id] if cited.category == "disclosure" else []
            wanted += [r for r in refs + cited.disclosures if r not in wanted]
        return [_disclosure(live[r]) for r in wanted if r in live]

    def documents(self, as_of: dt.date | None = None, **filters) -> list[DocumentSummary]:
        """The editors' list: filter by category, product, status, or text in titles and bodies."""
        if filters.get("status") not in (None, *STATUSES):
            raise BadRequest(f"status must be one of {', '.join(STATUSES)}")
        return summaries(self.catalog, as_of or dt.date.today(), **filters)

    def document(self, doc_id: str, as_of: dt.date | None = None) -> DocumentDetail:
        """One document: its versions with their status, and each version's chunks as retrieval
        sees them."""
        found = detail(doc_id, self.catalog, self.retriever.chunks, as_of or dt.date.today())
        if found is None:
            raise NotFound(f"no document with doc_id '{doc_id}'")
        return found

    def evaluate(self, dataset: Path, record: bool = True, **options):
        """Answer and score every item; the run is recorded (figures, every response and
        verdict, the documents in force, the model and settings) and its id kept on the report."""
        from evals.runner import run_evaluation

        report = run_evaluation(self, dataset, **options)
        if record:
            snapshot = sorted(self.catalog.live_keys(dt.date.today()))
            report.run_id = self.runs.record(report, dataset, snapshot, self.embedder.id,
                                             self.settings.model_dump(mode="json"))
        return report


def _disclosure(doc: SourceDocument) -> Disclosure:
    return Disclosure(doc_id=doc.meta.doc_id, title=doc.meta.title, text=doc.body)


def _ranked_doc_ids(hits) -> list[str]:
    ranked: list[str] = []
    for hit in hits:
        doc_id = hit.chunk.meta["doc_id"]
        if doc_id not in ranked:
            ranked.append(doc_id)
    return ranked
