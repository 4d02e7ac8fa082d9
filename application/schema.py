"""The app database's schema, kept by Alembic migrations (application/migrations/versions): every
process brings the database up to the newest revision when it first opens it, on SQLite and on
PostgreSQL alike, so that a schema change reaches a database an earlier release made.

The core and `evals` declare their tables; this layer sees them all, which the core cannot."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

import evals.call_runs
import evals.jobs
import evals.review
import evals.runs
import kb.audit
import kb.calls.events
import kb.calls.records
import kb.feedback
import kb.gaps
import kb.lockout
import kb.originals
import kb.sessions
import kb.users
from kb.database import Base

metadata = Base.metadata
MODULES = (kb.audit, kb.calls.events, kb.calls.records, kb.feedback, kb.gaps, kb.lockout, kb.originals,
           kb.sessions, kb.users, evals.call_runs, evals.jobs, evals.review, evals.runs)
SCRIPTS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"  # the schema of the last release before migrations, which made its tables itself
# The tables of that baseline: a database with some of them and no revision is completed with the
# others before it is marked as the baseline (the core alone, or a benchmark, makes only its own).
BASELINE_TABLES = ("audit_log", "eval_jobs", "eval_runs", "failed_sign_ins", "feedback", "originals",
                   "review_items", "unanswered", "users", "eval_items", "sign_ins")


def upgrade(engine: Engine) -> None:
    """The database at the newest revision. One an earlier release made (its tables, no record of
    a revision), or the core alone (its own tables only), is first completed to the baseline's
    tables and marked as the baseline, then upgraded like any other."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        tables = set(inspect(connection).get_table_names())
        if tables - {"alembic_version"} and "alembic_version" not in tables:
            metadata.create_all(connection, tables=[metadata.tables[t] for t in BASELINE_TABLES if t not in tables])
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")


def revision(engine: Engine) -> str | None:
    """The revision the database is at (None before any)."""
    with engine.connect() as connection:
        if "alembic_version" not in inspect(connection).get_table_names():
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
