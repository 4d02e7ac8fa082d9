"""Calls and their utterances in the app database, masked before they are stored (an agent's
verification may read out a card number), kept for `KB_CALL_RETENTION_DAYS` and then deleted; a
finished call keeps its scorecard, so the calls page lists and filters without listening again."""

import datetime as dt
import json
from collections.abc import Callable

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.calls.models import Scorecard
from kb.calls.transcript import Utterance
from kb.database import Base, create_tables
from kb.errors import BadRequest, NotFound
from kb.privacy import mask_personal_data

MAX_CALL_ID = 128


class CallRow(Base):
    __tablename__ = "calls"

    id: Mapped[str] = mapped_column(String(MAX_CALL_ID), primary_key=True)
    agent: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    products: Mapped[str] = mapped_column(Text, default="")       # doc ids suggested, space-separated
    finding_kinds: Mapped[str] = mapped_column(Text, default="")  # kinds found, space-separated
    scorecard_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class UtteranceRow(Base):
    __tablename__ = "call_utterances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


def checked_call_id(call_id: str) -> str:
    if not call_id or len(call_id) > MAX_CALL_ID or not call_id.isprintable():
        raise BadRequest(f"call id: must be 1 to {MAX_CALL_ID} printable characters")
    return call_id


class CallRecords:
    def __init__(self, engine: Engine, retention_days: int, now: Callable[[], dt.datetime]):
        self.engine = engine
        self.retention_days = retention_days
        self.now = now
        create_tables(engine, CallRow, UtteranceRow)

    def add(self, call_id: str, agent: str | None, said: Utterance) -> tuple[int, Utterance]:
        """Store one utterance, masked, opening the call at its first; its number and the masked utterance."""
        masked = Utterance(said.speaker, mask_personal_data(said.text).text, said.at)
        with Session(self.engine) as session, session.begin():
            call = session.get(CallRow, call_id)
            if call is None:
                call = CallRow(id=call_id, agent=agent, started_at=said.at)
                session.add(call)
            elif call.ended_at is not None:
                raise BadRequest(f"call {call_id} has ended; a new call needs a new id")
            number = 1 + len(session.scalars(select(UtteranceRow.id).where(UtteranceRow.call_id == call_id)).all())
            session.add(UtteranceRow(call_id=call_id, number=number, speaker=masked.speaker,
                                     text=masked.text, at=masked.at))
        return number, masked

    def end(self, call_id: str, card: Scorecard) -> None:
        with Session(self.engine) as session, session.begin():
            call = self._call(session, call_id)
            call.ended_at = call.ended_at or self.now()
            self._keep_scorecard(call, card)

    @staticmethod
    def _keep_scorecard(call: CallRow, card: Scorecard) -> None:
        call.score = card.score
        call.products = " ".join(dict.fromkeys(doc for _, doc in card.suggested))
        call.finding_kinds = " ".join(dict.fromkeys(f.kind for f in card.findings))
        call.scorecard_json = card.model_dump_json()

    def call(self, call_id: str) -> CallRow:
        with Session(self.engine) as session:
            return self._call(session, call_id)

    @staticmethod
    def _call(session: Session, call_id: str) -> CallRow:
        found = session.get(CallRow, call_id)
        if found is None:
            raise NotFound(f"no call with id '{call_id}'")
        return found

    def exists(self, call_id: str) -> bool:
        with Session(self.engine) as session:
            return session.get(CallRow, call_id) is not None

    def utterances(self, call_id: str) -> list[Utterance]:
        with Session(self.engine) as session:
            rows = session.scalars(select(UtteranceRow).where(UtteranceRow.call_id == call_id)
                                   .order_by(UtteranceRow.number)).all()
        return [Utterance(speaker=r.speaker, text=r.text, at=_aware(r.at)) for r in rows]  # type: ignore[arg-type]

    def listed(self, agent: str | None = None, product: str | None = None, finding: str | None = None,
               day: dt.date | None = None, limit: int = 500) -> list[CallRow]:
        """Calls newest first, filtered by agent, product (a doc id suggested), finding kind and date."""
        query = select(CallRow).order_by(CallRow.started_at.desc()).limit(limit)
        if agent:
            query = query.where(CallRow.agent == agent)
        with Session(self.engine) as session:
            rows = list(session.scalars(query).all())
        return [r for r in rows if _holds(r.products, product) and _holds(r.finding_kinds, finding)
                and (day is None or _aware(r.started_at).date() == day)]

    def purge(self) -> int:
        """Delete calls that ended before the retention window (a call left open: that started
        before it), with their utterances; how many. Kept time counts from when a call was
        stored, so a recorded call replayed today is kept like one spoken today."""
        cutoff = self.now() - dt.timedelta(days=self.retention_days)
        ended_before = CallRow.ended_at.is_not(None) & (CallRow.ended_at < cutoff)
        open_since = CallRow.ended_at.is_(None) & (CallRow.started_at < cutoff)
        with Session(self.engine) as session, session.begin():
            old = list(session.scalars(select(CallRow.id).where(ended_before | open_since)).all())
            if old:
                session.execute(delete(UtteranceRow).where(UtteranceRow.call_id.in_(old)))
                session.execute(delete(CallRow).where(CallRow.id.in_(old)))
        return len(old)


def _holds(words: str, wanted: str | None) -> bool:
    return wanted is None or wanted in words.split()


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive times; they were stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def scorecard_of(row: CallRow) -> Scorecard | None:
    return Scorecard.model_validate(json.loads(row.scorecard_json)) if row.scorecard_json else None
