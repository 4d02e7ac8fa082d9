"""The editors' pages: browse, open, upload (preview, then publish), roll back, content gaps.
They call the same core methods as the documents API and `kb docs`."""

import datetime as dt
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse

from assist_api.deps import KB, Editor, override_reason
from assist_api.documents import read_limited
from assist_api.schemas import MetadataForm
from kb.documents import STATUSES
from kb.errors import BadRequest, GateRefused
from kb.models import CATEGORIES
from ui.templating import templates

router = APIRouter(prefix="/editor", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def documents(request: Request, kb: KB, _: Editor, category: str = "", product: str = "",
              status: str = "", q: str = "", in_force_from: str = "", in_force_to: str = ""):
    """Filters arrive as the form's text (an empty field filters nothing); a bad date or window
    is shown above the list, where the editor typed it, not as the API's JSON error."""
    shown = {"category": category, "product": product, "status": status, "q": q,
             "in_force_from": in_force_from, "in_force_to": in_force_to}
    context = {"filters": shown, "categories": CATEGORIES, "statuses": STATUSES, "documents": [],
               "problem": None}
    try:
        context["documents"] = kb.documents(**_list_filters(shown))
    except BadRequest as refused:
        context["problem"] = str(refused)
    return templates.TemplateResponse(request, "editor_list.html", context,
                                      status_code=422 if context["problem"] else 200)


def _list_filters(shown: dict[str, str]) -> dict:
    return {"category": shown["category"] or None, "product": shown["product"] or None,
            "status": shown["status"] or None, "search": shown["q"] or None,
            "in_force_from": _day(shown["in_force_from"], "生效期间起"),
            "in_force_to": _day(shown["in_force_to"], "生效期间止")}


def _day(value: str, label: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise BadRequest(f"{label}应为日期 YYYY-MM-DD，而不是“{value}”") from None


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document(request: Request, doc_id: str, kb: KB, _: Editor, notice: str = ""):
    found = kb.document(doc_id)
    originals = {v.meta.version: kb.originals.of_version(v.meta.key) for v in found.versions}
    return templates.TemplateResponse(request, "editor_document.html", {
        "doc": found, "originals": originals, "audit": kb.history(doc_id),
        "questions": kb.runs.items_citing(doc_id), "notice": notice})


@router.post("/documents/{doc_id}/rollback")
def rollback(doc_id: str, kb: KB, editor: Editor, version: Annotated[int, Form(ge=1)],
             override: Annotated[str, Form(max_length=2000)] = ""):
    try:
        done = kb.publisher.rollback(doc_id, version, editor.name, override_reason(editor, override))
        notice = f"已回滚：版本 {version} 的内容已作为版本 {done.version} 生效"
    except GateRefused as refused:
        broken = "、".join(f.item_id for f in refused.result.failures)
        notice = f"未回滚：评测门禁拒绝，以下原本答对的评测问题会答错：{broken}"
    return RedirectResponse(f"/editor/documents/{doc_id}?notice={quote(notice)}", status_code=303)


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, _: Editor, doc_id: str = ""):
    return templates.TemplateResponse(request, "editor_upload.html", {
        "categories": CATEGORIES, "doc_id": doc_id, "meta": None})


@router.post("/upload/{step}", response_class=HTMLResponse)
async def upload(request: Request, step: Literal["preview", "publish"], kb: KB, editor: Editor,
                 file: Annotated[UploadFile, File()], meta: Annotated[MetadataForm, Form()],
                 override: Annotated[str, Form(max_length=2000)] = ""):
    """`preview` validates, fills the form from the file's metadata and shows chunks, diff and the
    evaluation gate; `publish` does the same checks and writes. A rejected file or a refusing gate
    is shown by the one error renderer (assist_api/errors.py)."""
    reason = override_reason(editor, override)
    data = await read_limited(file, kb.settings.upload_max_bytes)
    context: dict = {"preview": None, "published": None, "categories": CATEGORIES}
    if step == "publish":
        context["published"] = await run_in_threadpool(kb.publisher.publish, file.filename or "", data,
                                                       meta.model_dump(), editor.name, reason)
    else:
        context["preview"] = await run_in_threadpool(kb.publisher.preview, file.filename or "", data, meta.model_dump())
    return templates.TemplateResponse(request, "_upload_result.html", context)


@router.get("/gaps", response_class=HTMLResponse)
def gaps(request: Request, kb: KB, _: Editor):
    return templates.TemplateResponse(request, "editor_gaps.html", {"gaps": kb.gaps.groups()})
