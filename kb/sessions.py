"""Call context: what product the earlier turns of a live call were about, and how many there were.

Kept in the app database (PostgreSQL when several processes serve: a call's follow-up may land on
any of them), never the questions themselves: only the product and the count of turns. Forgotten
after a quiet spell.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import DateTime, Engine, Integer, String, Text, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.database import Base, create_tables

PURGE_EVERY = 200  # saves between deletions of expired contexts


@dataclass
class CallContext:
    product: str | None = None
    turns: int = 0


class CallContextRow(Base):
    __tablename__ = "call_contexts"

    session_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    product: Mapped[str | None] = mapped_column(Text, nullable=True)
    turns: Mapped[int] = mapped_column(Integer, default=0)
    touched_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class CallContexts:
    def __init__(self, engine: Engine, ttl_seconds: float, clock: Callable[[], dt.datetime] = _utc_now):
        self.engine = engine
        self.ttl = dt.timedelta(seconds=ttl_seconds)
        self.clock = clock
        self._saves = 0
        create_tables(engine, CallContextRow)

    def __len__(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.count()).select_from(CallContextRow)) or 0)

    def get(self, session_id: str) -> CallContext:
        """The context of `session_id`, new if it never existed or has expired."""
        with Session(self.engine) as session:
            row = session.get(CallContextRow, session_id)
        if row is None or self.clock() - _aware(row.touched_at) > self.ttl:
            return CallContext()
        return CallContext(product=row.product, turns=row.turns)

    def save(self, session_id: str, context: CallContext) -> None:
        """Keep the context (the call goes on: its quiet spell starts again)."""
        now = self.clock()
        try:
            self._upsert(session_id, context, now)
        except IntegrityError:  # another process made the row meanwhile
            self._upsert(session_id, context, now)
        self._saves += 1
        if self._saves % PURGE_EVERY == 0:
            self.purge()

    def _upsert(self, session_id: str, context: CallContext, now: dt.datetime) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(CallContextRow, session_id)
            if row is None:
                session.add(CallContextRow(session_id=session_id, product=context.product,
                                           turns=context.turns, touched_at=now))
            else:
                row.product, row.turns, row.touched_at = context.product, context.turns, now

    def purge(self) -> int:
        """Delete the contexts of calls quiet for longer than the spell; how many."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(delete(CallContextRow).where(CallContextRow.touched_at < self.clock() - self.ttl))
        return int(getattr(result, "rowcount", 0) or 0)


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive times; they were stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
