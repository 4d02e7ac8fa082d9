"""Fixtures (imported by tests/conftest.py): a real PostgreSQL server, started once per session for the tests that prove the app database
(evaluation runs, users, feedback, audit log) works on PostgreSQL as well as on SQLite.

Never skipped: without PostgreSQL the fixture fails and says to run `make postgres`. The server
lives in a tmp folder, listens on 127.0.0.1 only, trusts local connections, and is stopped at
the end of the session whatever the tests did.
"""

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

USER = "kb"


def pg_bin(name: str) -> str:
    """A PostgreSQL program on PATH, else Debian's newest under /usr/lib/postgresql/N/bin."""
    found = shutil.which(name) or max(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), default=None,
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found is None:
        pytest.fail(f"PostgreSQL's {name} was not found on PATH or under /usr/lib/postgresql/*/bin: "
                    "run `make postgres` to install it (the PostgreSQL tests are never skipped)")
    return found


def as_server_user(*command: str, cwd: Path) -> subprocess.CompletedProcess:
    """initdb and postgres refuse to run as root, so as root they run as the `postgres` user."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command], cwd=cwd, capture_output=True, text=True, timeout=120)


def checked(result: subprocess.CompletedProcess, what: str, log: Path | None = None) -> None:
    if result.returncode != 0:
        server_log = log.read_text(errors="replace") if log and log.exists() else ""
        pytest.fail(f"{what} failed ({result.returncode}): {result.stdout}{result.stderr}{server_log}")


def make_folder() -> Path:
    """Not under pytest's tmp folder: that one is root's alone, and the server user must own it."""
    folder = Path(tempfile.mkdtemp(prefix="kb-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    return folder


def start_server(folder: Path, port: int) -> None:
    """fsync off: the data is thrown away after the session, so durability only costs time."""
    data, log = folder / "data", folder / "server.log"
    checked(as_server_user(pg_bin("initdb"), "-D", str(data), "-U", USER, "-A", "trust",
                           "-E", "UTF8", "--no-locale", "--no-sync", cwd=folder), "initdb")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
    checked(as_server_user(pg_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
                           "-w", "-t", "60", "start", cwd=folder), "pg_ctl start", log)


def stop_server(folder: Path) -> None:
    as_server_user(pg_bin("pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "-w", "stop",
                   cwd=folder)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server(kbtest):
    """The server's base URL (no database); one server for the whole session."""
    pg_bin("initdb")  # fail with the `make postgres` hint before making anything
    folder, port = make_folder(), kbtest.free_port()
    try:
        start_server(folder, port)
        yield f"postgresql+psycopg://{USER}@127.0.0.1:{port}"
    finally:
        stop_server(folder)


_numbers = itertools.count(1)


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A SQLAlchemy URL of a fresh, empty database of this test's own on the server."""
    name = f"test_{next(_numbers)}"
    engine = create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
    finally:
        engine.dispose()
    return f"{postgres_server}/{name}"
