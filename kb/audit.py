"""Who changed which document, when, and from which content to which: kept for every publish,
rollback and override, never edited."""

import datetime as dt

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
