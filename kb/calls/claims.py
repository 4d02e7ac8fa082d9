"""The figures an agent states during a call, and which of a document's sentences speak of them:
the words just before a figure say what it is (年费 of 年费800元), the other figures of its clause
key it (3年 of 3年期1.75%), and a document's sentence speaks of it when the words before one of
its figures of the same measure share the agent's."""

import re
from typing import NamedTuple

from kb.calls.speech import NUMERAL
from kb.figures import FIGURE_TEXT, Figure, equivalents, stated_spans
from kb.memo import Memo
from kb.vocab import alternation, load_checked, read_text


class Claim(NamedTuple):
    """A figure the agent states, with what tells which of the document's figures it is about."""

    stated: str
    figure: Figure
    attribute: frozenset[str]
    keys: tuple[str, ...]
    products: tuple[str, ...]
    at_most: bool = False  # said as an upper limit (最多3次): read by value against one
    bound: str | None = None  # said as a bound, "low" (满3万) or "high" (不能低于10万): read by value against its kind
    sentence: str = ""  # the sentence it stands in


def pairs(text: str) -> frozenset[str]:
    """Character pairs of normalized text: how a fuzzy reading of a disclosure is matched."""
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


DOCUMENT_PIECES = Memo(limit=2_000)
_MARKS = load_checked("speech.yaml", lists=("date_after", "ordinal_before", "range_words", "sentence_ends",
                                            "clause_ends", "asking_ends", "event_before", "event_not_after",
                                            "per_before", "per_after"))
ORDINAL_BEFORE = re.compile(rf"{alternation(_MARKS['ordinal_before'])}$")
# 1月1日 and 3月十一号 are dates, not figures of months
DATE_AFTER = re.compile(rf"[\d{NUMERAL}]+{alternation(_MARKS['date_after'])}")
RANGE_BEFORE = re.compile(rf"{alternation(_MARKS['range_words'])}$")
PIECES = re.compile(alternation(_MARKS["sentence_ends"]))
CLAUSES = re.compile(alternation(_MARKS["clause_ends"]))
ASKING_END = re.compile(alternation(_MARKS["asking_ends"]))
EVENT_BEFORE = re.compile(rf"(?<!{alternation(_MARKS['event_not_after'])}){alternation(_MARKS['event_before'])}$")
# Before a figure, its words end at a clause's end, a list's 、 or another figure.
PER_BEFORE = re.compile(rf"{alternation(_MARKS['per_before'])}$")
PER_AFTER = re.compile(alternation(_MARKS["per_after"]))
# Words that say nothing of what a figure is (可以, 需要): left out of the words before it.
FILLERS = re.compile(alternation([w for w in read_text("stopwords.txt").split() if len(w) > 1]))
WORDS_BEFORE = re.compile(alternation(_MARKS["clause_ends"] + ["、", "%"]) + r"|\d")


def attribute_before(canonical: str, start: int, width: int) -> frozenset[str]:
    """Character pairs of the words just before a figure, back to a punctuation mark or figure,
    without the filler words between (借款期限最长可以选5年: 期限 is what the figure is)."""
    before = FILLERS.sub("", re.sub(r"[:：\s]", "", canonical[max(0, start - width - 6):start]))[-width:]
    before = WORDS_BEFORE.split(before)[-1]
    return pairs(before)


def asked(canonical: str, end: int) -> bool:
    """Whether the sentence a figure stands in asks or confirms rather than states."""
    mark = PIECES.search(canonical, end)
    return bool(mark and ASKING_END.fullmatch(mark.group(0)))


def happened(canonical: str, start: int) -> bool:
    """Whether a figure counts an event (办理了一笔) rather than states a rule."""
    return bool(EVENT_BEFORE.search(canonical, 0, start))


def per(canonical: str, match: re.Match[str]) -> bool:
    """Whether a 1年 or 1次 says "per" or "at once" (每1次, 1次性, 1年3次) rather than counts
    (只能办1次)."""
    rest = CLAUSES.split(canonical[match.end():])[0]
    return bool(PER_BEFORE.search(canonical, 0, match.start()) or PER_AFTER.match(canonical, match.end())
                or FIGURE_TEXT.search(rest))


def sentence_before(canonical: str, start: int) -> str:
    """The sentence a figure stands in, up to the figure."""
    return PIECES.split(canonical[:start])[-1]


def sentence_of(canonical: str, start: int) -> str:
    """The whole sentence a figure stands in."""
    return sentence_before(canonical, start) + PIECES.split(canonical[start:])[0]


def clause_of(canonical: str, start: int) -> str:
    """The clause a figure stands in (back to the last punctuation mark)."""
    return CLAUSES.split(canonical[:start])[-1]


def keyed(pieces: list[str], keys: tuple[str, ...]) -> list[str]:
    """The pieces that hold every key, where some do (the 3年 row for 3年期1.75%); else those
    that hold some key; none where no piece holds any (the rows about 3个月 and 6个月 say nothing
    of a rate for 1年); all where the figure has no key."""
    if not keys:
        return pieces
    holding = [x for x in pieces if all(k in x for k in keys)]
    return holding or [x for x in pieces if any(k in x for k in keys)]


def pieces_of(passage: str) -> list[str]:
    return [p for p in PIECES.split(passage) if p]


def speaks_of(piece: str, claim: Claim, least: int, width: int) -> bool:
    """Whether a document's sentence states a figure of the measure about what the agent's words
    say: the words before one of its figures (across commas: a row's label, 借款期限，内容：6个月)
    share the agent's."""
    return closeness(piece, claim, width) >= least


def closeness(piece: str, claim: Claim, width: int) -> int:
    """How many character pairs the words before the piece's figures of the claim's measure share
    with the agent's words before theirs, at most."""
    measures = {e.measure for e in equivalents(claim.figure)}
    return max((len(pairs(_label(piece, m.start(), width)) & claim.attribute)
                for m, f in stated_spans(piece) if f.measure in measures), default=0)


def _label(piece: str, start: int, width: int) -> str:
    """The words before a figure, and where the piece is a table's row (its first cell, then
    header: value cells) or an item that names what it states before a colon, that name:
    电报费(汇往港澳台地区) labels the 40元 of its 网上银行标准 cell, however long the headers between,
    and 免费次数 the 8次 of 主卡持卡人每个自然年度享受8次."""
    row = TABLE_ROW.match(piece)
    label = row.group(1) if row and row.end(1) <= start - width else ""
    return re.sub(r"[\d.%、,，:：]", "", label + piece[max(0, start - width):start])


# A table row (its first cell, then header: value cells), or an item that names what it states
# before a colon (免费次数：主卡持卡人每个自然年度享受8次…).
TABLE_ROW = re.compile(r"([^,:：]+)(?:,[^,:：]{1,30})?[:：]")


def without_figures(canonical: str) -> str:
    return FIGURE_TEXT.sub("", canonical)
