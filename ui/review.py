"""The evaluators' review page: agents' thumbs-down feedback, each turned into an evaluation item
or dismissed in one step, and the promoted set downloaded as contract JSONL. The page calls the
same ReviewQueue as /api/review and `kb feedback export`."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from assist_api.deps import KB, Evaluator, RowId
from evals.review import review_queue, split_doc_ids, split_facts
from kb.errors import BadRequest
from kb.models import CATEGORIES
from ui.templating import templates

router = APIRouter(prefix="/evaluations/review", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def review(request: Request, kb: KB, _: Evaluator):
    queue = review_queue(kb)
    return templates.TemplateResponse(request, "evals_review.html", {
        "pending": queue.pending(), "items": queue.items(), "categories": CATEGORIES})


@router.post("/{feedback_id}/promote", response_class=HTMLResponse)
def promote(request: Request, feedback_id: RowId, kb: KB, evaluator: Evaluator,
            item_id: Annotated[str, Form(max_length=128)] = "",
            expected_doc_ids: Annotated[str, Form(max_length=2000)] = "",
            key_facts: Annotated[str, Form(max_length=10_000)] = "",
            category: Annotated[str, Form(max_length=32)] = ""):
    """Answers the entry's replacement: the outcome, or (422) the form as typed with the reason
    it was refused, so the evaluator fixes one field instead of typing everything again."""
    queue = review_queue(kb)
    typed = {"item_id": item_id, "expected_doc_ids": expected_doc_ids, "key_facts": key_facts,
             "category": category}
    try:
        item = queue.promote(feedback_id, item_id, split_doc_ids(expected_doc_ids),
                             split_facts(key_facts), category, evaluator.name)
    except BadRequest as refused:
        return templates.TemplateResponse(request, "_review_entry.html", {
            "entry": queue.entry(feedback_id), "typed": typed, "problem": str(refused),
            "categories": CATEGORIES}, status_code=422)
    return templates.TemplateResponse(request, "_review_done.html", {
        "feedback_id": feedback_id, "outcome": "promoted", "item": item})


@router.post("/{feedback_id}/dismiss", response_class=HTMLResponse)
def dismiss(request: Request, feedback_id: RowId, kb: KB, evaluator: Evaluator):
    queue = review_queue(kb)
    try:
        queue.dismiss(feedback_id, evaluator.name)
    except BadRequest as refused:  # decided meanwhile, by someone else: say so in the entry
        return templates.TemplateResponse(request, "_review_entry.html", {
            "entry": queue.entry(feedback_id), "problem": str(refused), "categories": CATEGORIES},
            status_code=422)
    return templates.TemplateResponse(request, "_review_done.html", {
        "feedback_id": feedback_id, "outcome": "dismissed", "item": None})


@router.get("/export.jsonl")
def export(kb: KB, _: Evaluator) -> Response:
    """A download named by the day, so successive exports do not overwrite each other."""
    name = f"kb-review-items-{dt.date.today():%Y%m%d}.jsonl"
    return Response(review_queue(kb).export_jsonl(), media_type="application/x-ndjson",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
