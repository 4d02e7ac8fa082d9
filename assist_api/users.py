"""Users and their API tokens, for admins: the same core methods as `kb users ...`."""

from fastapi import APIRouter

from assist_api.deps import KB, Admin
from assist_api.schemas import NewUser, UserToken

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get("", summary="Users and their roles (never their secrets)")
def list_users(kb: KB, _: Admin) -> list[dict]:
    return kb.users.list()


@router.post("", status_code=201, summary="Add a user; the answer holds their API token, shown once")
def add_user(body: NewUser, kb: KB, _: Admin) -> UserToken:
    token = kb.users.add(body.name, body.role, body.password)
    return UserToken(name=body.name, role=body.role, token=token)


@router.post("/{name}/token", summary="Replace a user's API token (the old one stops working)")
def new_token(name: str, kb: KB, _: Admin) -> UserToken:
    token = kb.users.new_token(name)
    role = next(u["role"] for u in kb.users.list() if u["name"] == name)
    return UserToken(name=name, role=role, token=token)
