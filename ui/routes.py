"""The panel's pages. They call the same core methods as the JSON API, never the API itself."""

import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from assist_api.deps import KB, AppMetrics, Asker
from kb.feedback import Rating
from ui.answer_view import merged_citations, ordered_disclosures
from ui.markdown import render
from ui.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def panel(request: Request, kb: KB, _: Asker, call: Annotated[str, Query(max_length=128)] = ""):
    """The side panel; with ?call=ID it also follows that live call's suggestions."""
    return templates.TemplateResponse(request, "panel.html", {
        "session_id": uuid.uuid4().hex, "documents": len(kb.catalog), "examples": kb.example_questions(3),
        "call_id": call})


@router.post("/ui/ask", response_class=HTMLResponse)
def ask(request: Request, kb: KB, metrics: AppMetrics, _: Asker, query: Annotated[str, Form()] = "",
        session_id: Annotated[str, Form(max_length=128)] = "",
        drop_context: Annotated[str, Form(max_length=8)] = ""):
    if drop_context and session_id:
        kb.forget_context(session_id)
    response = kb.assist(query, session_id=session_id or None)
    metrics.answered(response.answer.status, (response.latency_ms or 0) / 1000)
    cited = merged_citations(response.answer.citations)
    passages = [render(kb.section_text(c.doc_id, c.version, c.section) or "\n".join(c.quotes), c.quotes)
                for c in cited]
    return templates.TemplateResponse(request, "_turn.html", {
        "response": response, "cited_sections": cited, "passages": passages, "session_id": session_id,
        "disclosures": ordered_disclosures(response.disclosures, response.query, response.answer.text),
        "response_json": json.dumps(response.contract_dict(), ensure_ascii=False),
        "turn_id": uuid.uuid4().hex[:8]})


@router.post("/ui/feedback", response_class=HTMLResponse)
def feedback(request: Request, kb: KB, _: Asker, rating: Annotated[Rating, Form()],
             query: Annotated[str, Form(min_length=1, max_length=2000)],
             response_json: Annotated[str, Form(max_length=200_000)],
             comment: Annotated[str, Form(max_length=2000)] = "",
             session_id: Annotated[str, Form(max_length=128)] = ""):
    kb.feedback.record(query, _parsed(response_json), rating, comment, session_id or None)
    return templates.TemplateResponse(request, "_feedback_done.html", {"rating": rating})


def _parsed(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        return {"unparsed": text}
    return value if isinstance(value, dict) else {"unparsed": text}
