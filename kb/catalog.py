"""Which document versions exist and which one of each doc_id is in force on a given day."""

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from kb.models import Citation, DocMeta, SourceDocument


class Catalog:
    def __init__(self, documents: list[SourceDocument]):
        self.by_key = {d.meta.key: d for d in documents}

    def __len__(self) -> int:
        return len(self.by_key)

    def in_force(self, day: dt.date) -> dict[str, SourceDocument]:
        """doc_id → the version in force: the newest version that has begun by `day`, if its
        window has not ended (a version whose window ended retires its document; an older
        version does not come back)."""
        return self._in_force(day)

    @lru_cache(maxsize=64)  # noqa: B019 (one catalog per index, dropped with it)
    def _in_force(self, day: dt.date) -> dict[str, SourceDocument]:
        begun: dict[str, SourceDocument] = {}
        for doc in self.by_key.values():
            held = begun.get(doc.meta.doc_id)
            started = doc.meta.effective_from is None or doc.meta.effective_from <= day
            if started and (held is None or held.meta.version < doc.meta.version):
                begun[doc.meta.doc_id] = doc
        return {doc_id: doc for doc_id, doc in begun.items() if doc.meta.in_force(day)}

    @lru_cache(maxsize=64)  # noqa: B019 (one catalog per index, dropped with it)
    def in_force_of(self, day: dt.date, category: str) -> tuple[SourceDocument, ...]:
        """The versions in force of one category's documents (every question looks for its
        script among them: a scan of every document in force grows with the base)."""
        return tuple(d for d in self.in_force(day).values() if d.meta.category == category)

    def earlier(self, doc: SourceDocument) -> list[SourceDocument]:
        """The earlier versions of a document, newest first."""
        return [d for d in self._versions().get(doc.meta.doc_id, ()) if d.meta.version < doc.meta.version]

    @lru_cache(maxsize=1)  # noqa: B019 (one catalog per index, dropped with it)
    def _versions(self) -> dict[str, tuple[SourceDocument, ...]]:
        """doc_id → its versions, newest first."""
        versions: dict[str, list[SourceDocument]] = {}
        for doc in self.by_key.values():
            versions.setdefault(doc.meta.doc_id, []).append(doc)
        return {doc_id: tuple(sorted(found, key=lambda d: d.meta.version, reverse=True))
                for doc_id, found in versions.items()}

    def live_keys(self, day: dt.date) -> frozenset[str]:
        return frozenset(d.meta.key for d in self.in_force(day).values())

    def aliases(self) -> list[str]:
        return sorted({p for d in self.by_key.values() for p in d.meta.products})

    def meta(self, key: str) -> DocMeta:
        return self.by_key[key].meta

    def cited(self, citations: Iterable[Citation]) -> list[DocMeta]:
        """The document versions that citations name, each once, in citation order."""
        keys = dict.fromkeys(f"{c.doc_id}@v{c.version}" for c in citations)
        return [self.meta(key) for key in keys]
