"""Errors as a browser reads them: a piece of the page for htmx (a turn in the panel, an upload's
problems or the gate's refusal), a Chinese page in the site's layout for a browser, the way back to
sign in when a sign-in ran out. The API's JSON (assist_api/errors.py) answers everyone else."""

from urllib.parse import quote, urlparse

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from kb.errors import Unauthorized
from ui.messages import in_chinese
from ui.templating import templates

TITLES = {400: "请求有误", 401: "请先登录", 403: "没有权限", 404: "找不到", 409: "与现有内容冲突",
          413: "内容太大", 422: "输入有误", 429: "尝试次数过多", 503: "暂时无法处理"}


def page_for(request: Request, status: int, message: str, error: Exception) -> Response | None:
    """The page or fragment of an error, or None when the caller is not a browser."""
    if isinstance(error, Unauthorized) and _is_page(request):
        return _to_sign_in(request)
    context = {"status": status, "title": TITLES.get(status, "出错了"), "message": in_chinese(message),
               "back": _back(request), "problems": getattr(error, "problems", None),
               "gate": getattr(error, "result", None)}
    if "HX-Request" in request.headers:
        return templates.TemplateResponse(request, "_error.html", context, status_code=status)
    if "text/html" in request.headers.get("accept", ""):
        return templates.TemplateResponse(request, "error.html", context, status_code=status)
    return None


def _back(request: Request) -> str:
    """Where the error page's link goes: the page of this site the browser came from, else home."""
    referer = urlparse(request.headers.get("referer", ""))
    same_site = referer.netloc == request.headers.get("host") and referer.path.startswith("/")
    return referer.path if same_site and referer.path != request.url.path else "/"


def _is_page(request: Request) -> bool:
    """A browser asking for a page (or htmx for a piece of one), not an API client."""
    return "HX-Request" in request.headers or "text/html" in request.headers.get("accept", "")


def _to_sign_in(request: Request) -> Response:
    """Back to this page after signing in; `expired` tells the sign-in page the session ran out."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = "/signin?next=" + quote(here if request.method == "GET" else "/")
    if request.cookies.get("kb_session"):
        target += "&expired=1"
    if "HX-Request" in request.headers:
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
