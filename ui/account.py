"""Sign-in and sign-out for the pages. The sign-in form is itself guarded against forgery by a
double-submit token (a cookie and a form field that must match), since no session exists yet."""

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from assist_api.deps import KB, SESSION_COOKIE
from kb.errors import TooManyAttempts
from ui.templating import templates

router = APIRouter(include_in_schema=False)
SIGNIN_CSRF_COOKIE = "kb_signin_csrf"


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, kb: KB, next: str = "/", expired: str = ""):
    token = secrets.token_urlsafe(24)
    page = templates.TemplateResponse(request, "signin.html", {
        "next": _local(next), "signin_csrf": token, "local_mode": not kb.users.any(), "error": None,
        "expired": bool(expired)})
    page.set_cookie(SIGNIN_CSRF_COOKIE, token, httponly=True, samesite="strict")
    return page


@router.post("/signin", response_class=HTMLResponse)
def signin(request: Request, kb: KB, name: Annotated[str, Form(max_length=64)],
           password: Annotated[str, Form(max_length=200)],
           signin_csrf: Annotated[str, Form(max_length=100)], next: Annotated[str, Form()] = "/"):
    expected = request.cookies.get(SIGNIN_CSRF_COOKIE, "")
    address = request.client.host if request.client else "unknown"
    try:
        principal = kb.sign_in(name, password, address) if expected and hmac.compare_digest(expected, signin_csrf) else None
    except TooManyAttempts as refused:
        return _signin_again(request, next, expected, f"登录失败次数过多，请稍后再试（{refused}）", 429)
    if principal is None:
        return _signin_again(request, next, expected, "用户名或密码不正确（或页面已过期，请刷新后重试）", 401)
    secret, _ = kb.users.start_session(principal.name, kb.settings.signin_minutes)
    done = RedirectResponse(_local(next), status_code=303)
    done.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="lax",
                    secure=kb.settings.secure_cookies or request.url.scheme == "https",
                    max_age=int(kb.settings.signin_minutes * 60))
    done.delete_cookie(SIGNIN_CSRF_COOKIE)
    return done


def _signin_again(request: Request, next: str, token: str, error: str, status: int):
    return templates.TemplateResponse(request, "signin.html", {
        "next": _local(next), "signin_csrf": token, "local_mode": False, "error": error}, status_code=status)


@router.post("/signout")
def signout(request: Request, kb: KB):
    """Ending one's own sign-in needs no token: the worst a forged request can do is sign out."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        kb.users.end_session(secret)
    done = RedirectResponse("/signin", status_code=303)
    done.delete_cookie(SESSION_COOKIE)
    return done


def _local(target: str) -> str:
    """Only a path on this site: a sign-in link must not send the user elsewhere afterwards."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"
