"""The core's errors as HTTP answers: a clear JSON message, never a stack trace; the pages add
their own rendering for a browser (ui/errors.py)."""

from collections.abc import Callable
from dataclasses import asdict

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kb.errors import (
    BadRequest,
    DocumentRejected,
    Forbidden,
    GateRefused,
    KBError,
    NotFound,
    StoreMismatch,
    TooLarge,
    TooManyAttempts,
    Unauthorized,
)


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


def install(app: FastAPI, page: Callable[[Request, int, str, Exception], Response | None] | None = None) -> None:
    """One renderer of every error: JSON for the API; `page(request, status, message, error)`,
    given by the pages (ui/errors.py), answers a browser or htmx instead when it returns a response
    (datasette's handle_exception, by what the caller accepts)."""

    def answered(request: Request, status: int, message: str, error: Exception, as_json) -> Response:
        shown = page(request, status, message, error) if page else None
        return shown if shown is not None else as_json()

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        message = "；".join(_field_problem(e) for e in exc.errors())
        return answered(request, 422, message, exc, lambda: JSONResponse(validation_body(exc), status_code=422))

    @app.exception_handler(KBError)
    async def kb_error(request: Request, exc: KBError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
        return answered(request, status_of(exc), str(exc), exc,
                        lambda: JSONResponse(error_body(exc), status_code=status_of(exc), headers=headers))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return answered(request, exc.status_code, str(exc.detail), exc,
                        lambda: JSONResponse({"detail": exc.detail}, status_code=exc.status_code))


def _field_problem(error: dict) -> str:
    where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "请求"
    return f"{where}: {error.get('msg', '')}"
