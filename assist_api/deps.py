"""What routes need, taken from the app's state (built once, at start-up), and who is asking.

Every route states the permission it needs with one of the `Asker`, `Editor`, `Evaluator` or
`Admin` dependencies (or none, for the few public routes). Callers prove who they are with a
bearer token (the API) or a sign-in cookie (the pages); a request carried by the cookie that
changes something must also carry the sign-in's CSRF token, because a browser sends cookies
along with requests that other sites make it send.
"""

import hmac
from typing import Annotated
from urllib.parse import urlparse

from fastapi import Depends, Path, Query, Request

from application import Application
from assist_api.live import CallStreams
from assist_api.metrics import Metrics
from kb.errors import Forbidden, NotFound, Unauthorized
from kb.users import LOCAL, Principal

SESSION_COOKIE = "kb_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def get_kb(request: Request) -> Application:
    return request.app.state.kb


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


KB = Annotated[Application, Depends(get_kb)]

# A database row number in a path or query: 1 to 2^63 - 1, so that an out-of-range number is
# a 422 naming the parameter, not an overflow in the database driver.
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
RowIdQuery = Annotated[int, Query(ge=1, le=MAX_ROW_ID)]
AppMetrics = Annotated[Metrics, Depends(get_metrics)]


def identify(request: Request, kb: Application) -> Principal | None:
    """The caller, from a bearer token or a sign-in cookie; LOCAL when no users exist. The
    sign-in's CSRF token is kept on the request for the pages' forms."""
    if not kb.users.any():
        return LOCAL
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        return kb.users.by_token(token.strip())
    secret = request.cookies.get(SESSION_COOKIE)
    signed_in = kb.users.session(secret) if secret else None
    if signed_in is None:
        return None
    principal, request.state.csrf = signed_in
    request.state.via_cookie = True
    return principal


def permission(name: str):
    """A dependency that lets through callers whose role allows `name`: 401 for an unknown
    caller, 403 for a known one without the right."""

    async def check(request: Request, kb: KB) -> Principal:
        principal = identify(request, kb)
        if principal is None:
            raise Unauthorized("sign in, or send an API token as 'Authorization: Bearer TOKEN'")
        if not principal.can(name):
            raise Forbidden(f"the {principal.role} role may not do this (it needs '{name}')")
        if request.method not in _SAFE_METHODS:
            await _check_forgery(request, principal)
        request.state.principal = principal
        return principal

    return Depends(check)


async def _check_forgery(request: Request, principal: Principal) -> None:
    """Cookie-carried changes need the sign-in's CSRF token; in local mode (no sign-in, no
    token) a change must at least come from this server's own pages."""
    if getattr(request.state, "via_cookie", False):
        sent = request.headers.get(CSRF_HEADER) or await _form_field(request, CSRF_FIELD)
        if not sent or not hmac.compare_digest(sent, request.state.csrf):
            raise Forbidden("the form is stale or was not sent from this site (CSRF token missing or wrong); reload the page")
    elif principal.local:
        origin = request.headers.get("origin")
        if origin and urlparse(origin).netloc != request.headers.get("host"):
            raise Forbidden("a change from another site's page is refused")


async def _form_field(request: Request, name: str) -> str | None:
    if not request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    value = (await request.form()).get(name)
    return value if isinstance(value, str) else None


def override_reason(principal: Principal, reason: str) -> str:
    """A written reason to publish past the evaluation gate, from someone allowed to give one."""
    if reason.strip() and not principal.can("override"):
        raise Forbidden(f"the {principal.role} role may not override the evaluation gate (it needs 'override')")
    return reason


Asker = Annotated[Principal, permission("ask")]
Editor = Annotated[Principal, permission("documents")]
Evaluator = Annotated[Principal, permission("evaluations")]
Admin = Annotated[Principal, permission("users")]
Transcriber = Annotated[Principal, permission("transcribe")]


def get_streams(request: Request) -> CallStreams:
    return request.app.state.streams


Streams = Annotated[CallStreams, Depends(get_streams)]


def readable_call(kb: Application, principal: Principal, call_id: str) -> None:
    """Quality staff and admins read every call; an agent only their own (a 404, so that an
    agent cannot learn which call ids exist)."""
    row = kb.calls.records.call(call_id)
    if not principal.can("calls") and row.agent != principal.name:
        raise NotFound(f"no call with id '{call_id}'")
