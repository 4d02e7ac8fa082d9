"""Figures as speech recognition writes them (百分之三点五, 一万二, 三个点, 八百块) turned into the
written forms documents use (3.5%, 12000, 3%, 800元), before the text is canonicalized: an
agent states figures aloud, and a figure must be compared with the document's."""

import re

from kb.text import chinese_number

_NUMERAL = "零〇一二两三四五六七八九十百千"
_DIGIT = {"零": "0", "〇": "0", "一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5",
          "六": "6", "七": "7", "八": "8", "九": "9"}
_PERCENT = re.compile(rf"百分之([{_NUMERAL}\d]+)(?:点([{_NUMERAL}\d]+))?")
_DECIMAL = re.compile(rf"([{_NUMERAL}\d]+)点([零〇一二三四五六七八九\d]+)(?=个点|%|厘|倍|年|万|元|块)")
_POINTS = re.compile(rf"([{_NUMERAL}\d]+(?:\.\d+)?)个点")
# 一万二 (12000) and 一千二 (1200): the last numeral is a tenth of the unit before it.
_SHORT = re.compile(r"([一二两三四五六七八九\d])(万|千)([一二三四五六七八九])(?![" + _NUMERAL + r"\d万元块])")
_SCALE = {"万": 10000, "千": 1000}


def written_figures(text: str) -> str:
    """The text with spoken figures written as digits (the rest is left as it is)."""
    text = _PERCENT.sub(lambda m: _decimal(m.group(1), m.group(2)) + "%", text)
    text = _DECIMAL.sub(lambda m: _decimal(m.group(1), m.group(2)), text)
    text = _POINTS.sub(lambda m: _integer(m.group(1)) + "%", text)
    return _SHORT.sub(_short, text)


def _integer(numeral: str) -> str:
    if numeral.isdigit():
        return numeral
    value = chinese_number(numeral)
    return numeral if value is None else str(value)


def _decimal(whole: str, fraction: str | None) -> str:
    if not fraction:
        return _integer(whole)
    return f"{_integer(whole)}.{''.join(_DIGIT.get(c, c) for c in fraction)}"


def _short(match: re.Match[str]) -> str:
    head = int(_integer(match.group(1)))
    scale = _SCALE[match.group(2)]
    return str(head * scale + int(_DIGIT[match.group(3)]) * scale // 10)
