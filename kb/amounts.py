"""Money amounts in questions and the amount bands of fee tables, so that "转8000块" finds the row
"5000元至10000元（含）" of a tiered fee schedule."""

import re

_NUMBER = r"(\d+(?:\.\d+)?)\s*(万)?"
_AMOUNT = re.compile(_NUMBER + r"\s*(?:元|块)?\s*(以上|以下|及以上|及以下)?")
_MONEY = re.compile(_NUMBER + r"\s*(?:元|块)(?:钱)?|" + r"(\d+(?:\.\d+)?)\s*(万)(?!\s*分)")
_BAND = re.compile(_NUMBER + r"\s*元?\s*(?:（含）|\(含\))?\s*(?:至|到|-|~|－)\s*" + _NUMBER + r"\s*元")
_OPEN = re.compile(_NUMBER + r"\s*元\s*(?:（含）|\(含\))?\s*(以上|以下)")


def _value(number: str, wan: str | None) -> float:
    return float(number) * (10000 if wan else 1)


def question_amounts(canonical: str) -> list[float]:
    """Amounts of money a question names (8000元, 1万, 5万以上 → just above 50000)."""
    values = []
    for match in _MONEY.finditer(canonical):
        number, wan = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        value = _value(number, wan)
        tail = canonical[match.end():match.end() + 2]
        values.append(value + 0.01 if tail.startswith("以上") else value)
    return values


def bands(text: str) -> list[tuple[float, float]]:
    """Amount bands a table row or sentence states: 5000元至10000元, 50000元以上, 2000元（含）以下."""
    found = [(_value(m.group(1), m.group(2)), _value(m.group(3), m.group(4))) for m in _BAND.finditer(text)]
    for m in _OPEN.finditer(text):
        value = _value(m.group(1), m.group(2))
        found.append((value, float("inf")) if m.group(3) == "以上" else (0.0, value))
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


_WRITTEN = re.compile(r"(\d+(?:\.\d+)?)\s*(万)?\s*(?:元|块)")


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
