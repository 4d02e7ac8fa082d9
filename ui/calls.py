"""Live calls on the pages: the panel follows a call's events (server-sent events, swapped in by
htmx's SSE extension), and quality staff read the calls list and each call's scorecard. The same
core methods as the JSON API in assist_api/calls.py."""

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from assist_api.deps import KB, Asker, Streams, readable_call
from kb.calls.models import CallEvent
from kb.calls.rules import KINDS
from kb.errors import NotFound
from kb.users import Principal
from ui.answer_view import ordered_disclosures
from ui.templating import templates

router = APIRouter(include_in_schema=False)
KEEP_ALIVE_SECONDS = 15


@router.get("/ui/calls/{call_id}/stream")
async def stream(request: Request, call_id: str, kb: KB, streams: Streams, principal: Asker,
                 after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0) -> StreamingResponse:
    """The call's events as they come; a panel reconnecting (the last event's id in `after`, or
    as EventSource's Last-Event-ID) first gets what it missed, from whichever process heard it."""
    _may_follow(kb, principal, call_id)
    ended = kb.calls.records.exists(call_id) and kb.calls.records.call(call_id).ended_at is not None
    header = request.headers.get("last-event-id", "")
    last = max(after, int(header) if header.isdigit() and len(header) < 19 else 0)
    missed = kb.calls.events.after(call_id, last) if last else []
    return StreamingResponse(_events(streams, call_id, ended, missed), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _may_follow(kb, principal: Principal, call_id: str) -> None:
    """A panel may wait for a call that has not started yet; one that has must be readable."""
    try:
        readable_call(kb, principal, call_id)
    except NotFound:
        if kb.calls.records.exists(call_id):
            raise


async def _events(streams, call_id: str, ended: bool, missed: list[CallEvent]) -> AsyncIterator[str]:
    """What the panel missed, then the call's events as they come; a call that has ended says so
    and closes."""
    queue = streams.subscribe(call_id)
    try:
        yield ": following\n\n"
        for event in missed:
            yield _sse(*_rendered(event), event.seq)
        sent = max((e.seq or 0 for e in missed), default=0)
        if ended:
            yield _sse("ended", templates.get_template("_call_ended.html").render())
            return
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), KEEP_ALIVE_SECONDS)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if event is None:
                yield _sse("ended", templates.get_template("_call_ended.html").render())
                return
            if event.seq is None or event.seq > sent:
                yield _sse(*_rendered(event), event.seq)
    finally:
        streams.unsubscribe(call_id, queue)


def _rendered(event: CallEvent) -> tuple[str, str]:
    """(the SSE event name the panel swaps on, its HTML)."""
    if event.kind == "checklist":
        return "checklist", templates.get_template("_call_checklist.html").render(items=event.checklist)
    disclosures = []
    if event.suggestion is not None:
        s = event.suggestion
        disclosures = ordered_disclosures(s.disclosures, s.query, s.answer.text)
    return "card", templates.get_template("_call_card.html").render(event=event, disclosures=disclosures)


def _sse(name: str, html: str, seq: int | None = None) -> str:
    data = "\n".join(f"data: {line}" for line in html.strip().splitlines())
    return (f"id: {seq}\n" if seq else "") + f"event: {name}\n{data}\n\n"


@router.get("/calls", response_class=HTMLResponse)
def calls_page(request: Request, kb: KB, principal: Asker, agent: str = "", product: str = "",
               finding: str = "", day: str = ""):
    own = None if principal.can("calls") else principal.name
    rows = kb.calls.records.listed(agent=own or agent or None, product=product or None,
                                   finding=finding or None, day=_day(day))
    return templates.TemplateResponse(request, "calls.html", {
        "rows": rows, "kinds": KINDS, "filters": {"agent": agent, "product": product, "finding": finding, "day": day},
        "own": own})


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def call_page(request: Request, call_id: str, kb: KB, principal: Asker):
    readable_call(kb, principal, call_id)
    card = kb.calls.scorecard(call_id)
    spoken = kb.calls.records.utterances(call_id)
    by_utterance: dict[int, list] = {}
    for finding in card.findings:
        by_utterance.setdefault(finding.utterance or 0, []).append(finding)
    return templates.TemplateResponse(request, "call_qa.html", {
        "card": card, "spoken": spoken, "by_utterance": by_utterance, "row": kb.calls.records.call(call_id)})
