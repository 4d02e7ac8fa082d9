"""Content gaps: the agents' questions the knowledge base could not answer, grouped by what they
ask about, so the product team knows what to write next. Questions are stored masked."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import DateTime, Engine, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.database import Base, create_tables

EXAMPLES = 3


class Unanswered(Base):
    __tablename__ = "unanswered"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    query: Mapped[str] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(String(500), index=True)


@dataclass
class Gap:
    topic: str
    count: int
    last_at: dt.datetime
    examples: list[str]


class Gaps:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        create_tables(engine, Unanswered)

    def note(self, masked_query: str, key_terms: list[str]) -> None:
        """`key_terms`: what the question asks about; questions with the same terms in any order
        or wording of synonyms (canonical forms) fall into one group."""
        topic = " ".join(sorted(set(key_terms))) or masked_query
        with Session(self.engine) as session, session.begin():
            session.add(Unanswered(at=dt.datetime.now(dt.UTC), query=masked_query, topic=topic[:500]))

    def groups(self, limit: int = 100) -> list[Gap]:
        """The most asked gaps first."""
        counted = (select(Unanswered.topic, func.count().label("n"), func.max(Unanswered.at).label("last"))
                   .group_by(Unanswered.topic).order_by(func.count().desc(), func.max(Unanswered.at).desc())
                   .limit(limit))
        with Session(self.engine) as session:
            rows = session.execute(counted).all()
            return [Gap(topic, n, last, self._examples(session, topic)) for topic, n, last in rows]

    @staticmethod
    def _examples(session: Session, topic: str) -> list[str]:
        recent = (select(Unanswered.query).where(Unanswered.topic == topic)
                  .order_by(Unanswered.id.desc()).limit(20))
        return list(dict.fromkeys(session.scalars(recent)))[:EXAMPLES]
