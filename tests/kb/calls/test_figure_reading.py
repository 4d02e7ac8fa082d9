"""The customer's account as it stands (到现在累计刷卡9次, 积分余额是21300分) is no claim about the
product's rules; a figure said again after it was found right (第二年的两百块 after 年费两百块) is
the same figure; a sum said with a scale and the rest in full (三万两千六百块) is one figure; what is
left to reach a threshold (再消费一万八) is the customer's case. A table row's first cell labels
every cell of the row, however long the column headers between (电报费 labels the 40元 of
手机银行、网上银行办理标准), and an item's name before its colon labels its figures (免费次数), so a
figure is read against its own row rather than a sentence elsewhere that shares its words. A date said in words (三月十一号) is no figure of months. A threshold
(累计消费满50000元) is contradicted only by a threshold said otherwise, not by an amount measured
against it; a bound said against a bound must equal it (满8万 against 满50000元)."""

import pytest

pytestmark = pytest.mark.model


def _files(meta) -> dict[str, str]:
    return {"credit_card/cc-gold.md": meta("cc-gold", "credit_card", "星光金卡, 金卡") + (
        "# 星光金卡产品说明\n\n## 年费标准\n\n| 卡种 | 主卡年费 |\n|---|---|\n| 星光金卡 | 200元/年 |\n\n"
        "## 年费减免规则\n\n- 金卡免次年年费：一个年费年度内累计刷卡消费满12次，或累计消费金额满50000元，"
        "免收次年年费。\n\n## 积分\n\n- 金卡积分有效期为36个月。\n\n## 贵宾厅\n\n"
        "- 免费次数：金卡主卡持卡人每个自然年度享受8次境内贵宾厅免费服务。\n"),
        "fee_rule/fee-remit.md": meta("fee-remit", "fee_rule", "跨境汇款, 电报费") + (
        "# 跨境汇款收费标准\n\n## 一、汇出汇款\n\n"
        "| 收费项目 | 柜面办理收费标准 | 手机银行、网上银行办理收费标准 |\n|---|---|---|\n"
        "| 电报费（汇往港澳台地区） | 每笔80元 | 每笔40元 |\n\n"
        "## 二、优惠\n\n- 本行私人银行客户通过客户经理办理跨境汇款的，电报费每笔按50元收取。\n")}


@pytest.fixture(scope="module")
def said(tmp_path_factory, kbtest):
    return kbtest.figure_reader(tmp_path_factory.mktemp("state"), _files(kbtest.front_matter), "星光金卡年费怎么免")


def test_the_accounts_state_so_far_is_not_a_claim(said):
    assert said("金卡一个年费年度累计刷卡消费满9次免次年年费") == [("wrong_figure", "9次")]
    assert said("您这个年费年度到现在累计刷卡消费9次，还差3次就够了") == []


def test_a_figure_said_again_after_it_was_found_right_is_the_same_figure(said):
    found = said("金卡主卡年费是一年两百块。如果这一年里刷卡满十二次，或者累计消费满五万块，第二年的两百块就免收。")
    assert ("wrong_figure", "200元") not in found and ("figure_right", "200元") in found


def test_a_sum_with_a_scale_and_the_rest_in_full_is_one_figure(said):
    assert said("金卡累计消费金额满三万两千六百块免次年年费") == [("wrong_figure", "32600元")]


def test_what_is_left_to_reach_a_threshold_is_not_a_claim(said):
    found = said("金卡累计消费满五万块免次年年费。您到目前累计消费是三万两千块，再消费一万八千块就达标了")
    assert ("wrong_figure", "18000元") not in found and ("figure_right", "5万元") in found


def test_a_cell_is_read_with_its_rows_label(said):
    assert said("手机银行汇款再加电报费四十块", asked="汇钱到台湾电报费要多少") == [("figure_right", "40元")]
    assert said("用手机银行汇到台湾，电报费每笔六十块", asked="汇钱到台湾电报费要多少") == [("wrong_figure", "60元")]


def test_an_item_is_read_with_the_name_before_its_colon(said):
    assert said("金卡每个自然年度可以免费使用六次贵宾厅") == [("wrong_figure", "6次")]
    assert said("金卡每个自然年度可以免费使用八次贵宾厅") == [("figure_right", "8次")]


def test_a_date_said_in_words_is_no_figure_of_months(said):
    assert said("金卡积分有效期是24个月") == [("wrong_figure", "24个月")]
    assert said("金卡积分有效期到明年三月十一号") == []


def test_an_amount_measured_against_a_threshold_is_not_a_claim(said):
    assert said("金卡累计消费金额满三万块就免次年年费") == [("wrong_figure", "3万元")]
    assert said("金卡累计消费金额两万六千块，没到免次年年费的条件") == []


def test_a_bound_said_against_a_bound_must_equal_it(said):
    assert said("金卡累计消费金额满八万块免次年年费") == [("wrong_figure", "8万元")]
    assert said("金卡累计消费金额满五万块免次年年费") == [("figure_right", "5万元")]
