"""What listening to a call gives: events pushed to the agent's panel as the call goes on, and
findings for the quality scorecard, each citing the utterance and the rule or document."""

from typing import Literal

from pydantic import BaseModel, Field

from kb.models import Alert, AssistResponse


class Finding(BaseModel):
    kind: str = Field(description="One of the scorecard's kinds (evals/calls/README.md).")
    utterance: int | None = Field(default=None, description="The utterance (numbered from 1) it is about.")
    ok: bool = Field(default=False, description="True for a check passed (a figure right, a disclosure read).")
    message: str = ""
    doc_id: str | None = None
    step: str | None = None
    quote: str | None = Field(default=None, description="The document's words the finding rests on.")
    stated: str | None = Field(default=None, description="The figure as the agent stated it (a figure finding).")
    weight: int = 0


class ChecklistItem(BaseModel):
    doc_id: str
    title: str
    owed_by: str = Field(description="The product document that owes it.")
    covered: float = Field(description="Share of the disclosure the agent's speech has covered.")
    read: bool


class CallEvent(BaseModel):
    kind: Literal["suggestion", "alert", "figure", "checklist"]
    utterance: int
    seq: int | None = Field(default=None, description="Its number among all calls' events (a panel resumes after it).")
    suggestion: AssistResponse | None = None
    alert: Alert | None = None
    finding: Finding | None = None
    checklist: list[ChecklistItem] = []


class Scorecard(BaseModel):
    call_id: str
    agent: str | None = None
    score: int = Field(description="100 less the weight of every finding, at least 0.")
    findings: list[Finding] = Field(description="What went wrong, in the order spoken.")
    checks: list[Finding] = Field(description="What was checked and passed (figures right, disclosures read).")
    suggested: list[tuple[int, str]] = Field(default=[], description="(utterance, doc_id) of each suggestion.")
