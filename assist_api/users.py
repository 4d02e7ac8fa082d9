"""Users and their API tokens, for admins: the same core methods as `kb users ...`."""

from fastapi import APIRouter

from assist_api.deps import KB, Admin
from assist_api.schemas import NewPassword, NewRole, NewUser, UserToken

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get("", summary="Users and their roles (never their secrets)")
def list_users(kb: KB, _: Admin) -> list[dict]:
    return kb.users.list()


@router.post("", status_code=201, summary="Add a user; the answer holds their API token, shown once")
def add_user(body: NewUser, kb: KB, admin: Admin) -> UserToken:
    token = kb.users.add(body.name, body.role, body.password, by=admin.name)
    return UserToken(name=body.name, role=body.role, token=token)


@router.post("/{name}/token", summary="Replace a user's API token (the old one and their sign-ins stop working)")
def new_token(name: str, kb: KB, admin: Admin) -> UserToken:
    token = kb.users.new_token(name, by=admin.name)
    role = next(u["role"] for u in kb.users.list() if u["name"] == name)
    return UserToken(name=name, role=role, token=token)


@router.post("/{name}/disable", summary="Off-board a user: token, password and sign-ins stop working at once")
def disable_user(name: str, kb: KB, admin: Admin) -> dict:
    kb.users.disable(name, by=admin.name)
    return {"name": name, "disabled": True}


@router.post("/{name}/enable", summary="Let a disabled user in again")
def enable_user(name: str, kb: KB, admin: Admin) -> dict:
    kb.users.enable(name, by=admin.name)
    return {"name": name, "disabled": False}


@router.post("/{name}/role", summary="Change a user's role")
def change_role(name: str, body: NewRole, kb: KB, admin: Admin) -> dict:
    kb.users.set_role(name, body.role, by=admin.name)
    return {"name": name, "role": body.role}


@router.post("/{name}/password", summary="Set a user's password (their sign-ins end)")
def change_password(name: str, body: NewPassword, kb: KB, admin: Admin) -> dict:
    kb.users.set_password(name, body.password, by=admin.name)
    return {"name": name}


@router.delete("/{name}", summary="Remove a user")
def remove_user(name: str, kb: KB, admin: Admin) -> dict:
    kb.users.remove(name, by=admin.name)
    return {"name": name, "removed": True}
