"""The editors' pages: browse, open, upload (preview, then publish), roll back, content gaps.
They call the same core methods as the documents API and `kb docs`."""

from typing import Annotated, Literal

from fastapi.concurrency import run_in_threadpool
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from assist_api.deps import KB, Editor
from assist_api.documents import read_limited
from assist_api.schemas import MetadataForm
from kb.documents import STATUSES
from kb.errors import DocumentRejected, KBError
from kb.models import CATEGORIES
from ui.templating import templates

router = APIRouter(prefix="/editor", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def documents(request: Request, kb: KB, _: Editor, category: str = "", product: str = "",
              status: str = "", q: str = ""):
    filters = {"category": category or None, "product": product or None,
               "status": status or None, "search": q or None}
    return templates.TemplateResponse(request, "editor_list.html", {
        "documents": kb.documents(**filters), "filters": {"category": category, "product": product,
                                                           "status": status, "q": q},
        "categories": CATEGORIES, "statuses": STATUSES})


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document(request: Request, doc_id: str, kb: KB, _: Editor, notice: str = ""):
    found = kb.document(doc_id)
    originals = {v.meta.version: kb.originals.of_version(v.meta.key) for v in found.versions}
    return templates.TemplateResponse(request, "editor_document.html", {
        "doc": found, "originals": originals, "audit": kb.audit.entries(doc_id),
        "questions": kb.runs.items_citing(doc_id), "notice": notice})


@router.post("/documents/{doc_id}/rollback")
def rollback(doc_id: str, kb: KB, editor: Editor, version: Annotated[int, Form(ge=1)]):
    done = kb.publisher.rollback(doc_id, version, editor.name)
    notice = f"已回滚：版本 {version} 的内容已作为版本 {done.version} 生效"
    return RedirectResponse(f"/editor/documents/{doc_id}?notice={notice}", status_code=303)


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, _: Editor, doc_id: str = ""):
    return templates.TemplateResponse(request, "editor_upload.html", {
        "categories": CATEGORIES, "doc_id": doc_id})


@router.post("/upload/{step}", response_class=HTMLResponse)
async def upload(request: Request, step: Literal["preview", "publish"], kb: KB, editor: Editor, file: Annotated[UploadFile, File()],
                 meta: Annotated[MetadataForm, Form()]):
    """`preview` validates and shows chunks and diff; `publish` does the same checks and writes."""
    data = await read_limited(file, kb.settings.upload_max_bytes)
    context: dict = {"step": step, "problems": [], "preview": None, "published": None}
    try:
        if step == "publish":
            context["published"] = await run_in_threadpool(kb.publisher.publish, file.filename or "", data, meta.model_dump(), editor.name)
        else:
            context["preview"] = await run_in_threadpool(kb.publisher.preview, file.filename or "", data, meta.model_dump())
    except DocumentRejected as rejected:
        context["problems"] = rejected.problems
    except KBError as failed:
        context["problems"] = [{"file": file.filename, "field": "-", "rule": str(failed)}]
    status = 422 if context["problems"] else 200
    return templates.TemplateResponse(request, "_upload_result.html", context, status_code=status)


@router.get("/gaps", response_class=HTMLResponse)
def gaps(request: Request, kb: KB, _: Editor):
    return templates.TemplateResponse(request, "editor_gaps.html", {"gaps": kb.gaps.groups()})
