"""Admins' page of users: who may do what, and off-boarding in one click (disable, enable, a new
role, a new API token, remove). The page calls the same core methods as /api/users and
`kb users ...`, and each change goes into the audit log."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from assist_api.deps import KB, Admin
from kb.errors import BadRequest, KBError
from kb.users import ROLES
from ui.templating import templates

router = APIRouter(prefix="/admin/users", include_in_schema=False)
CHANGES = ("disable", "enable", "role", "token", "remove")


@router.get("", response_class=HTMLResponse)
def users_page(request: Request, kb: KB, _: Admin, notice: str = "", token: str = ""):
    return templates.TemplateResponse(request, "admin_users.html", {
        "users": kb.users.list(), "roles": ROLES, "notice": notice[:200], "token": token[:100]})


@router.post("/{name}/{change}", response_class=HTMLResponse)
def change_user(request: Request, name: str, change: str, kb: KB, admin: Admin,
                role: Annotated[str, Form(max_length=16)] = ""):
    """One change, then the page again with what was done (a new token is shown once)."""
    try:
        token = _apply(kb, name, change, role, admin.name)
    except KBError as refused:
        return templates.TemplateResponse(request, "admin_users.html", {
            "users": kb.users.list(), "roles": ROLES, "notice": str(refused), "token": ""}, status_code=422)
    if token:  # shown on this page only, never put in a URL
        return templates.TemplateResponse(request, "admin_users.html", {
            "users": kb.users.list(), "roles": ROLES, "notice": f"{name} 的新 API 令牌（只显示这一次）",
            "token": token})
    return RedirectResponse(f"/admin/users?notice={name}+{change}", status_code=303)


def _apply(kb, name: str, change: str, role: str, by: str) -> str | None:
    if change not in CHANGES:
        raise BadRequest(f"unknown change {change!r}; one of {', '.join(CHANGES)}")
    if change == "token":
        return kb.users.new_token(name, by=by)
    if change == "role":
        kb.users.set_role(name, role, by=by)
    else:
        getattr(kb.users, change)(name, by=by)
    return None
