"""Agents' thumbs up / down on answers, kept with the question and the response for evaluators.

Everything stored passes through the personal-data mask again: the query of a response is
masked already, but a comment or a response built elsewhere may not be.
"""

import datetime as dt
import json
from typing import Literal

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.database import Base
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


class FeedbackLog:
    def __init__(self, engine):
        self.engine = engine
        Base.metadata.create_all(engine, tables=[Feedback.__table__])

    def record(self, query: str, response: dict, rating: Rating, comment: str = "",
               session_id: str | None = None) -> int:
        row = Feedback(
            created_at=dt.datetime.now(dt.timezone.utc), rating=rating,
            comment=mask_personal_data(comment or "").text,
            query=mask_personal_data(query).text,
            answer_status=str((response.get("answer") or {}).get("status", "")),
            response_json=mask_personal_data(json.dumps(response, ensure_ascii=False)).text,
            session_id=session_id)
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return row.id

    def recent(self, limit: int = 100) -> list[Feedback]:
        with Session(self.engine) as session:
            rows = session.scalars(select(Feedback).order_by(Feedback.id.desc()).limit(limit))
            return list(rows)
