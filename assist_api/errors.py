"""The core's errors as HTTP answers: a clear JSON message, never a stack trace."""

from dataclasses import asdict
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response

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


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_body(exc), status_code=422)

    @app.exception_handler(KBError)
    async def kb_error(request: Request, exc: KBError) -> Response:
        if isinstance(exc, Unauthorized) and _is_page(request):
            return _to_sign_in(request)
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
        return JSONResponse(error_body(exc), status_code=status_of(exc), headers=headers)


def _is_page(request: Request) -> bool:
    """A browser asking for a page (or htmx for a piece of one), not an API client."""
    return "HX-Request" in request.headers or "text/html" in request.headers.get("accept", "")


def _to_sign_in(request: Request) -> Response:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = "/signin?next=" + quote(here if request.method == "GET" else "/")
    if "HX-Request" in request.headers:
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
