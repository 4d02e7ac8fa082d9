"""Bring a store in line with a folder: embed only what changed, keep history, drop what vanished."""

import time
from dataclasses import dataclass, field
from pathlib import Path

from llama_index.core.ingestion import run_transformations
from llama_index.core.schema import Document

from ingest.chunking import ChunkIds, MarkdownSections, SplitLongSections
from ingest.reader import FolderRead, read_folder
from kb.errors import Problem
from kb.models import SourceDocument
from kb.store import NO_END, NO_START, Store, day_number


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return (f"added {len(self.added)}, updated {len(self.updated)}, unchanged "
                f"{len(self.unchanged)}, removed {len(self.removed)}, rejected files "
                f"{len({p.file for p in self.problems})}; {self.chunks_embedded} chunks embedded "
                f"in {self.seconds:.1f} s")


def doc_nodes(doc: SourceDocument) -> list:
    """The chunks of one document, with ids and metadata, not yet embedded."""
    meta = doc.meta
    metadata = {"doc_id": meta.doc_id, "version": meta.version, "title": meta.title,
                "category": meta.category,
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
        if meta.key in folder_keys or doc.source in folder.rejected_files:
            continue
        if meta.version < newest.get(meta.doc_id, 0):
            continue
        stale.append(meta.key)
    return stale


def still_listed(stale: list[str], folder: FolderRead, stored: list[SourceDocument]) -> dict[str, list]:
    """Stale disclosure versions that a document staying live still lists: removing them would
    send answers out without their mandatory disclosure."""
    staying = {d.meta.key: d for d in stored if d.meta.key not in stale}
    staying.update({d.meta.key: d for d in folder.documents})
    by_key = {d.meta.key: d for d in stored}
    kept = {}
    for key in stale:
        doc_id = by_key[key].meta.doc_id
        if by_key[key].meta.category == "disclosure" and not any(
                d.meta.doc_id == doc_id for k, d in staying.items()):
            listing = [d for d in staying.values() if doc_id in d.meta.disclosures]
            if listing:
                kept[key] = listing
    return kept


def ingest_folder(root: Path, store: Store, embedder) -> IngestReport:
    started = time.perf_counter()
    stored = store.document_records()
    known = {d.meta.doc_id for d in stored if d.meta.category == "disclosure"}
    folder = read_folder(root, known)
    hashes = {d.meta.key: d.content_hash for d in stored}
    sources = {d.meta.key: d.source for d in stored}
    report = IngestReport(problems=list(folder.problems))
    changed = []
    for doc in folder.documents:
        if hashes.get(doc.meta.key) == doc.content_hash:
            report.unchanged.append(doc.meta.key)
            if sources.get(doc.meta.key) != doc.source:
                store.move_document(doc.meta.key, doc.source)
        else:
            (report.updated if doc.meta.key in hashes else report.added).append(doc.meta.key)
            changed.append(doc)
    if changed:
        store.chunks(embedder.id)
        nodes_by_doc = [doc_nodes(doc) for doc in changed]
        embedded = embedder.component([n for nodes in nodes_by_doc for n in nodes])
        report.chunks_embedded = len(embedded)
        for doc, nodes in zip(changed, nodes_by_doc):
            store.put_document(doc, nodes, embedder.id)
    stale = stale_keys(folder, stored)
    kept = still_listed(stale, folder, stored)
    for key, listing in kept.items():
        report.problems += [Problem(doc.source, "disclosures", f"lists '{key.split('@')[0]}', whose file "
                                    "was removed; it stays live until no document lists it") for doc in listing]
    for key in stale:
        if key not in kept:
            store.delete_document(key)
            report.removed.append(key)
    report.seconds = time.perf_counter() - started
    return report
