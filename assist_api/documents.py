"""The documents API for editors: the same core methods as `kb docs list` and `kb docs show`."""

import datetime as dt

from fastapi import APIRouter

from assist_api.deps import KB
from kb.documents import DocumentDetail, DocumentSummary

router = APIRouter(prefix="/api/documents", tags=["documents"])


@router.get("", summary="Documents, filtered by category, product, status or text")
def list_documents(kb: KB, category: str | None = None, product: str | None = None,
                   status: str | None = None, q: str | None = None,
                   as_of: dt.date | None = None) -> list[DocumentSummary]:
    return kb.documents(as_of, category=category, product=product, status=status, search=q)


@router.get("/{doc_id}", summary="A document's versions, their status and chunks")
def show_document(doc_id: str, kb: KB, as_of: dt.date | None = None) -> DocumentDetail:
    return kb.document(doc_id, as_of)
