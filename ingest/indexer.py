"""Bring a store in line with a folder: embed only what changed, keep history, drop what vanished."""

import time
from dataclasses import dataclass, field
from pathlib import Path

from llama_index.core.ingestion import run_transformations
from llama_index.core.schema import Document

from ingest.chunking import ChunkIds, MarkdownSections, SplitLongSections
from ingest.reader import FolderRead, read_folder
from ingest.upload import UPLOAD_PREFIX
from kb.errors import Problem
from kb.models import SourceDocument
from kb.store import NO_END, NO_START, Store, day_number
from kb.units import unit_passages


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    chunks_embedded: int = 0
    vectors_computed: int = 0   # texts the model embedded (the rest came from the cache)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return (f"added {len(self.added)}, updated {len(self.updated)}, unchanged "
                f"{len(self.unchanged)}, removed {len(self.removed)}, rejected files "
                f"{len({p.file for p in self.problems})}; {self.chunks_embedded} chunks embedded "
                f"({self.vectors_computed} vectors computed, the rest cached) in {self.seconds:.1f} s")


def doc_nodes(doc: SourceDocument) -> list:
    """The chunks of one document, with ids and metadata, not yet embedded."""
    meta = doc.meta
    metadata = {"doc_id": meta.doc_id, "version": meta.version, "title": meta.title,
                "category": meta.category, "content_hash": doc.content_hash,
                "eff_from": day_number(meta.effective_from, NO_START),
                "eff_to": day_number(meta.effective_to, NO_END)}
    stages = [MarkdownSections(), SplitLongSections(), ChunkIds()]
    return run_transformations([Document(text=doc.body, metadata=metadata)], stages)


def stale_keys(folder: FolderRead, stored: list[SourceDocument]) -> list[str]:
    """Stored versions to drop: their file is gone and they are not older history of a live doc_id.

    Nothing is dropped while any file of the folder is rejected: a broken file may be the new
    home of a stored document (renamed, then broken), and a rejected document changes nothing."""
    if folder.rejected_files:
        return []
    newest: dict[str, int] = {}
    for doc in folder.documents:
        newest[doc.meta.doc_id] = max(newest.get(doc.meta.doc_id, 0), doc.meta.version)
    folder_keys = {d.meta.key for d in folder.documents}
    stale = []
    for doc in stored:
        meta = doc.meta
        if meta.key in folder_keys or doc.source in folder.rejected_files or is_upload(doc):
            continue
        if meta.version < newest.get(meta.doc_id, 0):
            continue
        stale.append(meta.key)
    return stale


def still_listed(stale: list[str], folder: FolderRead, stored: list[SourceDocument]) -> dict[str, list]:
    """Stale disclosure versions that a document staying live still lists: removing them would
    send answers out without their mandatory disclosure."""
    staying = [d for d in stored if d.meta.key not in stale] + folder.documents
    by_key = {d.meta.key: d for d in stored}
    kept = {}
    for key in stale:
        meta = by_key[key].meta
        if meta.category != "disclosure" or any(d.meta.doc_id == meta.doc_id for d in staying):
            continue
        listing = [d for d in staying if meta.doc_id in d.meta.disclosures]
        if listing:
            kept[key] = listing
    return kept


def is_upload(doc: SourceDocument) -> bool:
    """Published through the editors' upload (or a rollback): a folder does not own it."""
    return doc.source.startswith(UPLOAD_PREFIX)


def ingest_folder(root: Path, store: Store, embedder) -> IngestReport:
    started = time.perf_counter()
    store.collect_garbage()
    stored = store.document_records()
    folder = read_folder(root, {d.meta.doc_id for d in stored if d.meta.category == "disclosure"})
    report = IngestReport(problems=list(folder.problems))
    changed = _sort_changes(folder, stored, store, report)
    if changed:
        _embed_and_store(changed, store, embedder, report)
    _remove_stale(folder, stored, store, report)
    report.seconds = time.perf_counter() - started
    return report


def _sort_changes(folder: FolderRead, stored: list[SourceDocument], store: Store,
                  report: IngestReport) -> list[SourceDocument]:
    """The folder's documents whose content or metadata changed; a renamed but unchanged file
    only has its recorded path updated."""
    by_key = {d.meta.key: d for d in stored}
    changed = []
    for doc in folder.documents:
        old = by_key.get(doc.meta.key)
        if old is not None and is_upload(old) and old.content_hash != doc.content_hash:
            report.problems.append(Problem(doc.source, "version", f"version {doc.meta.version} of "
                                           f"'{doc.meta.doc_id}' was published by an editor's upload; "
                                           "a file cannot replace it: give the file a higher version"))
        elif old is not None and old.content_hash == doc.content_hash:
            report.unchanged.append(doc.meta.key)
            if old.source != doc.source:
                store.move_document(doc.meta.key, doc.source)
        else:
            (report.updated if old is not None else report.added).append(doc.meta.key)
            changed.append(doc)
    return changed


def _embed_and_store(changed: list[SourceDocument], store: Store, embedder, report: IngestReport) -> None:
    """All changed documents are embedded in one batch before any of them is written."""
    store.chunks(embedder.id)
    nodes_by_doc = [doc_nodes(doc) for doc in changed]
    computed = embedder.embedded
    nodes = [n for nodes in nodes_by_doc for n in nodes]
    report.chunks_embedded = len(embedder.component(nodes))
    embed_units(nodes, embedder)
    report.vectors_computed = embedder.embedded - computed
    store.put_documents(list(zip(changed, nodes_by_doc)), embedder.id)


def embed_units(nodes, embedder) -> None:
    """The units of these chunks too (their sentences, list items and rows), so that the index
    built from the store finds every vector in the cache."""
    embedder.passages([text for n in nodes for text in unit_passages(n.metadata["title"], n.metadata["section"], n.text)])


def _remove_stale(folder: FolderRead, stored: list[SourceDocument], store: Store,
                  report: IngestReport) -> None:
    stale = stale_keys(folder, stored)
    kept = still_listed(stale, folder, stored)
    for key, listing in kept.items():
        report.problems += [Problem(doc.source, "disclosures", f"lists '{key.split('@')[0]}', whose "
                                    "file was removed; it stays live until no document lists it")
                            for doc in listing]
    for key in stale:
        if key not in kept:
            store.delete_document(key)
            report.removed.append(key)


def ingest_into(kb, root: Path) -> IngestReport:
    """A folder ingested into a knowledge base's store, then seen by its next question."""
    report = ingest_folder(root, kb.store, kb.embedder)
    kb.refresh()
    return report
