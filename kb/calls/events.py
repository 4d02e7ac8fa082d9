"""Every event of a live call, kept in order in the app database: a panel that reconnects (its
process stopped, or the network dropped) is sent what it missed, and where PostgreSQL serves
several processes each new event is announced on a channel (NOTIFY), so that the process holding
a panel's stream hands it on whichever process heard the utterance."""

import datetime as dt
import json

from sqlalchemy import DateTime, Engine, Integer, String, Text, delete, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.calls.models import CallEvent
from kb.database import Base, create_tables

CHANNEL = "kb_call_events"
KEEP = dt.timedelta(hours=12)  # a panel reconnects within seconds; a day's events are plenty


class CallEventRow(Base):
    __tablename__ = "call_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(String(128), index=True)
    origin: Mapped[str] = mapped_column(String(64))
    event_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


def announcement(origin: str, ids: list[int]) -> str:
    return f"{origin}:{','.join(map(str, ids))}"


def announced(payload: str) -> tuple[str, list[int]]:
    origin, _, ids = payload.partition(":")
    return origin, [int(i) for i in ids.split(",") if i.isdigit()]


class CallEventLog:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.announces = engine.dialect.name == "postgresql"
        create_tables(engine, CallEventRow)

    def append(self, call_id: str, events: list[CallEvent], origin: str) -> list[CallEvent]:
        """The events, kept and numbered (their `seq`), announced to the other processes."""
        if not events:
            return events
        now = dt.datetime.now(dt.UTC)
        with Session(self.engine) as session, session.begin():
            rows = [CallEventRow(call_id=call_id, origin=origin, event_json=e.model_dump_json(), created_at=now)
                    for e in events]
            session.add_all(rows)
            session.flush()
            ids = [r.id for r in rows]
            if self.announces:
                session.execute(text("SELECT pg_notify(:channel, :payload)"),
                                {"channel": CHANNEL, "payload": announcement(origin, ids)})
        return [e.model_copy(update={"seq": seq}) for e, seq in zip(events, ids, strict=True)]

    def after(self, call_id: str, seq: int) -> list[CallEvent]:
        """The call's events after `seq`, in order (what a reconnecting panel missed)."""
        with Session(self.engine) as session:
            rows = session.scalars(select(CallEventRow).where(CallEventRow.call_id == call_id, CallEventRow.id > seq)
                                   .order_by(CallEventRow.id)).all()
        return [_event(r) for r in rows]

    def since(self, seq: int, limit: int = 1000) -> list[tuple[str, str, CallEvent]]:
        """(call, origin, event) of every call's events after `seq`, in order."""
        with Session(self.engine) as session:
            rows = session.scalars(select(CallEventRow).where(CallEventRow.id > seq)
                                   .order_by(CallEventRow.id).limit(limit)).all()
        return [(r.call_id, r.origin, _event(r)) for r in rows]

    def last_seq(self) -> int:
        with Session(self.engine) as session:
            return int(session.scalar(select(func.max(CallEventRow.id))) or 0)

    def by_ids(self, ids: list[int]) -> list[tuple[str, CallEvent]]:
        with Session(self.engine) as session:
            rows = session.scalars(select(CallEventRow).where(CallEventRow.id.in_(ids)).order_by(CallEventRow.id)).all()
        return [(r.call_id, _event(r)) for r in rows]

    def purge(self) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(delete(CallEventRow).where(CallEventRow.created_at < dt.datetime.now(dt.UTC) - KEEP))


def _event(row: CallEventRow) -> CallEvent:
    return CallEvent.model_validate(json.loads(row.event_json)).model_copy(update={"seq": row.id})
