"""Agents' thumbs up / down on answers, kept with the question and the response for evaluators.

Everything stored passes through the personal-data mask again: the query of a response is
masked already, but a comment or a response built elsewhere may not be.
"""

import datetime as dt
import json
from typing import Any, Literal

from sqlalchemy import DateTime, Engine, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.database import Base, create_tables, fetched
from kb.privacy import mask_personal_data

Rating = Literal["up", "down"]


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    rating: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text, default="")
    query: Mapped[str] = mapped_column(Text)
    answer_status: Mapped[str] = mapped_column(String(16))
    response_json: Mapped[str] = mapped_column(Text)
    session_id: Mapped[str | None] = mapped_column(String(128), nullable=True)


MAX_KEPT_CHARS = 2000   # an answer is at most a few hundred characters
MAX_KEPT_CITATIONS = 10
CITATION_FIELDS = ("doc_id", "version", "title", "section", "quote")


def kept_answer(response: dict[str, Any]) -> dict[str, Any]:
    """What the review queue reads of the response the feedback is about: the answer's status,
    text and citations, each capped; whatever else a client sent is not stored."""
    answer = response.get("answer") if isinstance(response, dict) else None
    answer = answer if isinstance(answer, dict) else {}
    given = answer.get("citations")
    citations: list[Any] = given if isinstance(given, list) else []
    return {"answer": {
        "status": str(answer.get("status", ""))[:16],
        "text": str(answer.get("text", ""))[:MAX_KEPT_CHARS],
        "citations": [{k: _capped(c.get(k, "")) for k in CITATION_FIELDS}
                      for c in citations[:MAX_KEPT_CITATIONS] if isinstance(c, dict)]}}


def _capped(value: object) -> int | str:
    return value if isinstance(value, int) and not isinstance(value, bool) else str(value)[:MAX_KEPT_CHARS]


class FeedbackLog:
    def __init__(self, engine: Engine):
        self.engine = engine
        create_tables(engine, Feedback)

    def record(self, query: str, response: dict[str, Any], rating: Rating, comment: str = "",
               session_id: str | None = None) -> int:
        row = Feedback(
            created_at=dt.datetime.now(dt.UTC), rating=rating,
            comment=mask_personal_data(comment or "").text,
            query=mask_personal_data(query).text,
            answer_status=kept_answer(response)["answer"]["status"],
            response_json=mask_personal_data(json.dumps(kept_answer(response), ensure_ascii=False)).text,
            session_id=session_id)
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return row.id

    def recent(self, limit: int = 100, rating: Rating | None = None) -> list[Feedback]:
        query = select(Feedback).order_by(Feedback.id.desc()).limit(limit)
        if rating:
            query = query.where(Feedback.rating == rating)
        with Session(self.engine) as session:
            return list(session.scalars(query))

    def get(self, feedback_id: int) -> Feedback:
        return fetched(self.engine, Feedback, feedback_id, f"no feedback {feedback_id}")

    def as_eval_item(self, feedback_id: int, item_id: str, expected_doc_ids: list[str],
                     key_facts: list[str], category: str | None = None) -> dict[str, Any]:
        """An evaluation item (the contract's shape) from an agent's feedback, in one step: its
        question, and what the evaluator says the answer must cite and hold. No documents means
        the knowledge base should not answer it."""
        row = self.get(feedback_id)
        cited = (json.loads(row.response_json).get("answer") or {}).get("citations") or []
        return {"id": item_id, "question": row.query, "answerable": bool(expected_doc_ids),
                "expected_doc_ids": expected_doc_ids, "key_facts": key_facts,
                "required_disclosures": [], "category": category or "",
                "tags": ["from_feedback"] + (["unanswerable"] if not expected_doc_ids else []),
                "feedback": {"id": row.id, "rating": row.rating, "comment": row.comment,
                             "cited": [c.get("doc_id") for c in cited]}}
