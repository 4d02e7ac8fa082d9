"""kb.text: the normalization shared by indexing, querying and scoring."""

import pytest

from kb.text import is_cjk, normalize, normalize_for_match, occurrences, split_sentences


@pytest.mark.parametrize("raw, expected", [
    ("ＡＰＰ１２３", "app123"),            # full-width letters and digits → half-width, lower
    ("年費標準", "年费标准"),              # traditional → simplified
    ("信用咭幾多錢", "信用咭几多钱"),
    ("Cash Advance", "cash advance"),
    ("１，０００元", "1,000元"),            # full-width comma becomes ',' (then removable for matching)
    ("㎡", "m2"),                          # NFKC compatibility forms
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_normalize_keeps_white_space_and_separators():
    assert normalize("年费 2,000 元") == "年费 2,000 元"


@pytest.mark.parametrize("raw, expected", [
    ("2,000", "2000"),
    ("年费 2,000 元", "年费2000元"),
    ("1,234,567.50元", "1234567.50元"),
    ("２，０００", "2000"),
    ("額度 10,000\t元\n", "额度10000元"),
    ("1,23", "1,23"),          # not a thousands group
    ("12,3456", "12,3456"),    # four digits after the comma: not a separator
    ("甲,000", "甲,000"),       # no digit before the comma
    ("3,6,9", "3,6,9"),
])
def test_normalize_for_match(raw, expected):
    assert normalize_for_match(raw) == expected


@pytest.mark.parametrize("char, expected", [("年", True), ("㐀", True), ("豈", True), ("a", False),
                                            ("，", False), ("1", False), ("ア", False)])
def test_is_cjk(char, expected):
    assert is_cjk(char) is expected


def test_split_sentences_keeps_punctuation_and_drops_blanks():
    text = "年费300元。刷卡6次免年费！可以吗？ 可以;  Yes! 最后一句"
    assert split_sentences(text) == ["年费300元。", "刷卡6次免年费！", "可以吗？", "可以;", "Yes!", "最后一句"]


def test_split_sentences_of_blank_text():
    assert split_sentences("  \n ") == []


def test_occurrences_are_literal_and_include_overlaps():
    assert occurrences("稳禾90天", "稳禾90天和稳禾90天+") == [0, 6]
    assert occurrences("a.b", "axb a.b") == [4]  # a literal, not a pattern
    assert occurrences("aa", "aaa") == [0, 1]
    assert occurrences("", "abc") == [] and occurrences("x", "") == []
