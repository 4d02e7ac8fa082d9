"""Request and response bodies of the API. Requests are strict: unknown fields and wrong types
are refused with 422 before any work is done."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from kb.calls.models import CallEvent
from kb.config import Settings
from kb.feedback import Rating
from kb.models import Alert

# Some character that is neither white space (as str.strip sees it) nor a control character:
# a blank question is refused by the schema, not only by the core.
NOT_BLANK = r"[^\s\x00-\x1f\x7f-\x9f\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
# The documented limits are the defaults; the core enforces the configured ones (also 422).
MAX_QUERY = Settings.model_fields["max_query_chars"].default
MAX_DRAFT = Settings.model_fields["max_draft_chars"].default


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssistRequest(Strict):
    query: StrictStr = Field(min_length=1, max_length=MAX_QUERY, pattern=NOT_BLANK,
                             description="The agent's question, as typed.")
    session_id: StrictStr | None = Field(
        None, max_length=128, description="Id of the call: follow-ups are read in its context.")
    as_of: dt.date | None = Field(None, description="Answer as of this date (default today).")


class CheckRequest(Strict):
    draft: StrictStr = Field(min_length=1, max_length=MAX_DRAFT, pattern=NOT_BLANK,
                             description="The agent's draft reply.")
    as_of: dt.date | None = None


class CheckResponse(BaseModel):
    alerts: list[Alert]


class FeedbackRequest(Strict):
    query: StrictStr = Field(min_length=1, max_length=2000)
    response: dict = Field(description="The assist response the feedback is about.")
    rating: Rating
    comment: StrictStr = Field("", max_length=2000)
    session_id: StrictStr | None = Field(None, max_length=128)


class FeedbackStored(BaseModel):
    id: int


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    chunks: int
    embed_model: str | None


class MetadataForm(BaseModel):
    """Metadata typed into an upload form, for a file without front matter or sidecar; lists are
    comma-separated. The core validates them with the contract's rules."""

    doc_id: str = Field("", max_length=200)
    title: str = Field("", max_length=500)
    category: str = Field("", max_length=50)
    products: str = Field("", max_length=2000)
    version: str = Field("", max_length=10)
    effective_from: str = Field("", max_length=20)
    effective_to: str = Field("", max_length=20)
    disclosures: str = Field("", max_length=2000)
    risk_level: str = Field("", max_length=5)
    intents: str = Field("", max_length=2000)


class PublishedView(BaseModel):
    doc_id: str
    version: int
    status: str
    content_hash: str
    unchanged: bool
    audit_id: int | None
    warnings: list[str] = []


class PreviewView(BaseModel):
    doc_id: str
    version: int
    title: str
    category: str
    status: str
    unchanged: bool
    chunks: list[dict[str, str]]
    diff: list[str]
    gate: dict | None = Field(None, description="What the evaluation gate would say: the run, the "
                              "items checked, and those that were correct and would fail.")


OVERRIDE_HELP = ("Why to publish although the evaluation gate refuses (the audit log keeps it); "
                 "needs the 'override' permission.")


class RollbackRequest(Strict):
    version: StrictInt = Field(ge=1, le=2**31 - 1, description="The earlier version whose content becomes live again.")
    override_reason: StrictStr = Field("", max_length=2000, description=OVERRIDE_HELP)


class RetireRequest(Strict):
    last_day: dt.date = Field(description="The last day the document answers.")
    override_reason: StrictStr = Field("", max_length=2000, description=OVERRIDE_HELP)


class NewUser(Strict):
    name: StrictStr = Field(min_length=1, max_length=64)
    role: Literal["agent", "editor", "evaluator", "admin"]
    password: StrictStr | None = Field(None, max_length=200)


class NewRole(Strict):
    role: Literal["agent", "editor", "evaluator", "admin"]


class NewPassword(Strict):
    password: StrictStr = Field(min_length=1, max_length=200)


class UserToken(BaseModel):
    name: str
    role: str
    token: str


class UtterancePost(Strict):
    """One utterance of a live call, as the call platform's speech recognition posts it."""

    speaker: Literal["customer", "agent"]
    text: StrictStr = Field(min_length=1, max_length=2000, pattern=NOT_BLANK)
    at: dt.datetime = Field(description="When it was said (ISO 8601; without an offset, UTC).")
    agent: StrictStr | None = Field(None, max_length=64,
                                    description="The agent's user name (read at the call's first utterance).")


class UtteranceHeard(BaseModel):
    call_id: str
    utterance: int = Field(description="Its number in the call, from 1.")
    events: list[CallEvent] = Field(description="What was pushed to the agent's panel for it.")
