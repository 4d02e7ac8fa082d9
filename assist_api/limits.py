"""Request bodies are bounded per route before anything reads them, and an upload is read only
for a caller who proved who they are: a 200 MB body sent to /assist without a token was read
whole (about 550 MB of memory) before the 401.
"""

from starlette.requests import Request
from starlette.responses import JSONResponse

from assist_api.deps import identify
from assist_api.errors import error_body, status_of
from kb.errors import KBError, TooLarge, Unauthorized

JSON_LIMIT = 64 * 1024          # a question, a draft, feedback: far below this
MULTIPART_MARGIN = 64 * 1024    # form fields and boundaries around an uploaded file
UPLOADS = ("/api/documents", "/editor/upload", "/api/evaluations/jobs", "/evaluations/jobs")
_READS_NOTHING = ("GET", "HEAD", "OPTIONS")


class BodyLimits:
    """Pure ASGI middleware: a body over its route's limit gets 413 from its Content-Length, or,
    sent without one, once the limit is passed; an upload from an unknown caller gets 401
    before a byte of it is read."""

    def __init__(self, app, knowledge):
        self.app, self.knowledge = app, knowledge

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in _READS_NOTHING:
            return await self.app(scope, receive, send)
        path = scope["path"]
        upload = path.startswith(UPLOADS)
        limit = self.knowledge.settings.upload_max_bytes + MULTIPART_MARGIN if upload else JSON_LIMIT
        try:
            if upload and identify(Request(scope), self.knowledge) is None:
                raise Unauthorized("sign in, or send an API token as 'Authorization: Bearer TOKEN'")
            declared = dict(scope["headers"]).get(b"content-length")
            if declared is None:  # sent in chunks: read up to the limit here, then hand it on
                receive = await _buffered(receive, limit)
            elif not declared.isdigit() or int(declared) > limit:
                raise _too_large(limit)
        except KBError as error:
            return await _refuse(error, scope, receive, send)
        await self.app(scope, receive, send)


def _too_large(limit: int) -> TooLarge:
    return TooLarge(f"the request body is over this route's limit of {limit} bytes")


async def _buffered(receive, limit: int):
    """A body sent without its length, read here and refused as soon as it passes the limit;
    the app then reads it from memory."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return receive
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > limit:
            raise _too_large(limit)
        if not message.get("more_body", False):
            break
    body, sent = b"".join(chunks), False

    async def replay():
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _refuse(error: KBError, scope, receive, send) -> None:
    headers = {"Connection": "close"}
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    response = JSONResponse(error_body(error), status_code=status_of(error), headers=headers)
    await response(scope, receive, send)
