"""Failed sign-ins, counted per user and per address: after too many in a window, sign-in is
refused for a while, even with the right password, so that a password cannot be guessed by trying
many, nor many users' passwords from one address. Kept in the app database, so that every worker
counts the same failures."""

import datetime as dt
from collections.abc import Callable

from sqlalchemy import DateTime, Engine, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.database import Base, create_tables


class FailedSignIn(Base):
    __tablename__ = "failed_sign_ins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)  # "user:NAME" or "address:IP"
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class Lockout:
    def __init__(self, engine: Engine, per_user: int, per_address: int, minutes: float,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)):
        self.engine, self.clock = engine, clock
        self.limits = {"user": per_user, "address": per_address}
        self.window = dt.timedelta(minutes=minutes)
        create_tables(engine, FailedSignIn)

    def locked(self, name: str, address: str) -> float | None:
        """Minutes until sign-in is allowed again, or None when it is allowed now."""
        since = self.clock() - self.window
        with Session(self.engine) as session:
            waits = []
            for kind, key in (("user", f"user:{name}"), ("address", f"address:{address}")):
                count, last = session.execute(select(func.count(), func.max(FailedSignIn.at))
                                              .where(FailedSignIn.key == key, FailedSignIn.at > since)).one()
                if count >= self.limits[kind]:
                    waits.append((_utc(last) + self.window - self.clock()).total_seconds() / 60)
        return max(waits) if waits else None

    def failed(self, name: str, address: str) -> None:
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            session.add_all([FailedSignIn(key=f"user:{name}", at=now), FailedSignIn(key=f"address:{address}", at=now)])
            session.execute(delete(FailedSignIn).where(FailedSignIn.at < now - self.window))

    def succeeded(self, name: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(delete(FailedSignIn).where(FailedSignIn.key == f"user:{name}"))


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
