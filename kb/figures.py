"""Figures with a measure word (5年, 36期, 200天, 8万元) and the spans a text gives for them
(3天内, 180天（含）至365天, 满6个月, 每份), so that a question's figure can be told apart from
one its answer merely resembles: "5年期" against a table of 1年, 2年 and 3年 rows is a term the
knowledge base does not offer, while "过了2天" against "3天内" is a case the rule covers.

Texts are canonical (kb.lexicon: simplified, lower case, Chinese numerals before measure words
as digits) and compact (no white space, no thousands separators).
"""

import re
from typing import NamedTuple

from kb.vocab import alternation, load_checked

_WORDS = load_checked("measures.yaml", lists=("range_words", "inclusive_marks", "above_before", "above_after",
                                               "threshold_before", "below_before", "below_after", "every_word",
                                               "periods", "tenors"),
                      mappings=("measures",))
_MEASURES = {word: (str(base), float(factor)) for word, (base, factor) in _WORDS["measures"].items()}
_ARITHMETIC = load_checked("measures.yaml", mappings=("arithmetic",))
_WORKING = {str(role): str(measure) for role, measure in _ARITHMETIC["arithmetic"].items()}
_EQUIVALENT = {str(measure): (str(other), float(factor))
               for measure, (other, factor) in load_checked("measures.yaml", mappings=("equivalent_measures",))
               ["equivalent_measures"].items()}


def _any(key: str) -> str:
    """One alternation of a list of words, longest first (及以上 before 以上)."""
    return alternation(_WORDS[key])


_MEASURE = "|".join(sorted(map(re.escape, _MEASURES), key=len, reverse=True))
_NUMBER = r"(\d+(?:\.\d+)?)"
_FIGURE = re.compile(rf"(?<![\d.]){_NUMBER}({_MEASURE})")
FIGURE_TEXT = _FIGURE
_INCLUSIVE = _any("inclusive_marks") + "?"
_SPAN = re.compile(rf"(?<![\d.]){_NUMBER}({_MEASURE})?{_INCLUSIVE}{_any('range_words')}{_NUMBER}({_MEASURE})")
_ABOVE = re.compile(rf"{_any('above_before')}{_NUMBER}({_MEASURE})|{_NUMBER}({_MEASURE}){_INCLUSIVE}{_any('above_after')}")
_THRESHOLD = re.compile(rf"{_any('threshold_before')}{_NUMBER}({_MEASURE})")
_BELOW = re.compile(rf"{_any('below_before')}{_NUMBER}({_MEASURE})|{_NUMBER}({_MEASURE}){_INCLUSIVE}{_any('below_after')}")
_EVERY = re.compile(rf"{_any('every_word')}(?:1)?({_MEASURE})")
_PERIODS = set(_WORDS["periods"])
_TENORS = set(_WORDS["tenors"])


class Figure(NamedTuple):
    value: float
    measure: str


def figure_of(term: str) -> Figure | None:
    """The figure a question's key term is (5年, 8万), or None."""
    match = _FIGURE.fullmatch(term)
    return _figure(match.group(1), match.group(2)) if match else None


def fit(figure: Figure, text: str, upper_bounds: bool = True, lower_bounds: bool = True) -> float | None:
    """How well the text's figures suit a question's figure, for ranking: 1.0 when it states
    it, 0.8 when a span of it holds it, 0.0 when it states only other values of its measure,
    None when it names nothing of that measure. Without `upper_bounds`, an upper limit (最多2次)
    is a value, not a span: an upper limit said against it (最多能办3次, 只能办1次) must equal it.
    Likewise lower limits without `lower_bounds` (满8万免年费 against 满5万元免)."""
    stated = [f for f in _figures(text) if f.measure == figure.measure]
    if any(abs(f.value - figure.value) < 1e-9 for f in stated):
        return 1.0
    spans = _spans(text, upper_bounds, lower_bounds)
    if any(lo <= figure.value <= hi for lo, hi, measure in spans if measure == figure.measure):
        return 0.8
    return 0.0 if stated else None


def equivalents(figure: Figure) -> list[Figure]:
    """The figure in each measure it can be said in, itself first (5年, 60月)."""
    found = [figure]
    for measure, (other, factor) in _EQUIVALENT.items():
        if figure.measure == measure:
            found.append(Figure(figure.value * factor, other))
        elif figure.measure == other:
            found.append(Figure(figure.value / factor, measure))
    return found


def worked_out(figure: Figure, given: list[Figure]) -> bool:
    """Whether a sum of money is what the figures beside it work out to: an amount times a rate,
    over a term in years or months, or an amount over a number of instalments (the agent's
    arithmetic for the customer's own case, not a rule)."""
    if figure.measure != _WORKING["money"]:
        return False
    def of(role: str) -> list[float]:
        return [f.value for f in given if f.measure == _WORKING[role]]
    amounts = [a for a in of("money") if a != figure.value]
    terms = [1.0] + of("year") + [m / 12 for m in of("month")]
    results = [a * r / 100 * t for a in amounts for r in of("rate") for t in terms]
    results += [a / n for a in amounts for n in of("instalment") if n]
    share = float(_ARITHMETIC["arithmetic_tolerance"])
    return any(abs(x - figure.value) <= share * figure.value for x in results)


def remainder(figure: Figure, given: list[Figure]) -> bool:
    """Whether a figure is the difference of two others of its measure beside it: what is left to
    reach a threshold (满120000元, 91000元 so far: 再消费29000元), the customer's case, not a rule."""
    values = [f.value for f in given if f.measure == figure.measure and f.value != figure.value]
    share = float(_ARITHMETIC["arithmetic_tolerance"])
    return any(abs(a - b - figure.value) <= share * figure.value for a in values for b in values if a > b)


def best_fit(fits: list[float | None]) -> float | None:
    """The best of several readings' fits (None only when none reads the text at all)."""
    known = [f for f in fits if f is not None]
    return max(known) if known else None


def per_one(figure: Figure) -> bool:
    """1年, 1次: "a year", "once" — how speech says "per", not a figure."""
    return figure.value == 1 and figure.measure in _PERIODS


def addressed(figure: Figure, text: str, counted: bool = False) -> bool | None:
    """True when the text states this figure or a span that holds it (or a rate per one of its
    measure), False when it states figures of the same measure and none of them fits, None
    when it names nothing of that measure. A 1年 or 1次 is None unless `counted` (只能办1次): a
    question's 一年 is most often "a year"."""
    if per_one(figure) and not counted:
        return None
    if figure.measure not in _TENORS and any(_MEASURES[m.group(1)][0] == figure.measure for m in _EVERY.finditer(text)):
        return True
    stated = [f for f in _figures(text) if f.measure == figure.measure]
    if any(abs(f.value - figure.value) < 1e-9 for f in stated):
        return True
    if any(lo <= figure.value <= hi for lo, hi, measure in _spans(text) if measure == figure.measure):
        return True
    return False if stated else None


def bounded(figure: Figure, text: str) -> bool:
    """Whether the text gives a span or a bound of the figure's measure (22至55周岁, 满2年, 最高
    500万元): a rule a question's figure is read against, where a figure outside it is a case the
    rule answers "no" to (56岁, 18个月), unlike a list of values that merely lacks it (5年期
    against 1, 2 and 3 years)."""
    return any(measure == figure.measure for _, _, measure in _spans(text))


def bound_at(text: str, start: int) -> str | None:
    """Whether the figure starting there is said with the words of a lower bound ("low": 满50000元,
    5万元起, 达到3次), of an upper one ("high": 3天内, and 不能低于10万, whatever the negation
    before them), or neither."""
    if start in _starts(_ABOVE, text) | _starts(_THRESHOLD, text):
        return "low"
    return "high" if start in _starts(_BELOW, text) else None


def only_thresholds(figure: Figure, text: str) -> bool:
    """Whether every figure of the measure the text states is a condition to reach (累计消费满
    50000元): the customer's own amount (您累计消费26000元) is measured against it and does not
    contradict it; only the condition said otherwise (满3万就免) does. A floor of the figure
    itself (每笔最低10元) is no such condition."""
    measures = {e.measure for e in equivalents(figure)}
    starts = [m.start(1) for m, f in stated_spans(text) if f.measure in measures]
    return bool(starts) and set(starts) <= _starts(_THRESHOLD, text)


def _starts(pattern: re.Pattern[str], text: str) -> set[int]:
    """Where each figure a pattern of bounds finds starts (its number: group 1, else group 3)."""
    return {m.start(1) if m.group(1) else m.start(3) for m in pattern.finditer(text)}


def _figure(number: str, measure: str) -> Figure:
    base, factor = _MEASURES[measure]
    return Figure(float(number) * factor, base)


def stated_spans(text: str) -> list[tuple[re.Match[str], Figure]]:
    """Every figure a canonical, compact text states, with where it stands (an agent's words, a
    document's sentence)."""
    return [(m, _figure(m.group(1), m.group(2))) for m in _FIGURE.finditer(text)]


def _figures(text: str) -> list[Figure]:
    return [_figure(m.group(1), m.group(2)) for m in _FIGURE.finditer(text)]


def _spans(text: str, upper_bounds: bool = True, lower_bounds: bool = True) -> list[tuple[float, float, str]]:
    spans = []
    for m in _SPAN.finditer(text):
        high = _figure(m.group(3), m.group(4))
        low = _figure(m.group(1), m.group(2) or m.group(4))
        spans.append((low.value, high.value, high.measure))
    for pattern, bound, read in ((_ABOVE, "low", lower_bounds), (_BELOW, "high", upper_bounds)):
        for m in pattern.finditer(text) if read else ():
            number, measure = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            f = _figure(number, measure)
            spans.append((f.value, float("inf"), f.measure) if bound == "low" else (0.0, f.value, f.measure))
    return spans
