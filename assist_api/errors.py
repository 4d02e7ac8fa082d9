"""The core's errors as HTTP answers: a clear JSON message, never a stack trace."""

from dataclasses import asdict
from urllib.parse import quote, urlparse

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kb.errors import (BadRequest, DocumentRejected, Forbidden, GateRefused, KBError, NotFound,
                       StoreMismatch, TooLarge, TooManyAttempts, Unauthorized)


def error_body(exc: KBError) -> dict:
    body = {"detail": [{"type": type(exc).__name__, "loc": ["body"], "msg": str(exc)}]}
    if isinstance(exc, DocumentRejected):
        body["errors"] = [vars(p) for p in exc.problems]
    if isinstance(exc, GateRefused):
        body["gate"] = asdict(exc.result)
    return body


def status_of(exc: KBError) -> int:
    if isinstance(exc, (BadRequest, DocumentRejected)):
        return 422
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Unauthorized):
        return 401
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, (StoreMismatch, GateRefused)):
        return 409
    if isinstance(exc, TooLarge):
        return 413
    if isinstance(exc, TooManyAttempts):
        return 429
    return 503


def validation_body(exc: RequestValidationError) -> dict:
    """FastAPI's 422 body without the `input` it would echo: a refused question may hold
    personal data, which is never sent back."""
    return {"detail": [{k: v for k, v in e.items() if k not in ("input", "ctx", "url")}
                       for e in exc.errors()]}


TITLES = {400: "请求有误", 401: "请先登录", 403: "没有权限", 404: "找不到", 409: "与现有内容冲突",
          413: "内容太大", 422: "输入有误", 429: "尝试次数过多", 503: "暂时无法处理"}


def install(app: FastAPI) -> None:
    """One renderer of every error: JSON for the API, a piece of the page for htmx, a page in the
    site's layout for a browser (datasette's handle_exception, by what the caller accepts)."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        message = "；".join(_field_problem(e) for e in exc.errors())
        return _rendered(request, 422, message, lambda: JSONResponse(validation_body(exc), status_code=422))

    @app.exception_handler(KBError)
    async def kb_error(request: Request, exc: KBError) -> Response:
        if isinstance(exc, Unauthorized) and _is_page(request):
            return _to_sign_in(request)
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
        return _rendered(request, status_of(exc), str(exc),
                         lambda: JSONResponse(error_body(exc), status_code=status_of(exc), headers=headers),
                         problems=getattr(exc, "problems", None), gate=getattr(exc, "result", None))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _rendered(request, exc.status_code, str(exc.detail),
                         lambda: JSONResponse({"detail": exc.detail}, status_code=exc.status_code))


def _rendered(request: Request, status: int, message: str, as_json, problems=None, gate=None) -> Response:
    """`problems`: the rules a rejected document breaks, shown as a table; `gate`: the evaluation
    gate's refusal, shown with what it would break."""
    from ui.messages import in_chinese
    from ui.templating import templates  # the pages' templates: the API itself needs none

    context = {"status": status, "title": TITLES.get(status, "出错了"), "message": in_chinese(message),
               "back": _back(request), "problems": problems, "gate": gate}
    if "HX-Request" in request.headers:
        return templates.TemplateResponse(request, "_error.html", context, status_code=status)
    if "text/html" in request.headers.get("accept", ""):
        return templates.TemplateResponse(request, "error.html", context, status_code=status)
    return as_json()


def _field_problem(error: dict) -> str:
    where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "请求"
    return f"{where}: {error.get('msg', '')}"


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
