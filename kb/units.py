"""A section split into what can be quoted: sentences, list items and table rows.

Each unit keeps its exact text in the section (the citation's quote) and a form to read aloud
(a table row is read with its column names: 金卡，年费：600元).
"""

import re
from dataclasses import dataclass, field

from kb.retrieval import Hit
from kb.text import split_sentences

_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]\s+)")


@dataclass
class Unit:
    """One quotable piece of a section: a sentence, a list item or a table row."""

    hit: Hit
    quote: str
    display: str
    position: int
    score: float = 0.0
    held: dict[str, float] = field(default_factory=dict)


def section_units(hit: Hit) -> list[Unit]:
    units, header = [], None
    for line in hit.chunk.text.splitlines():
        stripped = line.strip()
        if not stripped or _TABLE_RULE.match(stripped):
            continue
        if stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if header is None:
                header = cells
                continue
            units.append(Unit(hit, stripped, _row_display(header, cells), len(units)))
            continue
        header = None
        body = _LIST_MARK.sub("", stripped).lstrip("#").strip()
        for sentence in split_sentences(body):
            units.append(Unit(hit, sentence, sentence, len(units)))
    return units


def _row_display(header: list[str], cells: list[str]) -> str:
    parts = [cells[0]] if cells else []
    for name, value in zip(header[1:], cells[1:]):
        if value and value not in ("-", "—"):
            parts.append(f"{name}：{value}" if name else value)
    return "，".join(parts)
