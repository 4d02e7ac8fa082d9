"""The app database (SQLAlchemy): feedback now; users, audit log and evaluation runs later.

SQLite in the store folder by default; any SQLAlchemy URL (PostgreSQL) instead. Tables are
created on first use, so a new store needs no migration step.
"""

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    Base.metadata.create_all(engine)
    return engine


def _sqlite_pragmas(connection, _record) -> None:
    """WAL lets the panel record feedback while an evaluator reads it."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def add_missing_columns(engine: Engine, table) -> None:
    """Columns a later release added to a table (all nullable), added to a database an earlier
    release created: `create_all` makes missing tables, never missing columns."""
    present = {column["name"] for column in inspect(engine).get_columns(table.name)}
    with engine.begin() as connection:
        for column in table.columns:
            if column.name not in present:
                kind = column.type.compile(dialect=engine.dialect)
                connection.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))
