"""Which document versions exist and which one of each doc_id is in force on a given day."""

import datetime as dt
from functools import lru_cache

from kb.models import DocMeta, SourceDocument


class Catalog:
    def __init__(self, documents: list[SourceDocument]):
        self.by_key = {d.meta.key: d for d in documents}

    def __len__(self) -> int:
        return len(self.by_key)

    def in_force(self, day: dt.date) -> dict[str, SourceDocument]:
        """doc_id → the newest version whose effective window holds `day`."""
        return self._in_force(day)

    @lru_cache(maxsize=64)
    def _in_force(self, day: dt.date) -> dict[str, SourceDocument]:
        current: dict[str, SourceDocument] = {}
        for doc in self.by_key.values():
            held = current.get(doc.meta.doc_id)
            if doc.meta.in_force(day) and (held is None or held.meta.version < doc.meta.version):
                current[doc.meta.doc_id] = doc
        return current

    def live_keys(self, day: dt.date) -> frozenset[str]:
        return frozenset(d.meta.key for d in self.in_force(day).values())

    def aliases(self) -> list[str]:
        return sorted({p for d in self.by_key.values() for p in d.meta.products})

    def meta(self, key: str) -> DocMeta:
        return self.by_key[key].meta

    def cited(self, citations) -> list[DocMeta]:
        """The document versions that citations name, each once, in citation order."""
        keys = dict.fromkeys(f"{c.doc_id}@v{c.version}" for c in citations)
        return [self.meta(key) for key in keys]
