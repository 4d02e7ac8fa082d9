"""The review queue for evaluators' tools: agents' thumbs-down feedback, promoted to evaluation
items or dismissed, and the promoted set as contract JSONL (as on /evaluations/review)."""

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import Field, StrictStr

from assist_api.deps import KB, Evaluator, RowId
from assist_api.schemas import Strict
from evals.review import review_queue

router = APIRouter(prefix="/api/review", tags=["evaluations"])


class PromoteRequest(Strict):
    item_id: StrictStr = Field(min_length=1, max_length=128, description="Unique in the set.")
    expected_doc_ids: list[StrictStr] = Field(
        [], max_length=50, description="Documents a correct answer cites; none: unanswerable.")
    key_facts: list[StrictStr] = Field(
        [], max_length=50, description="Facts the answer must hold; alternatives split by '|'.")
    category: StrictStr = Field("", max_length=32)


class Dismissed(Strict):
    feedback_id: int
    outcome: str = "dismissed"


@router.get("", summary="Thumbs-down feedback not yet decided, newest first")
def pending(kb: KB, _: Evaluator, limit: int = 200) -> list[dict]:
    return [entry.as_dict() for entry in review_queue(kb).pending(min(max(limit, 1), 1000))]


@router.post("/{feedback_id}/promote", status_code=201,
             summary="Turn a feedback into an evaluation item (the contract's shape)")
def promote(feedback_id: RowId, body: PromoteRequest, kb: KB, evaluator: Evaluator) -> dict:
    return review_queue(kb).promote(feedback_id, body.item_id, body.expected_doc_ids,
                                    body.key_facts, body.category, evaluator.name)


@router.post("/{feedback_id}/dismiss", summary="Take a feedback off the queue without an item")
def dismiss(feedback_id: RowId, kb: KB, evaluator: Evaluator) -> Dismissed:
    review_queue(kb).dismiss(feedback_id, evaluator.name)
    return Dismissed(feedback_id=feedback_id)


@router.get("/export", summary="The promoted items as a contract evaluation set (JSON Lines)",
            response_class=Response,
            responses={200: {"content": {"application/x-ndjson": {}}}})
def export(kb: KB, _: Evaluator) -> Response:
    return Response(review_queue(kb).export_jsonl(), media_type="application/x-ndjson")
