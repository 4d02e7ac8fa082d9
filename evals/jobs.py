"""Evaluation runs started from the pages: one at a time, in a background thread of the serving
process that started it, recorded as `kb eval` records it. Progress is kept in the app database,
so that any worker of the server can answer the page that polls it."""

import datetime as dt
import hashlib
import logging
import re
import threading
from pathlib import Path

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from evals.runner import load_dataset, parse_dataset
from kb.database import Base, create_tables, fetched
from kb.errors import BadRequest, KBError

log = logging.getLogger("kb")

# A job whose progress has not moved for this long died with its process.
STALE_AFTER = dt.timedelta(minutes=5)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class EvalJob(Base):
    __tablename__ = "eval_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(Text)
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)

    @property
    def finished(self) -> bool:
        return self.run_id is not None or self.error is not None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


class EvalJobs:
    def __init__(self, kb):
        self.kb = kb
        self.engine = kb.database
        create_tables(self.engine, EvalJob)
        self._lock = threading.Lock()

    def start(self, dataset: Path, user: str) -> EvalJob:
        """The set is read and checked before the thread starts, so a bad one is refused at once."""
        total = len(load_dataset(dataset))
        with self._lock, Session(self.engine, expire_on_commit=False) as session, session.begin():
            if self._running(session):
                raise BadRequest("an evaluation run is in progress; wait for it to finish")
            job = EvalJob(dataset=str(dataset), started_by=user, started_at=utc_now(),
                          updated_at=utc_now(), total=total, done=0)
            session.add(job)
        threading.Thread(target=self._run, args=(job.id, dataset), daemon=True,
                         name=f"kb-eval-{job.id}").start()
        return job

    def start_uploaded(self, filename: str, data: bytes, user: str) -> EvalJob:
        """A run of an uploaded set, kept by content beside the store (a later run may reuse
        it): a bad set is refused before anything of it is written, and a set whose run cannot
        start (another one is running) is not kept either."""
        if len(data) > self.kb.settings.upload_max_bytes:
            raise BadRequest(f"{filename}: larger than {self.kb.settings.upload_max_bytes} bytes")
        parse_dataset(data, filename)
        folder = self.kb.settings.store / "evalsets"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{hashlib.sha256(data).hexdigest()[:16]}-{_safe(filename)}"
        kept_before = path.exists()
        path.write_bytes(data)
        try:
            return self.start(path, user)
        except KBError:
            if not kept_before:
                path.unlink()
            raise

    def get(self, job_id: int) -> EvalJob:
        return fetched(self.engine, EvalJob, job_id, f"no evaluation job {job_id}")

    def _running(self, session: Session) -> bool:
        recent = utc_now() - STALE_AFTER
        return session.scalar(select(EvalJob.id).where(
            EvalJob.run_id.is_(None), EvalJob.error.is_(None), EvalJob.updated_at > recent)) is not None

    def _run(self, job_id: int, dataset: Path) -> None:
        try:
            run_id = self.kb.evaluate(dataset, progress=lambda done, total: self._progress(job_id, done, total)).run_id
            self._update(job_id, run_id=run_id)
        except KBError as exc:
            self._update(job_id, error=str(exc))
        except Exception:  # a thread's crash must still end its job, or no run could start again
            log.exception("evaluation job %s failed", job_id)
            self._update(job_id, error="the run failed unexpectedly; the server log says why")

    def _progress(self, job_id: int, done: int, total: int) -> None:
        """Every few items: a write per item would cost more than the item."""
        if done % 5 == 0 or done == total:
            self._update(job_id, done=done)

    def _update(self, job_id: int, **changes) -> None:
        with Session(self.engine) as session, session.begin():
            job = session.get(EvalJob, job_id)
            for name, value in {**changes, "updated_at": utc_now()}.items():
                setattr(job, name, value)


def _safe(filename: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(filename).name)[-80:]
    return name if name.endswith(".jsonl") else name + ".jsonl"
