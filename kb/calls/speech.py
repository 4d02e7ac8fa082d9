"""Figures as speech recognition writes them (百分之三点五, 一万二, 三个点, 八百块) turned into the
written forms documents use (3.5%, 12000, 3%, 800元), before the text is canonicalized: an
agent states figures aloud, and a figure must be compared with the document's."""

import re

from kb.text import chinese_number
from kb.vocab import alternation, load_checked

_WORDS = load_checked("speech.yaml", lists=("percent_before", "decimal_point", "decimal_units", "points_after",
                                            "short_not_before", "tenths_after", "tenths_not_before"),
                      mappings=("short_scales", "digit_names", "full_scales"))
_NUMERALS = load_checked("numerals.yaml", lists=("counters",), mappings=("digits", "multipliers"))
_DIGIT: dict[str, str] = {str(k): str(v) for k, v in _NUMERALS["digits"].items()}
_READ_OUT = _DIGIT | {str(k): str(v) for k, v in _WORDS["digit_names"].items()}
_SCALE: dict[str, int] = {str(k): int(v) for k, v in _WORDS["short_scales"].items()}
NUMERAL = re.escape("".join(_DIGIT) + "".join(map(str, _NUMERALS["multipliers"])))  # a number's words, for [...]
_POINT = alternation(_WORDS["decimal_point"])
_PERCENT = re.compile(rf"{alternation(_WORDS['percent_before'])}([{NUMERAL}\d]+)(?:{_POINT}([{NUMERAL}\d]+))?")
_DECIMAL = re.compile(rf"([{NUMERAL}\d]+){_POINT}([{re.escape(''.join(_DIGIT))}\d]+)"
                      rf"(?={alternation(_WORDS['decimal_units'])})")
_POINTS = re.compile(rf"([{NUMERAL}\d]+(?:\.\d+)?){alternation(_WORDS['points_after'])}")
_NONZERO = re.escape("".join(d for d, v in _DIGIT.items() if v != "0"))
# 一万二 (12000) and 一千二 (1200): the last numeral is a tenth of the scale before it.
_TENTHS = re.compile(rf"([{NUMERAL}\d]+)({alternation(_WORDS['tenths_after'])})([{re.escape(''.join(_DIGIT))}\d])"
                     rf"(?![{NUMERAL}\d]|{alternation(_WORDS['tenths_not_before'] + _NUMERALS['counters'])})")
_MULTIPLIER = re.escape("".join(map(str, _NUMERALS["multipliers"])) + "".join(map(str, _WORDS["short_scales"])))
_DIGIT_RUN = re.compile(rf"(?<![{_MULTIPLIER}])[{re.escape(''.join(_READ_OUT))}]{{{int(_WORDS['digit_run'])},}}"
                        rf"(?![{_MULTIPLIER}])")
_FULL_SCALE: dict[str, int] = {str(k): int(v) for k, v in _WORDS["full_scales"].items()}
_MULTIPLIERS = re.escape("".join(map(str, _NUMERALS["multipliers"])))
_FULL = re.compile(rf"([{NUMERAL}]+)({alternation(list(_FULL_SCALE))})([{NUMERAL}]*[{_MULTIPLIERS}][{NUMERAL}]*)")
_SHORT = re.compile(rf"([{_NONZERO}\d])({alternation(list(_SCALE))})([{_NONZERO}])"
                    rf"(?![{NUMERAL}\d]|{alternation(_WORDS['short_not_before'])})")


def written_figures(text: str) -> str:
    """The text with spoken figures written as digits (the rest is left as it is)."""
    text = _PERCENT.sub(lambda m: _decimal(m.group(1), m.group(2)) + "%", text)
    text = _FULL.sub(_full, text)
    text = _TENTHS.sub(lambda m: f"{_integer(m.group(1))}.{_DIGIT.get(m.group(3), m.group(3))}元", text)
    text = _DECIMAL.sub(lambda m: _decimal(m.group(1), m.group(2)), text)
    text = _POINTS.sub(lambda m: _integer(m.group(1)) + "%", text)
    text = _SHORT.sub(_short, text)
    return _DIGIT_RUN.sub(lambda m: "".join(_READ_OUT[c] for c in m.group(0)), text)


def _integer(numeral: str) -> str:
    if numeral.isdigit():
        return numeral
    value = chinese_number(numeral)
    return numeral if value is None else str(value)


def _decimal(whole: str, fraction: str | None) -> str:
    if not fraction:
        return _integer(whole)
    return f"{_integer(whole)}.{''.join(_DIGIT.get(c, c) for c in fraction)}"


def _full(match: re.Match[str]) -> str:
    """三万两千六百 → 32600, 两万零五十 → 20050; as it stands where the rest is not a number below
    the scale."""
    head, rest = chinese_number(match.group(1)), chinese_number(match.group(3).lstrip("零〇"))
    scale = _FULL_SCALE[match.group(2)]
    if head is None or rest is None or rest >= scale:
        return match.group(0)
    return str(head * scale + rest)


def _short(match: re.Match[str]) -> str:
    head = int(_integer(match.group(1)))
    scale = _SCALE[match.group(2)]
    return str(head * scale + int(_DIGIT[match.group(3)]) * scale // 10)
