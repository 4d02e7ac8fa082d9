"""The core object: built from settings, it answers questions over a store, lists its documents and
holds the app database's records. Ingesting, publishing and evaluating build on it from the outer
packages; `application.Application` composes them."""

import dataclasses
import datetime as dt
import threading
import time
from functools import cached_property
from typing import TYPE_CHECKING, TypedDict, Unpack

from sqlalchemy import Engine

from kb.alerts import AlertRules
from kb.answering import Answerer
from kb.audit import AuditLog
from kb.audit import Change as AuditChange
from kb.catalog import Catalog
from kb.compliance import DraftChecker
from kb.config import Settings
from kb.database import make_engine
from kb.documents import STATUSES, DocumentDetail, DocumentSummary, detail, summaries
from kb.errors import BadRequest, Forbidden, KBError, NotFound, TooManyAttempts
from kb.feedback import FeedbackLog
from kb.fitted import Fitted, load_fitted
from kb.followups import answer_in_call, remember
from kb.gaps import Gaps
from kb.index import Index, build_index
from kb.lexicon import Analyzer, load_synonym_groups
from kb.lockout import Lockout
from kb.models import Alert, Answer, AssistResponse, Disclosure, SourceDocument
from kb.originals import Originals
from kb.phrasing import load_phrasing
from kb.privacy import mask_personal_data
from kb.retrieval import Hit, Retriever
from kb.scripts import ScriptPicker, load_situations
from kb.sessions import CallContexts
from kb.store import Change, ChunkRecord, Store
from kb.users import Principal, Users, is_loopback
from kb.vectors import ChromaVectors, MemoryVectors

if TYPE_CHECKING:  # the model's libraries are imported on first use
    from kb.embeddings import Embedder

CHANGES_KEPT_NS = 24 * 3600 * 10**9  # every process follows within seconds; a day of writes is plenty


class DocumentFilters(TypedDict, total=False):
    """What the editors' list is filtered by (kb.documents.summaries)."""

    category: str | None
    product: str | None
    status: str | None
    search: str | None
    in_force_from: dt.date | None
    in_force_to: dt.date | None


class KnowledgeBase:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._index: Index | None = None
        self._index_lock = threading.Lock()
        self._followed = 0  # when the index last followed the store's change log (ns since the epoch)

    @cached_property
    def store(self) -> Store:
        return Store(self.settings)

    @cached_property
    def embedder(self) -> "Embedder":
        from kb.embeddings import Embedder

        return Embedder(self.settings)

    @cached_property
    def fitted(self) -> Fitted:
        """The fused ranking and the answering models fitted on evaluation banks."""
        return load_fitted(self.settings.fitted_file)

    @property
    def index(self) -> Index:
        """The indexes questions read; built on first use, then grown or replaced by `sync`."""
        if self._index is None:
            with self._index_lock:
                if self._index is None:
                    self._index = self._build_index()
        return self._index

    @property
    def catalog(self) -> Catalog:
        return self.index.catalog

    @property
    def analyzer(self) -> Analyzer:
        return self.index.analyzer

    @property
    def retriever(self) -> Retriever:
        return self.index.retriever

    @property
    def answerer(self) -> Answerer:
        return self.index.answerer

    @property
    def sections(self) -> dict[tuple[str, str], str]:
        return self.index.sections

    def _build_index(self) -> Index:
        self._followed = time.time_ns()  # the change log is read from here on (less the skew)
        generation = self.store.generation()
        if self.store.model_id is not None:
            self.store.check_model(self.embedder.id)
        docs = self.store.document_records()
        chunks = self.store.chunk_records()
        aliases = sorted({name for doc in docs for name in doc.meta.products})
        analyzer = Analyzer(load_synonym_groups(self.settings.synonyms_file), aliases)
        return build_index(docs, chunks, analyzer, self._vectors(chunks), self.settings, self.embedder,
                           self.fitted, generation)

    def _vectors(self, chunks: list[ChunkRecord]) -> MemoryVectors | ChromaVectors:
        ids = [c.id for c in chunks]
        if len(ids) <= self.settings.memory_vectors_max:
            return MemoryVectors(self.embedder.query, self.store.chunk_vectors(ids))
        return ChromaVectors(self.embedder.query, self.store, ids)

    def sync(self) -> bool:
        """Bring the index in line with the store after a publish here or a write by another
        process: the change log says what was written since the index was built (or last
        followed); new versions are added to a copy of the index; a changed or removed version (a
        folder re-ingest), or a renamed file's new path, means a new index, built beside the one
        questions are reading. Without a log of the writes (a store an earlier release wrote),
        every version's hash is compared instead. The store is looked at again once the index is
        held: the publisher and the process's follower may both have seen one write."""
        if self._index is None:
            return False
        if self.store.generation() == self._index.generation:
            return False
        with self._index_lock:
            generation = self.store.generation()  # again: another thread may have followed it meanwhile
            if generation == self._index.generation:
                return False
            followed = time.time_ns()
            since = self._followed - int(self.settings.clock_skew_seconds * 1e9)
            new, rebuild = self._changed(self._index.hashes, self.store.changes_since(since))
            if rebuild:
                self._index = self._build_index()
            elif new:
                docs = self.store.document_records(new)
                chunks, vectors = self.store.version_chunks({d.meta.key: d.content_hash for d in docs})
                self._index = self._index.with_versions(docs, chunks, vectors, generation)
            else:
                self._index = dataclasses.replace(self._index, generation=generation)
            self._followed = followed
            self.store.prune_changes(followed - CHANGES_KEPT_NS)
        return True

    def _changed(self, held: dict[str, str], changes: list[Change]) -> tuple[list[str], bool]:
        """(new versions to add, whether the index must be built anew) from the writes since."""
        if not changes:  # no log of them: compare every version's hash
            stored = self.store.committed_hashes()
            new = [k for k in stored if k not in held]
            return new, not new or bool(set(held) - set(stored)) or any(held[k] != stored[k] for k in held)
        new = list(dict.fromkeys(c.key for c in changes if c.op == "put" and c.key not in held))
        rebuild = any(c.op != "put" or (c.key in held and held[c.key] != c.content_hash) for c in changes)
        return new, rebuild

    @cached_property
    def scripts(self) -> ScriptPicker:
        return ScriptPicker(load_situations())

    @cached_property
    def alert_rules(self) -> AlertRules:
        return AlertRules.load()

    @cached_property
    def draft_checker(self) -> DraftChecker:
        """Forbidden phrases, literal and (with the model its phrasing model was fitted in) in the
        agent's own words."""
        phrasing = load_phrasing(self.settings.phrasing_file)
        if phrasing is None or phrasing.space != self.embedder.id:
            return DraftChecker.load()
        return DraftChecker.load(phrasing, self.embedder.query)

    @cached_property
    def database(self) -> Engine:
        """The app database's engine (feedback, evaluation runs)."""
        return make_engine(self.settings.app_database_url)

    @cached_property
    def feedback(self) -> FeedbackLog:
        return FeedbackLog(self.database)

    @cached_property
    def gaps(self) -> Gaps:
        return Gaps(self.database)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.database)

    def history(self, doc_id: str | None = None) -> list[AuditChange]:
        """The audit log (of one document), each change marked applied or not by the store."""
        return self.audit.history(self.store.committed_hashes(), doc_id)

    @cached_property
    def originals(self) -> Originals:
        """Uploaded files, kept beside the store (the store folder, even with a Chroma server)."""
        return Originals(self.settings.store / "originals", self.database)

    @cached_property
    def users(self) -> Users:
        return Users(self.database)

    @cached_property
    def lockout(self) -> Lockout:
        s = self.settings
        return Lockout(self.database, s.signin_max_failures, s.signin_max_failures_per_address,
                       s.signin_lockout_minutes)

    def sign_in(self, name: str, password: str, address: str) -> Principal | None:
        """The principal of a name and password, or None; refused for a while after too many
        failures of the user or from the address (`KBError` says how long)."""
        wait = self.lockout.locked(name, address)
        if wait is not None:
            raise TooManyAttempts(f"too many failed sign-ins; try again in {max(1, round(wait))} minutes")
        principal = self.users.check_password(name, password)
        if principal is None:
            self.lockout.failed(name, address)
        else:
            self.lockout.succeeded(name)
        return principal

    @cached_property
    def contexts(self) -> CallContexts:
        return CallContexts(self.database, self.settings.session_minutes * 60)

    def check_bind(self, host: str) -> None:
        """Local mode (no users: everything allowed to whoever reaches the port) serves this
        machine only; to listen on a network, an admin must exist first."""
        if not self.users.any() and not is_loopback(host):
            raise KBError(f"refusing to listen on {host} in local mode (no users: anyone who reaches "
                          "the port could do everything); add an admin first with "
                          "`kb users add NAME --role admin`, or listen on 127.0.0.1")

    def check_host(self, host_header: str | None) -> None:
        """In local mode a request must name this machine in its Host header: a page of another
        site whose name was made to resolve to 127.0.0.1 (DNS rebinding) names its own."""
        if self.users.any():
            return
        name = (host_header or "").rsplit(":", 1)[0] if not (host_header or "").startswith("[") \
            else (host_header or "").split("]")[0] + "]"
        if not is_loopback(name):
            raise Forbidden("local mode answers only requests to localhost or 127.0.0.1 "
                            f"(this one was sent to {host_header!r})")

    def refresh(self) -> None:
        """Make the next question see the store as it is now."""
        self.sync()

    def store_exists(self) -> bool:
        """A dry run must not create a store folder just by looking for one."""
        return bool(self.settings.chroma_url) or self.settings.store.exists()

    def warm_up(self, prepare_chunks: int = 2000) -> None:
        """Load the model and indexes, and prepare the answer caches of up to `prepare_chunks`
        sections, so that the first questions of a call are as fast as the later ones."""
        self.analyzer.load()
        for doc in list(self.catalog.by_key.values())[:3]:
            self.ask(f"{doc.meta.title}有哪些规定", session_id="warm-up")
        self.retriever.speller.load()
        hits = [Hit(chunk, 0.0, 0.0, 0.0) for chunk in self.retriever.chunks[:prepare_chunks]]
        self.answerer.prepare(hits, self.catalog)
        _ = self.sections

    def ask(self, query: str, as_of: dt.date | None = None, session_id: str | None = None,
            index: Index | None = None) -> AssistResponse:
        """The assist response: answer, disclosures, script and alerts. Personal data is masked
        first, so nothing after this line (response, logs, feedback) ever sees it. One index is
        read throughout, so a publish meanwhile is wholly in the answer or wholly not; the
        publish gate passes the index as it would be after a change."""
        index = self._load() if index is None else index
        started = time.perf_counter()
        masked = mask_personal_data(self._checked(query, self.settings.max_query_chars, "question"))
        day = as_of or dt.date.today()
        context = self.contexts.get(session_id) if session_id else None
        named = index.retriever.named_products(masked.without)
        asked, hits, answer = answer_in_call(index, masked.without, day, context, bool(named))
        named_docs = _live(index, set().union(*(docs for _, docs in named)), day)
        response = AssistResponse(
            query=masked.text, answer=answer, as_of=day,
            disclosures=_disclosures(index, answer, named_docs, day),
            script=self.scripts.pick(masked.without, answer, index.catalog, day),
            alerts=self.alert_rules.alerts(masked, answer, [d.meta for d in named_docs], index.catalog, day),
            related=answer.related,
            context=remember(index, context, named, masked.without, asked, answer),
            retrieved=_ranked_doc_ids(hits))
        if context is not None and session_id:
            self.contexts.save(session_id, context)
        response.latency_ms = round((time.perf_counter() - started) * 1000, 2)
        return response

    def assist(self, query: str, as_of: dt.date | None = None,
               session_id: str | None = None) -> AssistResponse:
        """An agent's question (the API and the panel): answered as `ask` does, and kept, masked,
        among the content gaps when the knowledge base holds no answer."""
        response = self.ask(query, as_of=as_of, session_id=session_id)
        if response.answer.status == "no_answer":
            self.gaps.note(response.query, self.answerer.key_terms(response.query))
        return response

    def forget_context(self, session_id: str) -> None:
        """The agent let the call's product go: the next question is read as it is typed."""
        context = self.contexts.get(session_id)
        context.product = None
        self.contexts.save(session_id, context)

    def check(self, draft: str, as_of: dt.date | None = None) -> list[Alert]:
        """Alerts for an agent's draft reply: forbidden phrases, a missing risk disclosure."""
        index = self._load()
        draft = mask_personal_data(self._checked(draft, self.settings.max_draft_chars, "draft")).text
        day = as_of or dt.date.today()
        named = _live(index, index.retriever.named_docs(draft), day)
        return self.draft_checker.check(draft, named, index.catalog.in_force(day))

    def _load(self) -> Index:
        """Build the indexes and load the model once, outside any answer's timing."""
        _ = self.embedder.component
        return self.index

    @staticmethod
    def _checked(text: str, limit: int, what: str) -> str:
        text = (text or "").strip()
        if not text:
            raise BadRequest(f"the {what} is empty")
        if len(text) > limit:
            raise BadRequest(f"the {what} is longer than {limit} characters")
        return text

    def section_text(self, doc_id: str, version: int, section: str) -> str:
        """The whole text of a cited section: the context a citation's quote is shown in."""
        return self.sections.get((f"{doc_id}@v{version}", section), "")

    def documents(self, as_of: dt.date | None = None, **filters: Unpack[DocumentFilters]) -> list[DocumentSummary]:
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

def _live(index: Index, doc_ids: set[str], day: dt.date) -> list[SourceDocument]:
    live = index.catalog.in_force(day)
    return [live[d] for d in sorted(doc_ids) if d in live]


def _disclosures(index: Index, answer: Answer, named: list[SourceDocument], day: dt.date) -> list[Disclosure]:
    """Every disclosure a cited document lists (and any cited disclosure), then those of the
    products the question names, whole, once each. A product being discussed is owed its risk
    disclosure (it must be read to the customer) whether or not the knowledge base answers what
    was asked about it, so a refusal still puts it in front of the agent."""
    live = index.catalog.in_force(day)
    wanted: list[str] = []
    for meta in [*index.catalog.cited(answer.citations), *(doc.meta for doc in named)]:
        refs = [meta.doc_id] if meta.category == "disclosure" else []
        wanted += [r for r in refs + meta.disclosures if r not in wanted]
    return [_disclosure(live[r]) for r in wanted if r in live]


def _disclosure(doc: SourceDocument) -> Disclosure:
    return Disclosure(doc_id=doc.meta.doc_id, title=doc.meta.title, text=doc.body)


def _ranked_doc_ids(hits: list[Hit]) -> list[str]:
    ranked: list[str] = []
    for hit in hits:
        doc_id = hit.chunk.meta["doc_id"]
        if doc_id not in ranked:
            ranked.append(doc_id)
    return ranked
