"""Money amounts in questions and the amount bands of fee tables, so that "转8000块" finds the row
"5000元至10000元（含）" of a tiered fee schedule. Its words are data: kb/vocab/money.yaml."""

import re

from kb.vocab import alternation, load_checked

_WORDS = load_checked("money.yaml", lists=("written", "spoken", "spoken_tail", "ten_thousand",
                                           "not_money_after_ten_thousand", "above", "below", "inclusive", "range"))
_ABOVE = tuple(_WORDS["above"])
_YUAN = alternation(_WORDS["written"])
_SAID = alternation(_WORDS["written"] + _WORDS["spoken"])
_WAN = alternation(_WORDS["ten_thousand"])
_INCLUSIVE = alternation(_WORDS["inclusive"])
# An amount as tables write it: 10,000, or plain digits (8000, 1.5). Written with thousands
# separators, a number is an amount of money even with no currency word beside it (a fee table's
# column header often holds the currency: "贷款额（港元） | 10,000 至 99,999").
_SEPARATED = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)"
_NUMBER = rf"({_SEPARATED}|\d+(?:\.\d+)?)\s*({_WAN})?"
_MONEY = re.compile(rf"{_NUMBER}\s*{_SAID}{alternation(_WORDS['spoken_tail'])}?|"
                    rf"(\d+(?:\.\d+)?)\s*({_WAN})(?!\s*{alternation(_WORDS['not_money_after_ten_thousand'])})")
_RANGE = alternation(_WORDS["range"])
_BAND = re.compile(rf"{_NUMBER}\s*{_YUAN}?\s*{_INCLUSIVE}?\s*{_RANGE}\s*{_NUMBER}\s*{_YUAN}|"
                   rf"({_SEPARATED})\s*{_INCLUSIVE}?\s*{_RANGE}\s*({_SEPARATED})")
_OPEN = re.compile(rf"{_NUMBER}\s*{_YUAN}\s*{_INCLUSIVE}?\s*({alternation(_WORDS['above'] + _WORDS['below'])})")
_WRITTEN = re.compile(rf"{_NUMBER}\s*{_SAID}")


def _value(number: str, wan: str | None) -> float:
    return float(number.replace(",", "")) * (10000 if wan else 1)


def question_amounts(canonical: str) -> list[float]:
    """Amounts of money a question names (8000元, 1万, 5万以上 → just above 50000)."""
    values = []
    for match in _MONEY.finditer(canonical):
        number, wan = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        value = _value(number, wan)
        tail = canonical[match.end():match.end() + 2]
        values.append(value + 0.01 if tail.startswith(_ABOVE) else value)
    return values


def bands(text: str) -> list[tuple[float, float]]:
    """Amount bands a table row or sentence states: 5000元至10000元, 50000元以上, 2000元（含）以下."""
    found = [(_value(m.group(1), m.group(2)), _value(m.group(3), m.group(4))) if m.group(1) else
             (_value(m.group(5), None), _value(m.group(6), None)) for m in _BAND.finditer(text)]
    for m in _OPEN.finditer(text):
        value = _value(m.group(1), m.group(2))
        found.append((value, float("inf")) if m.group(3) in _ABOVE else (0.0, value))
    return found


def without_bands(text: str) -> str:
    """The text with its amount bands taken out: for a question that names an amount, a band
    (5000元至10000元) is the condition a figure applies under, not the figure it asks for."""
    return _OPEN.sub(" ", _BAND.sub(" ", text))


def band_fit(amounts: list[float], text: str) -> float | None:
    """1.0 when a closed band of the text (5000元至10000元) holds an amount of the question, 0.5
    when only an open one does (5000元以上), 0.0 when the text has bands and none holds one,
    None when either side names no amount."""
    ranges = bands(text)
    if not amounts or not ranges:
        return None
    held = [hi for a in amounts for lo, hi in ranges if lo <= a <= hi]
    if not held:
        return 0.0
    return 1.0 if min(held) != float("inf") else 0.5


def amount_of(term: str) -> float | None:
    """The money a key term names (5万, 8000元), or None for what is no amount of money."""
    match = _MONEY.fullmatch(term)
    if match is None:
        return None
    number, wan = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    return _value(number, wan)


def states_amount(value: float, text: str) -> bool:
    """Whether the text writes this amount, however it writes it (5万 = 50000元), other than as
    the bound of a band."""
    return any(_value(m.group(1), m.group(2)) == value for m in _WRITTEN.finditer(without_bands(text)))
