"""The evaluators' review queue: agents' thumbs-down feedback, each turned once into an evaluation
item (the contract's JSONL shape) or dismissed.

A decision is a row of `review_items`, unique per feedback and per item id, so two evaluators
working the same queue cannot promote one feedback twice or reuse an item id: the database
refuses what a check made a moment earlier could miss. The promoted items, in the order they
were promoted, are an evaluation set that `kb eval` loads as it is.
"""

import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Literal

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.database import Base, create_tables
from kb.errors import BadRequest
from kb.feedback import Feedback, FeedbackLog
from kb.models import CATEGORIES

Outcome = Literal["promoted", "dismissed"]
ITEM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
DOC_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


class ReviewItem(Base):
    __tablename__ = "review_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feedback_id: Mapped[int] = mapped_column(Integer, unique=True)
    item_id: Mapped[str | None] = mapped_column(String(128), unique=True, nullable=True)
    item_json: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str] = mapped_column(String(128))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class PendingFeedback:
    """One thumbs-down waiting for a decision, with what the agent was shown."""

    id: int
    created_at: dt.datetime
    question: str
    comment: str
    answer_status: str
    answer_text: str
    citations: list[dict] = field(default_factory=list)

    @property
    def cited_doc_ids(self) -> list[str]:
        """The documents the answer cited, once each: the likely expected documents."""
        return list(dict.fromkeys(c["doc_id"] for c in self.citations if c.get("doc_id")))

    @property
    def suggested_item_id(self) -> str:
        return f"fb-{self.id}"

    def as_dict(self) -> dict:
        return {**asdict(self), "created_at": self.created_at.isoformat(),
                "cited_doc_ids": self.cited_doc_ids, "suggested_item_id": self.suggested_item_id}


def shown_answer(response_json: str) -> tuple[str, list[dict]]:
    """The answer text and citations of a stored response; a response recorded in another
    shape (the API takes any object) shows as no answer rather than failing the page."""
    response = json.loads(response_json)
    answer = response.get("answer") if isinstance(response, dict) else None
    if not isinstance(answer, dict):
        return "", []
    citations = [c for c in answer.get("citations") or [] if isinstance(c, dict)]
    return str(answer.get("text") or ""), citations


def pending_of(row: Feedback) -> PendingFeedback:
    text, citations = shown_answer(row.response_json)
    return PendingFeedback(id=row.id, created_at=row.created_at, question=row.query,
                           comment=row.comment, answer_status=row.answer_status,
                           answer_text=text, citations=citations)


class ReviewQueue:
    def __init__(self, engine, feedback: FeedbackLog | None = None):
        self.engine = engine
        self.feedback = feedback or FeedbackLog(engine)
        create_tables(engine, ReviewItem)

    def pending(self, limit: int = 200) -> list[PendingFeedback]:
        """Thumbs-down feedback nobody has decided on yet, newest first."""
        decided = select(ReviewItem.feedback_id)
        query = (select(Feedback).where(Feedback.rating == "down", Feedback.id.not_in(decided))
                 .order_by(Feedback.id.desc()).limit(limit))
        with Session(self.engine) as session:
            return [pending_of(row) for row in session.scalars(query)]

    def entry(self, feedback_id: int) -> PendingFeedback:
        """One feedback as the queue shows it, decided or not (NotFound if there is none)."""
        return pending_of(self.feedback.get(feedback_id))

    def promote(self, feedback_id: int, item_id: str, expected_doc_ids: list[str],
                key_facts: list[str], category: str | None, by: str) -> dict:
        """Store the feedback as an evaluation item; no expected documents makes it an
        unanswerable item. Refuses, naming the field, a bad or taken item id, a bad doc id or
        category, and a feedback already decided."""
        item_id, docs, facts = _checked(item_id, expected_doc_ids, key_facts, category)
        self._refuse_taken(feedback_id, item_id)
        item = self.feedback.as_eval_item(feedback_id, item_id, docs, facts, category or None)
        self._decide(feedback_id, "promoted", by, item)
        return item

    def dismiss(self, feedback_id: int, by: str) -> None:
        """Nothing to learn from this feedback: it leaves the queue, and the decision is kept."""
        self._refuse_taken(feedback_id, None)
        self._decide(feedback_id, "dismissed", by, None)

    def decision(self, feedback_id: int) -> ReviewItem | None:
        with Session(self.engine) as session:
            return session.scalar(select(ReviewItem).where(ReviewItem.feedback_id == feedback_id))

    def items(self) -> list[dict]:
        """The promoted evaluation items, in the order they were promoted."""
        query = (select(ReviewItem.item_json).where(ReviewItem.outcome == "promoted")
                 .order_by(ReviewItem.id))
        with Session(self.engine) as session:
            return [json.loads(text) for text in session.scalars(query)]

    def export_jsonl(self) -> str:
        """The promoted items as a contract evaluation set: one JSON object per line."""
        return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in self.items())

    def _refuse_taken(self, feedback_id: int, item_id: str | None) -> None:
        """NotFound for no such feedback, else BadRequest naming what is already decided."""
        self.feedback.get(feedback_id)
        done = self.decision(feedback_id)
        if done is not None:
            raise BadRequest(f"feedback_id: feedback {feedback_id} was already {done.outcome} "
                             f"by {done.decided_by}")
        with Session(self.engine) as session:
            taken = item_id and session.scalar(select(ReviewItem.id).where(ReviewItem.item_id == item_id))
        if taken:
            raise BadRequest(f"item_id: '{item_id}' is already an item of the evaluation set; choose another id")

    def _decide(self, feedback_id: int, outcome: Outcome, by: str, item: dict | None) -> None:
        row = ReviewItem(feedback_id=feedback_id, item_id=item and item["id"], outcome=outcome,
                         item_json=json.dumps(item, ensure_ascii=False) if item else "",
                         decided_by=by, decided_at=dt.datetime.now(dt.UTC))
        try:
            with Session(self.engine) as session, session.begin():
                session.add(row)
        except IntegrityError:
            # Another evaluator decided in between: say which field they took.
            self._refuse_taken(feedback_id, row.item_id)
            raise


def _checked(item_id: str, docs: list[str], facts: list[str],
             category: str | None) -> tuple[str, list[str], list[str]]:
    """The evaluator's typing, trimmed and checked against the contract's rules."""
    item_id = item_id.strip()
    if not ITEM_ID.fullmatch(item_id):
        raise BadRequest(f"item_id: '{item_id}' must be 1-128 letters, digits, '.', '_' or '-', "
                         "starting with a letter or digit")
    docs = list(dict.fromkeys(d.strip() for d in docs if d.strip()))
    bad = [d for d in docs if not DOC_ID.fullmatch(d)]
    if bad:
        raise BadRequest(f"expected_doc_ids: not a doc_id: {', '.join(bad)}")
    if category and category not in CATEGORIES:
        raise BadRequest(f"category: '{category}' is not one of {', '.join(CATEGORIES)}")
    return item_id, docs, [f.strip() for f in facts if f.strip()]


def review_queue(kb) -> ReviewQueue:
    """The queue over a knowledge base's app database (beside its feedback)."""
    return ReviewQueue(kb.database, kb.feedback)


def split_doc_ids(text: str) -> list[str]:
    """Doc ids typed in one field: separated by commas (either width) or white space."""
    return [part for part in re.split(r"[,，、\s]+", text) if part]


def split_facts(text: str) -> list[str]:
    """Key facts typed one per line (alternatives of one fact stay joined by '|')."""
    return [line.strip() for line in text.splitlines() if line.strip()]
