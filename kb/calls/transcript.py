"""The transcript of a call: utterances as the call platform's speech recognition posts them
(`POST /calls/{id}/utterances`), or a recorded call as JSON Lines (evals/calls/README.md), with
an optional `qa` block of the findings a quality inspector expects."""

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kb.errors import BadRequest

Speaker = Literal["customer", "agent"]
SPEAKERS = ("customer", "agent")
MAX_UTTERANCE_CHARS = 2000


@dataclass(frozen=True)
class Utterance:
    speaker: Speaker
    text: str
    at: dt.datetime

    def to_dict(self) -> dict[str, str]:
        return {"speaker": self.speaker, "text": self.text, "at": self.at.isoformat()}


@dataclass
class Transcript:
    call_id: str
    agent: str | None
    started: dt.datetime | None
    utterances: list[Utterance]
    qa: dict[str, Any] = field(default_factory=dict)

    @property
    def day(self) -> dt.date:
        """The call's date: the documents in force then are the ones its figures are checked against."""
        first = self.started or (self.utterances[0].at if self.utterances else None)
        return first.date() if first else dt.date.today()


def utterance(data: Any, where: str = "utterance") -> Utterance:
    """An utterance from posted JSON, each field checked: a bad one names its field and rule."""
    if not isinstance(data, dict):
        raise BadRequest(f"{where}: must be an object with speaker, text and at")
    speaker = data.get("speaker")
    if speaker not in SPEAKERS:
        raise BadRequest(f"{where}: speaker: must be one of {', '.join(SPEAKERS)}")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest(f"{where}: text: must be a non-empty string")
    if len(text) > MAX_UTTERANCE_CHARS:
        raise BadRequest(f"{where}: text: must be at most {MAX_UTTERANCE_CHARS} characters")
    return Utterance(speaker=speaker, text=text.strip(), at=timestamp(data.get("at"), f"{where}: at"))


def timestamp(value: Any, where: str) -> dt.datetime:
    """An ISO 8601 time; one without an offset is read as UTC."""
    if not isinstance(value, str):
        raise BadRequest(f"{where}: must be an ISO 8601 time")
    try:
        found = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{where}: must be an ISO 8601 time, not {value[:40]!r}") from None
    return found if found.tzinfo else found.replace(tzinfo=dt.UTC)


def read_transcript(path: Path) -> Transcript:
    """A recorded call: its header, its utterances in order, and its expected findings."""
    header: dict[str, Any] = {}
    qa: dict[str, Any] = {}
    spoken: list[Utterance] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name}: line {number}"
        data = _json(line, where)
        if "call" in data:
            header = _mapping(data["call"], f"{where}: call")
        elif "qa" in data:
            qa = _mapping(data["qa"], f"{where}: qa")
        else:
            spoken.append(utterance(data, where))
    started = header.get("started")
    return Transcript(call_id=str(header.get("id") or path.stem), agent=header.get("agent"),
                      started=timestamp(started, f"{path.name}: call: started") if started else None,
                      utterances=spoken, qa=qa)


def _json(line: str, where: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise BadRequest(f"{where}: not JSON ({error.msg})") from None
    if not isinstance(data, dict):
        raise BadRequest(f"{where}: must be a JSON object")
    return data


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{where}: must be an object")
    return value
