"""Live calls: the call platform posts each utterance (the `integration` role, which can do
nothing else) and the call's end; panels follow a call's events; quality staff read scorecards
and export them. Each route calls one method of the core's call desk."""

import csv
import datetime as dt
import io

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from assist_api.deps import KB, Asker, Streams, Transcriber, readable_call
from assist_api.schemas import UtteranceHeard, UtterancePost
from kb.calls.models import Scorecard
from kb.calls.transcript import utterance
from kb.users import Principal

router = APIRouter()


@router.post("/calls/{call_id}/utterances", status_code=201, summary="Hear one utterance of a live call")
async def hear(call_id: str, body: UtterancePost, kb: KB, streams: Streams, _: Transcriber) -> UtteranceHeard:
    said = utterance({"speaker": body.speaker, "text": body.text, "at": body.at.isoformat()})
    number, events = await run_in_threadpool(kb.calls.hear, call_id, body.agent, said)
    streams.publish(call_id, events)
    return UtteranceHeard(call_id=call_id, utterance=number, events=events)


@router.post("/calls/{call_id}/end", summary="Close a call; its quality scorecard")
async def end(call_id: str, kb: KB, streams: Streams, _: Transcriber) -> Scorecard:
    card = await run_in_threadpool(kb.calls.end, call_id)
    streams.end(call_id)
    return card


@router.get("/calls/{call_id}/qa", summary="The quality scorecard of a call")
def qa(call_id: str, kb: KB, principal: Asker) -> Scorecard:
    readable_call(kb, principal, call_id)
    return kb.calls.scorecard(call_id)


@router.get("/api/calls", summary="Calls with their scores, newest first")
def calls(kb: KB, principal: Asker, agent: str | None = None, product: str | None = None,
          finding: str | None = None, day: dt.date | None = None) -> list[dict]:
    return [_summary(row) for row in _listed(kb, principal, agent, product, finding, day)]


@router.get("/api/calls/export.csv", summary="Calls as CSV, for the team's weekly review")
def export(kb: KB, principal: Asker, agent: str | None = None, product: str | None = None,
           finding: str | None = None, day: dt.date | None = None) -> Response:
    rows = [_summary(row) for row in _listed(kb, principal, agent, product, finding, day)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(SUMMARY_FIELDS))
    writer.writeheader()
    writer.writerows(rows)
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="calls.csv"'})


SUMMARY_FIELDS = ("id", "agent", "started_at", "ended_at", "score", "products", "findings")


def _listed(kb, principal: Principal, agent, product, finding, day):
    """An agent sees only their own calls, whatever they filter by."""
    own = None if principal.can("calls") else principal.name
    return kb.calls.records.listed(agent=own or agent, product=product, finding=finding, day=day)


def _summary(row) -> dict:
    return {"id": row.id, "agent": row.agent or "", "started_at": row.started_at.isoformat(),
            "ended_at": row.ended_at.isoformat() if row.ended_at else "", "score": row.score,
            "products": row.products, "findings": row.finding_kinds}
