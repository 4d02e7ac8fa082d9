"""Chroma persistence: one collection of chunks (with vectors), one of document versions.

The same code serves an embedded PersistentClient and a Chroma server; the chunk collection
records the embedding model that built it, and a store never mixes vectors of two models.

Chroma has no transaction spanning two writes, so the document record is the commit point: a
version's chunks are written first under ids that carry its content hash, then its record, and
only then are the chunks of its previous content deleted. Readers take only the chunks whose hash
matches their document's record, so a process killed at any step leaves each document whole in
its old or its new state; leftovers are collected by the next write.
"""

import datetime as dt
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, NotRequired, TypedDict, overload
from urllib.parse import urlparse

import numpy as np

from kb.config import Settings
from kb.errors import KBError, StoreMismatch
from kb.models import DocMeta, SourceDocument

if TYPE_CHECKING:  # ingestion's chunk nodes, written here
    from llama_index.core.schema import TextNode

NO_START, NO_END = 0, 99991231
_PAGE = 5000

# A Chroma collection. Chroma's own types reject what it accepts (embeddings as lists of float
# lists, filters as plain dicts) and make every field of a result optional, so its client and
# collections are taken as they come at this boundary.
Collection = Any


def day_number(day: dt.date | None, default: int) -> int:
    return default if day is None else day.year * 10000 + day.month * 100 + day.day


class ChunkMeta(TypedDict):
    """What Chroma holds of a chunk: scalars only, its dates as YYYYMMDD integers."""

    doc_id: str
    version: int
    doc_key: str  # doc_id@vN
    chunk: int
    title: str
    category: str
    section: str
    eff_from: int
    eff_to: int
    content_hash: NotRequired[str]  # absent from chunks written by an earlier release


@dataclass
class ChunkRecord:
    id: str
    text: str
    meta: ChunkMeta

    @property
    def number(self) -> int:
        """Its place in its document version (ids are doc_id@vN#i)."""
        return int(self.id.rsplit("#", 1)[-1])


def _client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            return chromadb.HttpClient(host=url.hostname or "localhost", port=url.port or 8000,
                                       ssl=url.scheme == "https", settings=chroma_settings)
        except ValueError as exc:  # what chromadb raises when no server answers
            raise KBError(f"cannot reach the Chroma server at {settings.chroma_url}: {exc}") from None
    settings.store.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.store), settings=chroma_settings)


class Change(NamedTuple):
    """One write to the store, as the change log keeps it."""

    at: int
    op: str  # put (a version written), move (its file renamed), delete
    key: str
    content_hash: str


class Store:
    def __init__(self, settings: Settings):
        self.client = _client(settings)
        self._chunks_name = f"{settings.collection_prefix}_chunks"
        self._docs_name = f"{settings.collection_prefix}_documents"
        self.documents = self.client.get_or_create_collection(self._docs_name, embedding_function=None)
        self.changes = self.client.get_or_create_collection(f"{settings.collection_prefix}_changes",
                                                            embedding_function=None)
        self._chunks: Collection | None = None
        self._group_rows = settings.write_group_chunks

    @overload
    def chunks(self, model_id: str) -> Collection: ...
    @overload
    def chunks(self, model_id: None = None) -> Collection | None: ...

    def chunks(self, model_id: str | None = None) -> Collection | None:
        """The chunk collection; with `model_id`, created for that model or checked against it."""
        if self._chunks is None:
            names = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
            if self._chunks_name in names:
                self._chunks = self.client.get_collection(self._chunks_name, embedding_function=None)
            elif model_id is not None:
                self._chunks = self.client.create_collection(
                    self._chunks_name, embedding_function=None,
                    metadata={"hnsw:space": "cosine", "embed_model": model_id})
        if self._chunks is not None and model_id is not None:
            self.check_model(model_id)
        return self._chunks

    @property
    def model_id(self) -> str | None:
        chunks = self.chunks()
        return None if chunks is None else (chunks.metadata or {}).get("embed_model")

    def check_model(self, model_id: str) -> None:
        built_with = self.model_id
        if built_with is not None and built_with != model_id:
            raise StoreMismatch(
                f"this store was built with embedding model '{built_with}' but '{model_id}' is "
                "configured; vectors of two models cannot be mixed: re-ingest into a new store "
                "(another --store folder) or set KB_EMBED_MODEL back")

    def generation(self) -> str | None:
        """Changes with every write, so a process serving questions can tell cheaply whether
        another one (an editor's publish, a re-ingest) changed the store."""
        current = self.client.get_collection(self._docs_name, embedding_function=None)
        return (current.metadata or {}).get("generation")

    def _bump_generation(self, op: str, keys: list[tuple[str, str]]) -> None:
        """Record the writes in the change log (each key with its content hash), then announce
        them (the generation), so that a serving process reads what changed rather than every
        document's record."""
        at = time.time_ns()
        self.changes.add(ids=[f"{at:020d}-{uuid.uuid4().hex[:8]}" for _ in keys], embeddings=[[1.0]] * len(keys),
                         metadatas=[{"at": at, "op": op, "key": key, "hash": content_hash} for key, content_hash in keys])
        self.documents.modify(metadata={"generation": uuid.uuid4().hex})

    def changes_since(self, at: int) -> list[Change]:
        """The writes recorded after `at` (ns since the epoch), oldest first."""
        got = self.changes.get(where={"at": {"$gt": at}}, include=["metadatas"])
        found = [Change(int(m["at"]), str(m["op"]), str(m["key"]), str(m.get("hash", ""))) for m in got["metadatas"]]
        return sorted(found)

    def prune_changes(self, before: int) -> None:
        """Forget writes older than `before`: every process has followed them long since."""
        self.changes.delete(where={"at": {"$lt": before}})

    def document_records(self, keys: list[str] | None = None) -> list[SourceDocument]:
        if keys is None:
            records = _get_all(self.documents, ["documents", "metadatas"])
        else:
            records = self.documents.get(ids=keys, include=["documents", "metadatas"])
        return [
            SourceDocument(meta=DocMeta.model_validate_json(m["meta"]), body=body,
                           source=m["source"], content_hash=m["content_hash"])
            for body, m in zip(records["documents"], records["metadatas"])
        ]

    def chunk_records(self) -> list[ChunkRecord]:
        """The committed chunks: those of a recorded document version with its content hash."""
        chunks = self.chunks()
        if chunks is None:
            return []
        committed = self.committed_hashes()
        records = _get_all(chunks, ["documents", "metadatas"])
        keep = _committed_rows(records["metadatas"], committed)
        return [ChunkRecord(i, t, m) for row, (i, t, m) in
                enumerate(zip(records["ids"], records["documents"], records["metadatas"])) if row in keep]

    def version_chunks(self, hashes: dict[str, str]) -> tuple[list[ChunkRecord], np.ndarray]:
        """The committed chunks of these document versions ({doc_id@vN: content hash}) and
        their vectors, in chunk order."""
        chunks = self.chunks()
        if chunks is None or not hashes:
            return [], np.zeros((0, 0), dtype=np.float32)
        got = chunks.get(where={"doc_key": {"$in": list(hashes)}},
                         include=["documents", "metadatas", "embeddings"])
        keep = _committed_rows(got["metadatas"], hashes)
        rows = sorted((m["doc_key"], int(i.rsplit("#", 1)[-1]), i, t, m, e) for row, (i, t, m, e) in
                      enumerate(zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"]))
                      if row in keep)
        return ([ChunkRecord(i, t, m) for _, _, i, t, m, _ in rows],
                np.array([e for *_, e in rows], dtype=np.float32))

    def committed_hashes(self) -> dict[str, str]:
        """doc_id@vN → content hash of every committed document version (no bodies read)."""
        records = _get_all(self.documents, ["metadatas"])
        return {key: m["content_hash"] for key, m in zip(records["ids"], records["metadatas"])}

    def collect_garbage(self) -> int:
        """Delete chunks that no document record commits (left by a write that was killed)."""
        chunks = self.chunks()
        if chunks is None:
            return 0
        committed = self.committed_hashes()
        records = _get_all(chunks, ["metadatas"])
        keep = _committed_rows(records["metadatas"], committed)
        orphans = [i for row, i in enumerate(records["ids"]) if row not in keep]
        for start in range(0, len(orphans), _PAGE):
            chunks.delete(ids=orphans[start:start + _PAGE])
        return len(orphans)

    def chunk_vectors(self, ids: list[str]) -> np.ndarray:
        """The stored vectors of these chunks, one row each, in the order given."""
        chunks = self.chunks()
        if chunks is None or not ids:
            return np.zeros((0, 0), dtype=np.float32)
        records = _get_all(chunks, ["embeddings"])
        by_id = dict(zip(records["ids"], records["embeddings"]))
        return np.array([by_id[i] for i in ids], dtype=np.float32)

    def put_document(self, doc: SourceDocument, nodes: Sequence["TextNode"], model_id: str) -> None:
        """Write one document version (as put_documents does)."""
        self.put_documents([(doc, nodes)], model_id)

    def put_documents(self, versions: Sequence[tuple[SourceDocument, Sequence["TextNode"]]], model_id: str) -> None:
        """Write document versions, a group at a time (KB_WRITE_GROUP_CHUNKS chunks each): the group's
        new chunks, then its records (the commit), then the chunks of their previous content
        dropped. An id never gains a duplicate, and a write killed half-way leaves chunks no
        record commits, which the next ingest collects. Through a Chroma server a request costs
        more than the rows it carries, hence groups rather than a document at a time."""
        group: list[tuple[SourceDocument, Sequence[TextNode]]] = []
        rows = 0
        for doc, nodes in versions:
            if group and rows + len(nodes) > self._group_rows:
                self._put_group(group, model_id)
                group, rows = [], 0
            group.append((doc, nodes))
            rows += len(nodes)
        if group:
            self._put_group(group, model_id)

    def _put_group(self, versions: list[tuple[SourceDocument, Sequence["TextNode"]]], model_id: str) -> None:
        chunks = self.chunks(model_id)
        nodes = [n for _, version_nodes in versions for n in version_nodes]
        if nodes:
            chunks.upsert(ids=[n.id_ for n in nodes], embeddings=[n.embedding for n in nodes],
                          documents=[n.text for n in nodes], metadatas=[_chunk_metadata(n.metadata) for n in nodes])
        docs = [doc for doc, _ in versions]
        self.documents.upsert(ids=[d.meta.key for d in docs], embeddings=[[1.0]] * len(docs),
                              documents=[d.body for d in docs], metadatas=[_record_metadata(d) for d in docs])
        self._bump_generation("put", [(d.meta.key, d.content_hash) for d in docs])
        hashes = {d.meta.key: d.content_hash for d in docs}
        previous = chunks.get(where={"doc_key": {"$in": list(hashes)}}, include=["metadatas"])
        stale = [i for i, m in zip(previous["ids"], previous["metadatas"]) if m.get("content_hash") != hashes[m["doc_key"]]]
        if stale:
            chunks.delete(ids=stale)

    def move_document(self, key: str, source: str) -> None:
        """A renamed but unchanged file: only the recorded source path changes."""
        record = self.documents.get(ids=[key], include=["metadatas"])["metadatas"][0]
        self.documents.update(ids=[key], metadatas=[{**record, "source": source}])
        self._bump_generation("move", [(key, "")])

    def delete_document(self, key: str) -> None:
        self.documents.delete(ids=[key])
        self._bump_generation("delete", [(key, "")])
        self._delete_chunks(key)

    def _delete_chunks(self, key: str) -> None:
        chunks = self.chunks()
        if chunks is not None:
            chunks.delete(where={"doc_key": key})

    def dense(self, embedding: list[float], n: int) -> dict[str, float]:
        """Cosine similarity of the `n` nearest chunks of any version. Which versions are in
        force is decided by the catalog (the caller filters): a metadata filter here would cost
        more than the whole lexical search."""
        chunks = self.chunks()
        if chunks is None or n <= 0:
            return {}
        result = chunks.query(query_embeddings=[embedding], n_results=n, include=["distances"])
        return {i: 1.0 - d for i, d in zip(result["ids"][0], result["distances"][0])}

    def similarities(self, embedding: list[float], ids: list[str]) -> dict[str, float]:
        """Cosine similarity of these chunks to the embedding."""
        chunks = self.chunks() if ids else None
        if chunks is None:
            return {}
        found = chunks.get(ids=ids, include=["embeddings"])
        vectors = np.asarray(found["embeddings"], dtype=np.float32).reshape(len(found["ids"]), -1)
        query = np.asarray(embedding, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1) * (np.linalg.norm(query) or 1.0)
        return dict(zip(found["ids"], (vectors @ query / np.where(norms == 0, 1, norms)).tolist()))


def _record_metadata(doc: SourceDocument) -> dict[str, Any]:
    return {"doc_id": doc.meta.doc_id, "version": doc.meta.version, "meta": doc.meta.model_dump_json(),
            "source": doc.source, "content_hash": doc.content_hash}


def _get_all(collection: Collection, include: list[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {"ids": [], **{k: [] for k in include}}
    offset = 0
    while True:
        page = collection.get(include=include, limit=_PAGE, offset=offset)
        for key in out:
            out[key] += list(page[key])
        if len(page["ids"]) < _PAGE:
            return out
        offset += _PAGE


def _committed_rows(metadatas: list[dict[str, Any]], hashes: dict[str, str]) -> set[int]:
    """Rows of chunks whose document version is recorded with the chunk's content hash. A chunk
    written before chunks carried their hash belongs to its record as it is, unless hashed chunks
    of that record exist (a store made by an earlier release keeps answering until an ingest
    rewrites it, and a rewrite killed half-way does not show both)."""
    hashed = {m["doc_key"] for m in metadatas if m.get("content_hash") and m.get("content_hash") == hashes.get(m["doc_key"])}
    return {row for row, m in enumerate(metadatas) if m["doc_key"] in hashes and (
        m.get("content_hash") == hashes[m["doc_key"]]
        or (m.get("content_hash") is None and m["doc_key"] not in hashed))}


def records_of(nodes: Sequence["TextNode"]) -> tuple[list[ChunkRecord], np.ndarray]:
    """Embedded nodes as the store will hold them: what an index built before the write reads."""
    chunks = [ChunkRecord(n.id_, n.text, _chunk_metadata(n.metadata)) for n in nodes]
    return chunks, np.array([n.embedding for n in nodes], dtype=np.float32)


def _chunk_metadata(meta: dict[str, Any]) -> ChunkMeta:
    """Chroma holds scalars only: lists as JSON, dates as YYYYMMDD integers for range filters."""
    return {
        "doc_id": meta["doc_id"], "version": meta["version"],
        "doc_key": f"{meta['doc_id']}@v{meta['version']}", "chunk": meta["chunk"],
        "title": meta["title"], "category": meta["category"], "section": meta["section"],
        "eff_from": meta["eff_from"], "eff_to": meta["eff_to"],
        "content_hash": meta["content_hash"],
    }
