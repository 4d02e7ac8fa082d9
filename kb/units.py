"""A section split into what can be quoted: sentences, list items and table rows.

Each unit keeps its exact text in the section (the citation's quote) and a form to read aloud
(a table row is read with its column names: 金卡，年费：600元; Markdown emphasis is dropped). In a
question-and-answer section the question is not offered as an answer: it becomes the `asked`
context of the units that answer it.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from kb.text import split_sentences
from kb.vocab import alternation, load_checked

if TYPE_CHECKING:  # retrieval builds on units; a unit only points back at its hit
    from kb.retrieval import Hit
    from kb.store import ChunkRecord

_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]\s+)")
_EMPHASIS = re.compile(r"\*\*|__|`")
_FAQ = load_checked("faq.yaml", lists=("question_marks", "answer_marks", "reply_marks"))
_ASKED = re.compile(rf"^{alternation(_FAQ['question_marks'])}\s*\d*\s*[：:.、]|[？?]$", re.IGNORECASE)
_REPLY = re.compile(rf"(?=(?:\*\*)?{alternation(_FAQ['reply_marks'])}\s*[：:])")
_ANSWER_MARK = re.compile(rf"^{alternation(_FAQ['answer_marks'])}\s*[：:]\s*", re.IGNORECASE)
LEAD_IN_CHARS = 24


@dataclass
class Unit:
    """One quotable piece of a section: a sentence, a list item or a table row."""

    hit: "Hit"  # the chunk it is in, as retrieved
    quote: str
    display: str
    position: int
    asked: str = ""
    dense: float = 0.0  # cosine similarity to the question (with its heading)
    score: float = 0.0


def section_units(hit: "Hit") -> list[Unit]:
    sims = getattr(hit, "unit_dense", None)
    return [Unit(hit, quote, display, position, asked,
                 float(sims[position]) if sims is not None and position < len(sims) else 0.0)
            for position, (quote, display, asked) in enumerate(_parsed(hit.chunk.text))]


def unit_passages(title: str, section: str, text: str) -> list[str]:
    """What is embedded of each unit of a section: where it sits (title and heading path), the
    question of its FAQ entry if any, and what it says, so that a unit reading "免收" still says
    what it is about."""
    where = section if section == title or not title else f"{title} › {section}"
    return [f"{where}\n{asked}\n{display}" if asked else f"{where}\n{display}"
            for _quote, display, asked in _parsed(text)]


def unit_displays(text: str) -> list[str]:
    """How each unit of a text reads alone: sentences, items with their lead-in, table rows as
    列名：值 (a row's figures with what they are)."""
    return [display for _quote, display, _asked in _parsed(text)]


class UnitTable:
    """Every unit of every chunk, in chunk order, with one normalized vector each: the dense
    similarity of each sentence, list item and row to a question costs one product."""

    def __init__(self, spans: list[tuple[int, int]], matrix: np.ndarray):
        self.spans = spans    # chunk row → [start, end) of its units' rows
        self.matrix = matrix
        self._filled = np.array([e > s for s, e in spans], dtype=bool)
        self._starts = np.array([s for s, e in spans if e > s], dtype=np.int64)

    @classmethod
    def build(cls, chunks: Iterable["ChunkRecord"], titles: Callable[["ChunkRecord"], str],
              embed_passages: Callable[[list[str]], np.ndarray]) -> "UnitTable":
        """`titles`: chunk → its document's title; `embed_passages`: texts → rows."""
        spans: list[tuple[int, int]] = []
        texts: list[str] = []
        for chunk in chunks:
            passages = unit_passages(titles(chunk), chunk.meta["section"], chunk.text)
            spans.append((len(texts), len(texts) + len(passages)))
            texts += passages
        matrix = embed_passages(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        return cls(spans, np.asarray(matrix, dtype=np.float32))

    def extended(self, chunks: Iterable["ChunkRecord"], titles: Callable[["ChunkRecord"], str],
                 embed_passages: Callable[[list[str]], np.ndarray]) -> "UnitTable":
        """This table with the units of new chunks appended (a copy: searches under way keep theirs)."""
        grown = UnitTable.build(chunks, titles, embed_passages)
        offset = len(self.matrix)
        spans = self.spans + [(s + offset, e + offset) for s, e in grown.spans]
        parts = [m for m in (self.matrix, grown.matrix) if m.size]
        return UnitTable(spans, np.vstack(parts) if parts else self.matrix)

    def of_chunks(self, chunks: np.ndarray) -> np.ndarray:
        """Which units belong to the chunk rows `chunks` (a boolean mask) picks."""
        return np.repeat(chunks, [end - start for start, end in self.spans])

    def similarities(self, vector: ArrayLike) -> np.ndarray:
        if not self.matrix.size:
            return np.zeros(0, dtype=np.float32)
        return self.matrix @ np.asarray(vector, dtype=np.float32)

    def best_of_chunks(self, sims: np.ndarray) -> np.ndarray:
        """Per chunk row, the similarity of its closest unit (0 for a chunk without units)."""
        best = np.zeros(len(self.spans), dtype=np.float32)
        if len(self._starts):
            best[self._filled] = np.maximum.reduceat(sims, self._starts)
        return best


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
