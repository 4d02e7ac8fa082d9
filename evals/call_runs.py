"""Recorded runs of `kb eval-calls`, in the app database beside the evaluation runs: the figures of
each run, the recorded calls' hash, the model and the scorecard rules' hash, so that runs over time
can be compared like the answer evaluations."""

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.database import Base, create_tables


class CallEvalRun(Base):
    __tablename__ = "call_eval_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    folder: Mapped[str] = mapped_column(Text)
    calls_hash: Mapped[str] = mapped_column(String(64))
    rules_hash: Mapped[str] = mapped_column(String(64))
    embed_model: Mapped[str] = mapped_column(Text)
    figures_json: Mapped[str] = mapped_column(Text)


def folder_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.jsonl")):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class CallEvalRuns:
    def __init__(self, engine: Engine):
        self.engine = engine
        create_tables(engine, CallEvalRun)

    def record(self, folder: Path, figures: dict[str, Any], rules_hash: str, embed_model: str) -> int:
        row = CallEvalRun(created_at=dt.datetime.now(dt.UTC), folder=folder.name, calls_hash=folder_hash(folder),
                          rules_hash=rules_hash, embed_model=embed_model, figures_json=json.dumps(figures))
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return row.id

    def summaries(self) -> list[dict[str, Any]]:
        """Every run, oldest first: when, on what, and its pooled figures."""
        with Session(self.engine) as session:
            rows = session.scalars(select(CallEvalRun).order_by(CallEvalRun.id)).all()
        return [{"id": r.id, "created_at": r.created_at.isoformat(), "folder": r.folder,
                 "calls_hash": r.calls_hash[:12], "rules_hash": r.rules_hash[:12],
                 **{k: json.loads(r.figures_json)["all"].get(k) for k in ("calls", "precision", "recall", "suggestion_hit")}}
                for r in rows]
