"""Spoken figures are compared with the documents' written ones."""

import pytest

from kb.calls.speech import written_figures


@pytest.mark.parametrize("spoken, written", [
    ("年利率百分之三点五", "年利率3.5%"),
    ("年化百分之四", "年化4%"),
    ("利率三个点", "利率3%"),
    ("额度一万二的", "额度12000的"),
    ("两千五", "2500"),
    ("三点八五倍", "3.85倍"),
    ("白金卡年费八百块", "白金卡年费八百块"),  # a measure word after it: canonicalizing does the rest
    ("我就打一二三七八", "我就打12378"),  # a hotline read digit by digit
    ("打幺二三七八投诉", "打12378投诉"),
    ("三五天到账", "三五天到账"),
    ("利息是三十二块五", "利息是32.5元"),  # the digit after 块 is tenths
    ("利息是32块5", "利息是32.5元"),
    ("五块五毛", "五块五毛"),             # the tenths named: read as they stand
    ("年费一百块一年", "年费一百块一年"),  # a digit that counts a year  # two digits' names: an estimate, not a number read out
    ("一万二千三百", "12300"),  # a number in words, not digits read out
    ("累计消费三万两千六百块", "累计消费32600块"),  # a scale, then the rest in full: one figure
    ("余额两万零五十块", "余额20050块"),
    ("三十万", "三十万"),  # the scale alone: canonicalizing writes 30万
])
def test_spoken_figures_are_written_as_digits(spoken, written):
    assert written_figures(spoken) == written


@pytest.mark.parametrize("said, counts", [
    ("只能办1次", True),
    ("部分提前支取最高办理1次", True),
    ("每1次收2元", False),   # "per"
    ("可以1次性结清", False),  # "at once"
    ("1年3次", False),        # "per year", before another figure of its clause
])
def test_once_counts_unless_it_says_per(said, counts):
    from kb.calls.claims import per
    from kb.figures import stated_spans

    match, _ = stated_spans(said)[0]
    assert per(said, match) is not counts
