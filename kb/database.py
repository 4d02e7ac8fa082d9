"""The app database (SQLAlchemy): feedback now; users, audit log and evaluation runs later.

SQLite in the store folder by default; any SQLAlchemy URL (PostgreSQL) instead. The application
brings the schema up to date with Alembic migrations (application/schema.py) when it opens the
database; each store of records also makes its own tables where they are missing, so that the core
alone (a benchmark, a test) works on a new database.
"""

from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, Table, create_engine, event, inspect, text
from sqlalchemy.orm import DeclarativeBase, Session

from kb.errors import NotFound


class Base(DeclarativeBase):
    pass


Row = TypeVar("Row")


def fetched(engine: Engine, model: type[Row], key: int, missing: str) -> Row:
    """The row of `model` whose primary key is `key`, or NotFound saying `missing` (a 404 to the
    API, a message to the CLI): every store of records looks rows up this one way."""
    with Session(engine) as session:
        found = session.get(model, key)
    if found is None:
        raise NotFound(missing)
    return found


def create_tables(engine: Engine, *models: type) -> None:
    """The tables of these models, made where they are missing (each store of records makes its own)."""
    Base.metadata.create_all(engine, tables=[cast(Table, model.__table__) for model in models])  # type: ignore[attr-defined]


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL lets the panel record feedback while an evaluator reads it."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def add_missing_columns(engine: Engine, table: Table) -> None:
    """Columns a later release added to a table (all nullable), added to a database an earlier
    release created: `create_all` makes missing tables, never missing columns."""
    present = {column["name"] for column in inspect(engine).get_columns(table.name)}
    with engine.begin() as connection:
        for column in table.columns:
            if column.name not in present:
                kind = column.type.compile(dialect=engine.dialect)
                connection.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))
