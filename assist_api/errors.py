"""The core's errors as HTTP answers: a clear JSON message, never a stack trace."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from kb.errors import BadRequest, DocumentRejected, KBError, NotFound, StoreMismatch


def error_body(exc: KBError) -> dict:
    body = {"detail": [{"type": type(exc).__name__, "loc": ["body"], "msg": str(exc)}]}
    if isinstance(exc, DocumentRejected):
        body["errors"] = [vars(p) for p in exc.problems]
    return body


def status_of(exc: KBError) -> int:
    if isinstance(exc, (BadRequest, DocumentRejected)):
        return 422
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, StoreMismatch):
        return 409
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
    async def kb_error(request: Request, exc: KBError) -> JSONResponse:
        return JSONResponse(error_body(exc), status_code=status_of(exc))
