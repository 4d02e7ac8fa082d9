"""Request and response bodies of the API. Requests are strict: unknown fields and wrong types
are refused with 422 before any work is done."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

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
