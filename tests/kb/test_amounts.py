import pytest

from kb.amounts import band_fit, bands, question_amounts


@pytest.mark.parametrize("question, expected", [
    ("柜台跨行转8000块手续费多少", [8000.0]),
    ("网银跨行转1万手续费怎么收", [10000.0]),
    ("柜面转账5万以上手续费怎么算", [50000.01]),   # "above 5万" lands inside a band that starts at 5万
    ("信用卡年费多少", []),
    ("3年期定期利率", []),                          # a term, not money
    ("消费贷借5万分12个月年化利率多少", [50000.0]),   # 分 here splits the loan into instalments
    ("日利率1万分之5怎么算", []),                    # a rate, not money
    ("跨行转10,000元手续费", [10000.0]),
])
def test_question_amounts(question, expected):
    assert question_amounts(question) == expected


@pytest.mark.parametrize("text, expected", [
    ("5000元至10000元（含），收费标准：每笔10元", [(5000.0, 10000.0)]),
    ("2000元（含）以下，每笔2元", [(0.0, 2000.0)]),
    ("100万元（含）以上，申购费率：每笔1000元", [(1000000.0, float("inf"))]),
    ("年费300元/年", []),
    # a table whose column header holds the currency: bounds written as amounts are written
    ("10,000 至 99,999,12个月:8.88%", [(10000.0, 99999.0)]),
    ("美元 100,000 至 499,999", [(100000.0, 499999.0)]),
    ("5,000元至10,000元（含）", [(5000.0, 10000.0)]),
    ("12 至 24,期限", []),                           # bare small numbers are no amounts
    ("2020 至 2025", []),
])
def test_bands(text, expected):
    assert bands(text) == expected


def test_band_fit_prefers_the_closed_band_that_holds_the_amount():
    assert band_fit([8000.0], "5000元至10000元（含），每笔8元") == 1.0
    assert band_fit([8000.0], "5000元以上各档收费标准下调") == 0.5
    assert band_fit([8000.0], "10000元至50000元（含），每笔15元") == 0.0
    assert band_fit([], "5000元至10000元") is None
    assert band_fit([8000.0], "每笔8元") is None
