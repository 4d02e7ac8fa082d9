"""Shapes shared by ingest, retrieval, answering and the API (the contract's section 1 and 2)."""

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

CATEGORIES = (
    "credit_card", "loan", "wealth", "fee_rule", "deposit", "service", "script", "disclosure",
)


class DocMeta(BaseModel):
    """Validated front matter of one document version."""

    doc_id: str
    title: str
    category: str
    products: list[str] = []
    version: int = 1
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    disclosures: list[str] = []
    risk_level: str | None = None
    intents: list[str] = []
    extra: dict[str, Any] = {}

    def in_force(self, day: dt.date) -> bool:
        starts = self.effective_from is None or self.effective_from <= day
        return starts and (self.effective_to is None or day <= self.effective_to)

    @property
    def key(self) -> str:
        return f"{self.doc_id}@v{self.version}"


class SourceDocument(BaseModel):
    """A loaded, validated document: metadata, Markdown body, where it came from, its hash."""

    meta: DocMeta
    body: str
    source: str
    content_hash: str


class Citation(BaseModel):
    doc_id: str
    version: int
    title: str
    section: str
    quote: str


class Answer(BaseModel):
    status: Literal["answered", "no_answer"]
    text: str
    citations: list[Citation] = []
    related: list[Citation] = Field(default=[], exclude=True,
                                    description="With no_answer: the nearest passages (the response's `related`).")


class Disclosure(BaseModel):
    doc_id: str
    title: str
    text: str


class Script(BaseModel):
    doc_id: str
    title: str
    intent: str
    text: str
    section: str | None = Field(None, description="Heading of the section the steps come from.")


class Alert(BaseModel):
    code: str
    level: Literal["info", "warning", "critical"]
    message: str
    doc_id: str | None = None


class CallContextInfo(BaseModel):
    """What the call so far contributed to this answer."""

    product: str | None = Field(None, description="The product the call is about so far.")
    carried: bool = Field(False, description="True when the question was read as about `product`.")
    turn: int = Field(1, description="Which question of the call this is.")


class AssistResponse(BaseModel):
    query: str
    answer: Answer
    disclosures: list[Disclosure] = []
    script: Script | None = None
    alerts: list[Alert] = []
    latency_ms: float | None = None
    as_of: dt.date | None = None
    context: CallContextInfo | None = None
    related: list[Citation] = Field(default=[], description="With no_answer only: the nearest passages, "
                                    "shown as possibly related, never as an answer.")
    retrieved: list[str] = Field(default=[], exclude=True,
                                 description="Doc ids in retrieval rank order (for scoring only).")

    def contract_dict(self) -> dict[str, Any]:
        """The JSON object of the contract (plus its optional fields)."""
        return self.model_dump(mode="json", exclude={"related"} if not self.related else None)
