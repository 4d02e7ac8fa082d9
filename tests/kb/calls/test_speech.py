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
])
def test_spoken_figures_are_written_as_digits(spoken, written):
    assert written_figures(spoken) == written
