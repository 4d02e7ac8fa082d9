"""Every uploaded file kept as it came, content-addressed, with the metadata it was published with,
so that any version can be shown, downloaded and restored exactly."""

import datetime as dt
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.database import Base, create_tables
from kb.errors import NotFound


class OriginalFile(Base):
    __tablename__ = "originals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_key: Mapped[str] = mapped_column(String(200), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    form_json: Mapped[str] = mapped_column(Text, default="{}")
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Originals:
    def __init__(self, folder: Path, engine: Engine) -> None:
        self.folder = folder
        self.engine = engine
        create_tables(engine, OriginalFile)

    def keep(self, doc_key: str, filename: str, data: bytes, form: dict[str, Any], user: str) -> int:
        """Store the bytes (once per content) and note which version they are; returns the row."""
        digest = hashlib.sha256(data).hexdigest()
        self._write_blob(digest, data)
        row = OriginalFile(doc_key=doc_key, sha256=digest, filename=filename,
                           form_json=json.dumps(form, ensure_ascii=False, default=str),
                           uploaded_by=user, uploaded_at=dt.datetime.now(dt.UTC))
        with Session(self.engine) as session, session.begin():
            session.add(row)
            session.flush()
            return row.id

    def forget(self, row_id: int) -> None:
        """A kept upload whose version never committed: its row goes, and its bytes unless
        another version was uploaded with the same content."""
        with Session(self.engine) as session, session.begin():
            row = session.get(OriginalFile, row_id)
            if row is None:
                return
            digest = row.sha256
            session.delete(row)
            shared = session.scalar(select(OriginalFile.id).where(OriginalFile.sha256 == digest,
                                                                  OriginalFile.id != row_id).limit(1))
        if shared is None:
            path = self.path(digest)
            path.unlink(missing_ok=True)
            if path.parent.exists() and not any(path.parent.iterdir()):
                path.parent.rmdir()

    def _write_blob(self, digest: str, data: bytes) -> None:
        """Written to a temporary file and renamed into place: a crash never leaves half a file
        under a hash's name."""
        path = self.path(digest)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)

    def path(self, digest: str) -> Path:
        return self.folder / digest[:2] / digest

    def of_version(self, doc_key: str) -> OriginalFile | None:
        with Session(self.engine) as session:
            query = select(OriginalFile).where(OriginalFile.doc_key == doc_key).order_by(OriginalFile.id.desc())
            return session.scalars(query).first()

    def read(self, doc_key: str) -> tuple[OriginalFile, bytes]:
        found = self.of_version(doc_key)
        if found is None:
            raise NotFound(f"no uploaded original for {doc_key} (it came from a folder ingest)")
        return found, self.path(found.sha256).read_bytes()
