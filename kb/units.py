"""A section split into what can be quoted: sentences, list items and table rows.

Each unit keeps its exact text in the section (the citation's quote) and a form to read aloud
(a table row is read with its column names: 金卡，年费：600元; Markdown emphasis is dropped). In a
question-and-answer section the question is not offered as an answer: it becomes the `asked`
context of the units that answer it.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from kb.retrieval import Hit
from kb.text import split_sentences

_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]\s+)")
_EMPHASIS = re.compile(r"\*\*|__|`")
_ASKED = re.compile(r"^(?:问|問|q)\s*\d*\s*[：:.、]|[？?]$", re.IGNORECASE)
_REPLY = re.compile(r"(?=(?:\*\*)?答\s*[：:])")
_ANSWER_MARK = re.compile(r"^(?:答|a)\s*[：:]\s*", re.IGNORECASE)
LEAD_IN_CHARS = 24


@dataclass
class Unit:
    """One quotable piece of a section: a sentence, a list item or a table row."""

    hit: Hit
    quote: str
    display: str
    position: int
    asked: str = ""
    score: float = 0.0
    held: dict[str, float] = field(default_factory=dict)


def section_units(hit: Hit) -> list[Unit]:
    return [Unit(hit, quote, display, position, asked)
            for position, (quote, display, asked) in enumerate(_parsed(hit.chunk.text))]


@lru_cache(maxsize=20_000)
def _parsed(text: str) -> tuple[tuple[str, str, str], ...]:
    """(quote, display, asked) of each unit: parsed once per section, as every question that
    retrieves the section reads its units again."""
    units, header, asked, lead = [], None, "", ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or _TABLE_RULE.match(stripped):
            continue
        item = bool(_LIST_MARK.match(stripped))
        if not item:
            lead = _lead_in(stripped)
        if stripped.startswith("|"):
            cells = [_plain(c) for c in stripped.strip("|").split("|")]
            if header is None:
                header = cells
                continue
            units.append((stripped, _row_display(header, cells), asked))
            continue
        header = None
        for body in _REPLY.split(_LIST_MARK.sub("", stripped).lstrip("#").strip()):
            if _ASKED.search(_plain(body)):
                asked = _plain(body)
                continue
            for sentence in split_sentences(body):
                display = _ANSWER_MARK.sub("", _plain(sentence))
                if display:
                    display = lead + display if item and lead else display
                    units.append((sentence, display, asked))
    return tuple(units)


def _lead_in(line: str) -> str:
    """The clause that introduces the list below it (以下用途禁止：), which its items need to be
    read aloud alone: "购房或支付购房首付" says nothing without it."""
    if not line.endswith(("：", ":")):
        return ""
    clause = re.split(r"[。！？；]", _plain(line).lstrip("#").strip())[-1]
    return clause if len(clause) <= LEAD_IN_CHARS else ""


def _plain(text: str) -> str:
    return _EMPHASIS.sub("", text).strip()


def _row_display(header: list[str], cells: list[str]) -> str:
    parts = [cells[0]] if cells else []
    for name, value in zip(header[1:], cells[1:]):
        if value and value not in ("-", "—"):
            parts.append(f"{name}：{value}" if name else value)
    return "，".join(parts)
