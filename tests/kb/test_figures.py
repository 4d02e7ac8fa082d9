import pytest

from kb.figures import (
    Figure,
    addressed,
    bound_at,
    bounded,
    equivalents,
    figure_of,
    fit,
    only_thresholds,
    remainder,
    worked_out,
)


@pytest.mark.parametrize("term, figure", [
    ("5年", Figure(5, "年")), ("36期", Figure(36, "期")), ("24个月", Figure(24, "月")),
    ("8万", Figure(80000, "元")), ("200天", Figure(200, "天")), ("70岁", Figure(70, "岁")),
    ("0.5%", Figure(0.5, "%")), ("年费", None), ("12378", None),
])
def test_figure_of_a_key_term(term, figure):
    assert figure_of(term) == figure


@pytest.mark.parametrize("term, text, expected", [
    ("5年", "1年，年利率：1.50%；2年，年利率：1.80%；3年，年利率：2.00%", False),  # a term not offered
    ("3年", "1年，年利率：1.50%；3年，年利率：2.00%", True),
    ("2天", "到期还款日后3天内还款的，视为按时还款", True),  # held by a span
    ("2天", "还款日后3个自然日内还清的，不计罚息", True),
    ("200天", "180天（含）–365天，年利率：1.55%", True),
    ("8万", "单笔取现超过5万元的，须提前1个工作日预约", True),
    ("24个月", "先息后本，适用期限：12个月及以下", False),
    ("100天", "持有不满180天的，赎回费率0.5%", True),
    ("3份", "每份收费10元", True),  # a rate per one of its measure
    ("3套", "首套住房 15%；第2套住房 25%", False),  # a third home is not offered
    ("5年", "每笔最低50元", None),  # nothing of that measure
    ("1年", "3年，年利率：2.00%", None),  # 一年 is how a question says "per year"
])
def test_addressed(term, text, expected):
    assert addressed(figure_of(term), text) is expected


def test_fit_ranks_the_stated_figure_above_a_span_and_a_span_above_another_value():
    asked = figure_of("90天")
    assert fit(asked, "稳盈90天，业绩比较基准：2.10%") == 1.0
    assert fit(asked, "30天（含）至180天，年利率：1.20%") == 0.8
    assert fit(asked, "稳盈365天，业绩比较基准：2.50%") == 0.0
    assert fit(asked, "起购金额1元") is None


@pytest.mark.parametrize("term, text, expected", [
    ("56岁", "年龄22至55周岁的中国大陆居民", True),  # a rule that answers "no"
    ("24个月", "先息后本，适用期限：12个月及以下", True),
    ("5年", "1年，年利率：1.50%；2年，年利率：1.80%；3年，年利率：2.00%", False),  # only a list of values
    ("5年", "单笔最高50万元", False),  # a bound of another measure
])
def test_bounded_tells_a_rule_from_a_list_of_values(term, text, expected):
    assert bounded(figure_of(term), text) is expected


@pytest.mark.parametrize("result, given, worked", [
    (Figure(950, "元"), [Figure(100000, "元"), Figure(0.95, "%"), Figure(1, "年")], True),  # interest on the customer's sum
    (Figure(13950, "元"), [Figure(300000, "元"), Figure(1.55, "%"), Figure(3, "年")], True),
    (Figure(500, "元"), [Figure(6000, "元"), Figure(12, "期")], True),                     # a period's principal
    (Figure(39.6, "元"), [Figure(6000, "元"), Figure(0.66, "%")], True),                    # a period's fee
    (Figure(800, "元"), [Figure(1000, "元"), Figure(5, "%")], False),                       # a fee, not a result
    (Figure(12, "%"), [Figure(100, "元"), Figure(12, "%")], False),                         # only sums of money
])
def test_a_sum_worked_out_of_the_figures_beside_it(result, given, worked):
    assert worked_out(result, given) is worked


def test_a_term_in_years_is_also_one_in_months():
    assert equivalents(Figure(5, "年")) == [Figure(5, "年"), Figure(60, "月")]
    assert equivalents(Figure(36, "月")) == [Figure(36, "月"), Figure(3, "年")]
    assert equivalents(Figure(3, "元")) == [Figure(3, "元")]


@pytest.mark.parametrize("figure, given, left", [
    (Figure(29000, "元"), [Figure(120000, "元"), Figure(91000, "元"), Figure(29000, "元")], True),  # left to reach
    (Figure(3, "次"), [Figure(12, "次"), Figure(9, "次")], True),
    (Figure(3, "次"), [Figure(12, "次"), Figure(9, "元")], False),  # another measure
    (Figure(800, "元"), [Figure(1000, "元"), Figure(300, "元")], False),
])
def test_what_is_left_between_two_figures_beside_it(figure, given, left):
    assert remainder(figure, given) is left


@pytest.mark.parametrize("text, expected", [
    ("累计消费金额满50000元,免收次年年费", True),
    ("累计消费达到5万元", True),  # 50000元 in the measure of the figure
    ("年费200元,累计消费满50000元免年费", False),  # a plain amount beside the threshold
    ("最低还款为当期消费金额的10%", False),  # another measure only
    ("取现手续费每笔最低30元", False),  # a floor of the figure itself, no condition to reach
])
def test_a_text_whose_amounts_are_all_thresholds(text, expected):
    assert only_thresholds(Figure(26000, "元"), text) is expected


def test_how_a_figure_is_bounded():
    text = "满3万元就免,年费200元,3万元起,达到3万元就免,不能低于10万元"
    assert [bound_at(text, text.index(x)) for x in ("3万元就", "200元", "3万元起", "3万元就免,不", "10万元")] == \
        ["low", None, "low", "low", "high"]


def test_a_bound_said_against_bounds_must_equal_one():
    rule = "剩余金额低于20万元的,须全部支取"
    assert fit(Figure(100000, "元"), rule) == 0.8  # a value the span holds
    assert fit(Figure(100000, "元"), rule, upper_bounds=False, lower_bounds=False) == 0.0
    assert fit(Figure(80000, "元"), "累计消费满5万元免年费", lower_bounds=False) == 0.0
