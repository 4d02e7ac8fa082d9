"""The editors' view of the knowledge base: documents, their versions and each version's status.

A version is `live` when it is the one answering on the day, `scheduled` when its window has not
begun, `superseded` when a newer version of its doc_id has taken over, `retired` when its window
has ended and nothing replaced it.

The list can also be narrowed to the versions in force at some point between two days (either
end open): an editor planning a change sees what answers during the weeks it touches, older and
scheduled versions included, whatever their status today.
"""

import datetime as dt
from typing import Any

from pydantic import BaseModel

from kb.catalog import Catalog
from kb.errors import BadRequest
from kb.models import DocMeta, SourceDocument
from kb.text import normalize

STATUSES = ("live", "scheduled", "superseded", "retired")
ONE_DAY = dt.timedelta(days=1)


class VersionInfo(BaseModel):
    meta: DocMeta
    status: str
    source: str
    content_hash: str


class ChunkView(BaseModel):
    id: str
    section: str
    text: str


class DocumentSummary(BaseModel):
    doc_id: str
    title: str
    category: str
    products: list[str]
    version: int
    status: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    versions: int


class DocumentDetail(BaseModel):
    doc_id: str
    current: VersionInfo
    versions: list[VersionInfo]
    chunks: dict[int, list[ChunkView]]


def status_of(meta: DocMeta, catalog: Catalog, day: dt.date) -> str:
    live = catalog.in_force(day).get(meta.doc_id)
    if live is not None and live.meta.version == meta.version:
        return "live"
    if meta.effective_from is not None and meta.effective_from > day:
        return "scheduled"
    if live is not None and live.meta.version > meta.version:
        return "superseded"
    if meta.effective_to is not None and meta.effective_to < day:
        newer = [d for d in _versions(catalog, meta.doc_id) if d.meta.version > meta.version]
        return "superseded" if newer else "retired"
    return "superseded"


def current_version(doc_id: str, catalog: Catalog, day: dt.date) -> SourceDocument:
    """The live version, else the newest one."""
    live = catalog.in_force(day).get(doc_id)
    return live or _versions(catalog, doc_id)[-1]


def summaries(catalog: Catalog, day: dt.date, category: str | None = None, product: str | None = None,
              status: str | None = None, search: str | None = None,
              in_force_from: dt.date | None = None, in_force_to: dt.date | None = None) -> list[DocumentSummary]:
    """One line per doc_id (its current version); with a `status` or an in-force window, one per
    version (superseded and scheduled versions are not current, yet they are what an editor
    looks for). `search` looks in titles and bodies."""
    window = _window(in_force_from, in_force_to)
    if status or window:
        docs = sorted(catalog.by_key.values(), key=lambda d: (d.meta.doc_id, d.meta.version))
    else:
        docs = [current_version(i, catalog, day) for i in sorted({d.meta.doc_id for d in catalog.by_key.values()})]
    if window:
        docs = [d for d in docs if _overlaps(in_force_span(d, catalog), window)]
    rows = [(_summary(doc, catalog, day), doc) for doc in docs]
    return [row for row, doc in rows if _wanted(row, doc, category, product, status, search)]


def in_force_span(doc: SourceDocument, catalog: Catalog) -> tuple[dt.date, dt.date] | None:
    """The first and last day a version answers, which its metadata alone does not tell: a newer
    version beginning cuts it short (as `Catalog.in_force` decides); None if it never answers.
    Open ends are `date.min` and `date.max`."""
    start = doc.meta.effective_from or dt.date.min
    end = doc.meta.effective_to or dt.date.max
    newer = [d.meta.effective_from or dt.date.min for d in _versions(catalog, doc.meta.doc_id)
             if d.meta.version > doc.meta.version]
    if dt.date.min in newer:  # a newer version in force from the first day hides this one
        return None
    if newer:
        end = min(end, min(newer) - ONE_DAY)
    return (start, end) if start <= end else None


def _window(first: dt.date | None, last: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """Both ends inclusive; None when no end is given (no window filter at all)."""
    if first is None and last is None:
        return None
    if first and last and first > last:
        raise BadRequest(f"in_force_from ({first}) is after in_force_to ({last})")
    return first or dt.date.min, last or dt.date.max


def _overlaps(span: tuple[dt.date, dt.date] | None, window: tuple[dt.date, dt.date]) -> bool:
    return span is not None and span[0] <= window[1] and window[0] <= span[1]


def detail(doc_id: str, catalog: Catalog, chunks: Any, day: dt.date) -> DocumentDetail | None:
    versions = _versions(catalog, doc_id)
    if not versions:
        return None
    infos = [_info(d, catalog, day) for d in versions]
    by_version = {d.meta.version: [ChunkView(id=c.id, section=c.meta["section"], text=c.text)
                                   for c in sorted(chunks, key=lambda c: c.number)
                                   if c.meta["doc_key"] == d.meta.key] for d in versions}
    current = current_version(doc_id, catalog, day)
    return DocumentDetail(doc_id=doc_id, current=_info(current, catalog, day), versions=infos,
                          chunks=by_version)


def _versions(catalog: Catalog, doc_id: str) -> list[SourceDocument]:
    return sorted((d for d in catalog.by_key.values() if d.meta.doc_id == doc_id),
                  key=lambda d: d.meta.version)


def _info(doc: SourceDocument, catalog: Catalog, day: dt.date) -> VersionInfo:
    return VersionInfo(meta=doc.meta, status=status_of(doc.meta, catalog, day), source=doc.source,
                       content_hash=doc.content_hash)


def _summary(doc: SourceDocument, catalog: Catalog, day: dt.date) -> DocumentSummary:
    meta = doc.meta
    return DocumentSummary(doc_id=meta.doc_id, title=meta.title, category=meta.category,
                           products=meta.products, version=meta.version,
                           status=status_of(meta, catalog, day), effective_from=meta.effective_from,
                           effective_to=meta.effective_to,
                           versions=len(_versions(catalog, meta.doc_id)))


def _wanted(row: DocumentSummary, doc: SourceDocument, category: str | None, product: str | None,
            status: str | None, search: str | None) -> bool:
    if category and row.category != category:
        return False
    if status and row.status != status:
        return False
    if product and normalize(product) not in {normalize(p) for p in row.products}:
        return False
    return not search or normalize(search) in normalize(f"{row.title}\n{doc.body}")
