"""Vectors already computed, on disk, keyed by (model, prompt and text): text is never embedded
twice, whether by a re-ingest, a publish, a rebuild of a large knowledge base or the test suite.

One SQLite file (WAL, so that several processes read while one writes). A vector is a pure
function of its key, so a row is never updated, and a lost or deleted file only costs time.
"""

import hashlib
import sqlite3
import threading
from pathlib import Path

import numpy as np

_SCHEMA = ("CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key BLOB NOT NULL, "
           "vector BLOB NOT NULL, PRIMARY KEY (model, key)) WITHOUT ROWID")
_BATCH = 500  # SQLite's limit on bound parameters is far above this


def text_key(prompt: str, text: str) -> bytes:
    return hashlib.sha256(f"{prompt}\x00{text}".encode()).digest()[:20]


class EmbeddingCache:
    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread (sqlite3 connections are not shared across threads)."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(_SCHEMA)
            self._local.connection = connection
        return connection

    def get(self, model: str, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        for start in range(0, len(keys), _BATCH):
            batch = keys[start:start + _BATCH]
            rows = self._connection().execute(
                f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({','.join('?' * len(batch))})",
                [model, *batch])
            found.update((key, np.frombuffer(vector, dtype=np.float32)) for key, vector in rows)
        return found

    def put(self, model: str, vectors: dict[bytes, np.ndarray]) -> None:
        rows = [(model, key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in vectors.items()]
        connection = self._connection()
        connection.execute("BEGIN")
        connection.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?, ?)", rows)
        connection.execute("COMMIT")

    def size(self, model: str | None = None) -> int:
        query, args = "SELECT COUNT(*) FROM vectors", []
        if model is not None:
            query, args = query + " WHERE model = ?", [model]
        return int(self._connection().execute(query, args).fetchone()[0])
