"""Who changed which document, when, and from which content to which: kept for every publish,
rollback and override, never edited.

An entry is written just before the store commits the version it records, so no change can be
live without one; whether the change took effect (a write that failed or was killed did not) is
read from the store, which is the truth of what is live: `Change.applied`.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.database import Base


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
    def __init__(self, engine):
        self.engine = engine
        Base.metadata.create_all(engine, tables=[AuditEntry.__table__])

    def record(self, user: str, action: str, doc_id: str, version: int, old_hash: str | None,
               new_hash: str, reason: str = "") -> int:
        entry = AuditEntry(at=dt.datetime.now(dt.timezone.utc), user=user, action=action,
                           doc_id=doc_id, version=version, old_hash=old_hash, new_hash=new_hash,
                           reason=reason)
        with Session(self.engine) as session, session.begin():
            session.add(entry)
            session.flush()
            return entry.id

    def entries(self, doc_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if doc_id:
            query = query.where(AuditEntry.doc_id == doc_id)
        with Session(self.engine) as session:
            return list(session.scalars(query))

    def history(self, committed: dict[str, str], doc_id: str | None = None) -> list[Change]:
        """The entries with `applied` read off `committed` (doc_id@vN → content hash, the store's)."""
        return [Change(e.id, e.at, e.user, e.action, e.doc_id, e.version, e.old_hash, e.new_hash, e.reason,
                       committed.get(f"{e.doc_id}@v{e.version}") == e.new_hash)
                for e in self.entries(doc_id)]
