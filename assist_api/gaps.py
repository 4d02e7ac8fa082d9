"""Content gaps for editors: what agents asked that the knowledge base could not answer."""

from fastapi import APIRouter

from assist_api.deps import KB, Editor

router = APIRouter(prefix="/api/gaps", tags=["documents"])


@router.get("", summary="Unanswered agents' questions (masked), grouped and counted")
def gaps(kb: KB, _: Editor, limit: int = 100) -> list[dict]:
    return [vars(gap) for gap in kb.gaps.groups(min(max(limit, 1), 1000))]
