"""Who changed which document or user, when, and from which content to which: kept for every
publish, rollback, override and change to a user, never edited but for its outcome, once.

An entry is written just before the store commits the version it records, so no change can be
live without one, and marked applied right after the commit. An entry still unmarked when it is
read was left by a write that failed or was killed: it is settled then, once and for good, from
the store, and only while no later entry of the document claims the same version (a publish killed
half-way and the same content published again later must not read as applied after the fact).
Changes to users are written in the transaction that makes them, applied from the start.
"""

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlalchemy import DateTime, Engine, Integer, String, Table, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.database import Base, add_missing_columns, create_tables

APPLIED, NOT_APPLIED = "applied", "not applied"
IN_FLIGHT = dt.timedelta(minutes=10)  # longer than any publish takes between entry and commit


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    user: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    doc_id: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    old_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    new_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)  # applied | not applied


@dataclass(frozen=True)
class Change:
    """An audit entry and whether the store holds the version it records."""

    id: int
    at: dt.datetime
    user: str
    action: str
    doc_id: str
    version: int
    old_hash: str | None
    new_hash: str
    reason: str
    applied: bool


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        create_tables(engine, AuditEntry)
        add_missing_columns(engine, cast(Table, AuditEntry.__table__))

    def record(self, user: str, action: str, doc_id: str, version: int, old_hash: str | None,
               new_hash: str, reason: str = "") -> int:
        entry = AuditEntry(at=dt.datetime.now(dt.UTC), user=user, action=action,
                           doc_id=doc_id, version=version, old_hash=old_hash, new_hash=new_hash,
                           reason=reason)
        with Session(self.engine) as session, session.begin():
            session.add(entry)
            session.flush()
            return entry.id

    def settle(self, entry_id: int, applied: bool) -> None:
        """An entry's outcome, written once: an outcome already settled never changes."""
        with Session(self.engine) as session, session.begin():
            session.execute(update(AuditEntry).where(AuditEntry.id == entry_id, AuditEntry.outcome.is_(None))
                            .values(outcome=APPLIED if applied else NOT_APPLIED))

    def entries(self, doc_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if doc_id:
            query = query.where(AuditEntry.doc_id == doc_id)
        with Session(self.engine) as session:
            return list(session.scalars(query))

    def history(self, committed: dict[str, str], doc_id: str | None = None) -> list[Change]:
        """The entries, newest first, each with its outcome; unsettled ones are settled from
        `committed` (doc_id@vN → content hash, the store's) as they are read."""
        entries = self.entries(doc_id)
        return [Change(e.id, e.at, e.user, e.action, e.doc_id, e.version, e.old_hash, e.new_hash, e.reason,
                       self._outcome(e, committed, entries) == APPLIED) for e in entries]

    def _outcome(self, entry: AuditEntry, committed: dict[str, str], entries: list[AuditEntry]) -> str | None:
        if entry.outcome is not None or entry.doc_id.startswith("user:"):
            return entry.outcome or APPLIED
        claimed = any(e.id > entry.id and e.doc_id == entry.doc_id and e.version == entry.version for e in entries)
        if not claimed and committed.get(f"{entry.doc_id}@v{entry.version}") == entry.new_hash:
            outcome = APPLIED  # the commit happened; the process died before marking it
        elif claimed or _as_utc(entry.at) < dt.datetime.now(dt.UTC) - IN_FLIGHT:
            outcome = NOT_APPLIED
        else:
            return None  # a publish still under way
        self.settle(entry.id, outcome == APPLIED)
        return outcome


def _as_utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
