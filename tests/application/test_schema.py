"""Migrations: a database an earlier release made is brought up to the newest revision without
losing a row, on SQLite and on a real PostgreSQL; a new database starts at the newest revision."""

import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from application import Application
from application.schema import revision
from kb.config import get_settings
from kb.knowledge_base import KnowledgeBase

PREVIOUS = Path(__file__).parent / "previous_release"
HEAD = "0003"


def opened(tmp_path: Path, database_url: str) -> Application:
    """The application over that database, its schema upgraded as a server start does."""
    app = Application(get_settings(store=tmp_path / "store", database_url=database_url))
    _ = app.database
    return app


def kept_and_upgraded(app: Application) -> None:
    engine = app.database
    assert revision(engine) == HEAD
    assert "ix_eval_runs_dataset_hash" in {i["name"] for i in inspect(engine).get_indexes("eval_runs")}
    assert [u["name"] for u in app.users.list()] == ["ann"]
    assert [f.comment for f in app.feedback.recent()] == ["没说附属卡"]


def test_a_previous_release_sqlite_database_is_upgraded_with_its_rows(tmp_path):
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as connection:
        connection.executescript((PREVIOUS / "app_db.sqlite.sql").read_text(encoding="utf-8"))
    kept_and_upgraded(opened(tmp_path, f"sqlite:///{path}"))


def test_a_previous_release_postgresql_database_is_upgraded_with_its_rows(tmp_path, postgres_url):
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        lines = (PREVIOUS / "app_db.postgresql.sql").read_text(encoding="utf-8").splitlines()
        script = "\n".join(line for line in lines if not line.startswith("--"))
        for statement in filter(str.strip, script.split(";")):
            connection.execute(text(statement))
    engine.dispose()
    kept_and_upgraded(opened(tmp_path, postgres_url))


def test_a_new_database_starts_at_the_newest_revision_and_opens_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert revision(opened(tmp_path, url).database) == HEAD
    assert revision(opened(tmp_path, url).database) == HEAD  # a second start finds nothing to do


def test_a_database_the_core_alone_made_opens_under_the_application(tmp_path):
    """The core (a library user, a benchmark) makes only its own tables; `kb serve` on that store
    then completes the baseline's before upgrading, instead of failing on an evaluation table."""
    settings = get_settings(store=tmp_path / "store")
    core = KnowledgeBase(settings)
    core.users.add("ann", "admin")
    core.feedback.record("星辰金卡年费多少", {"answer": {"status": "answered", "text": "…"}}, "down", "没说附属卡")
    assert "eval_runs" not in inspect(core.database).get_table_names()
    app = Application(settings)
    assert revision(app.database) == HEAD
    assert "ix_eval_runs_dataset_hash" in {i["name"] for i in inspect(app.database).get_indexes("eval_runs")}
    assert [u["name"] for u in app.users.list()] == ["ann"]
    assert [f.comment for f in app.feedback.recent()] == ["没说附属卡"]
