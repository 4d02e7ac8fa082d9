"""The documents API for editors: the same core methods as `kb docs ...` and the editors' pages."""

import datetime as dt
from dataclasses import asdict
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from assist_api.deps import KB, Editor, RowId, override_reason
from assist_api.schemas import OVERRIDE_HELP, MetadataForm, PreviewView, PublishedView, RetireRequest, RollbackRequest
from ingest.publishing import Preview, Published
from kb.audit import Change
from kb.documents import DocumentDetail, DocumentSummary

router = APIRouter(prefix="/api/documents", tags=["documents"])
Upload = Annotated[UploadFile, File(description="md, txt, docx, pdf or html")]
Metadata = Annotated[MetadataForm, Form()]
IN_FORCE_HELP = ("YYYY-MM-DD, inclusive: keep the versions in force on at least one day between "
                 "in_force_from and in_force_to (either may be left out; the same day for both: "
                 "in force on that day)")
Override = Annotated[str, Form(max_length=2000, description=OVERRIDE_HELP)]


@router.get("", summary="Documents, filtered by category, product, status, text or the days they are in force",
            responses={422: {"description": "an unknown status, a date that is not YYYY-MM-DD, or "
                                            "in_force_from after in_force_to"}})
def list_documents(kb: KB, _: Editor, category: str | None = None, product: str | None = None,
                   status: str | None = None, q: str | None = None,
                   as_of: dt.date | None = None,
                   in_force_from: Annotated[dt.date | None, Query(description=IN_FORCE_HELP)] = None,
                   in_force_to: Annotated[dt.date | None, Query(description=IN_FORCE_HELP)] = None,
                   ) -> list[DocumentSummary]:
    """With an in-force window, one row per version that answers on at least one of its days
    (older and scheduled versions too); `as_of` only sets the day each status is given for."""
    return kb.documents(as_of, category=category, product=product, status=status, search=q,
                        in_force_from=in_force_from, in_force_to=in_force_to)


@router.post("", status_code=201, summary="Upload and publish a document or a new version",
             responses={422: {"description": '{"errors": [{"file", "field", "rule"}]}'},
                        409: {"description": 'refused by the evaluation gate: {"gate": {"failures": [...]}}'}})
async def publish(kb: KB, editor: Editor, file: Upload, meta: Metadata, override: Override = "") -> PublishedView:
    reason = override_reason(editor, override)
    data = await read_limited(file, kb.settings.upload_max_bytes)
    return published_view(await run_in_threadpool(kb.publisher.publish, file.filename or "", data,
                                                   meta.model_dump(), editor.name, reason))


@router.post("/preview", summary="Validate an upload and show its chunks and diff; nothing is stored")
async def preview(kb: KB, _: Editor, file: Upload, meta: Metadata) -> PreviewView:
    data = await read_limited(file, kb.settings.upload_max_bytes)
    return preview_view(await run_in_threadpool(kb.publisher.preview, file.filename or "", data, meta.model_dump()))


@router.get("/{doc_id}", summary="A document's versions, their status and chunks")
def show_document(doc_id: str, kb: KB, _: Editor, as_of: dt.date | None = None) -> DocumentDetail:
    return kb.document(doc_id, as_of)


@router.post("/{doc_id}/rollback", summary="Make an earlier version's content live again")
def rollback(doc_id: str, body: RollbackRequest, kb: KB, editor: Editor) -> PublishedView:
    reason = override_reason(editor, body.override_reason)
    return published_view(kb.publisher.rollback(doc_id, body.version, editor.name, reason))


@router.post("/{doc_id}/retire", summary="Stop the document answering after a day")
def retire(doc_id: str, body: RetireRequest, kb: KB, editor: Editor) -> PublishedView:
    reason = override_reason(editor, body.override_reason)
    return published_view(kb.publisher.retire(doc_id, body.last_day, editor.name, reason))


@router.get("/{doc_id}/versions/{version}/original", summary="The uploaded file of a version")
def original(doc_id: str, version: RowId, kb: KB, _: Editor) -> Response:
    record, data = kb.originals.read(f"{doc_id}@v{version}")
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(record.filename)}"})


@router.get("/{doc_id}/audit", summary="Who changed the document, when, from which content to which")
def audit(doc_id: str, kb: KB, _: Editor) -> list[Change]:
    return kb.history(doc_id)


async def read_limited(file: UploadFile, limit: int) -> bytes:
    """At most one byte over the limit is read: enough for the core to refuse it by size."""
    return await file.read(limit + 1)


def published_view(published: Published) -> PublishedView:
    return PublishedView(**{k: getattr(published, k) for k in PublishedView.model_fields})


def preview_view(preview: Preview) -> PreviewView:
    meta = preview.document.meta
    return PreviewView(doc_id=meta.doc_id, version=meta.version, title=meta.title, category=meta.category,
                       status=preview.status, unchanged=preview.unchanged, diff=preview.diff,
                       chunks=[{"section": s, "text": t} for s, t in preview.chunks],
                       gate=asdict(preview.gate) if preview.gate else None)
