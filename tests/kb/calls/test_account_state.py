"""The customer's account as it stands (到现在累计刷卡9次, 积分余额是21300分) is no claim about the
product's rules; a figure said again after it was found right (第二年的两百块 after 年费两百块) is
the same figure; a sum said with a scale and the rest in full (三万两千六百块) is one figure."""

import datetime as dt

import pytest

from kb.calls.listening import CallListener
from kb.calls.rules import ScorecardRules
from kb.calls.transcript import Utterance

pytestmark = pytest.mark.model


def _files(meta) -> dict[str, str]:
    return {"credit_card/cc-gold.md": meta("cc-gold", "credit_card", "星光金卡, 金卡") + (
        "# 星光金卡产品说明\n\n## 年费标准\n\n| 卡种 | 主卡年费 |\n|---|---|\n| 星光金卡 | 200元/年 |\n\n"
        "## 年费减免规则\n\n- 金卡免次年年费：一个年费年度内累计刷卡消费满12次，或累计消费金额满50000元，"
        "免收次年年费。\n")}


@pytest.fixture(scope="module")
def kb(tmp_path_factory, kbtest):
    return kbtest.ingested(tmp_path_factory.mktemp("state"), _files(kbtest.front_matter))


def _figures(kb, line: str) -> list[tuple[str, str]]:
    listener = CallListener(kb, "state", dt.date(2026, 6, 1), ScorecardRules.load())
    now = dt.datetime.now(dt.UTC)
    listener.hear(Utterance("customer", "星光金卡年费怎么免", now))
    listener.hear(Utterance("agent", line, now))
    return [(f.kind, f.stated) for f in listener.state.findings + listener.state.checks
            if f.kind in ("wrong_figure", "figure_right")]


def test_the_accounts_state_so_far_is_not_a_claim(kb):
    assert _figures(kb, "金卡一个年费年度累计刷卡消费满9次免次年年费") == [("wrong_figure", "9次")]
    assert _figures(kb, "您这个年费年度到现在累计刷卡消费9次，还差3次就够了") == []


def test_a_figure_said_again_after_it_was_found_right_is_the_same_figure(kb):
    found = _figures(kb, "金卡主卡年费是一年两百块。如果这一年里刷卡满十二次，或者累计消费满五万块，第二年的两百块就免收。")
    assert ("wrong_figure", "200元") not in found and ("figure_right", "200元") in found


def test_a_sum_with_a_scale_and_the_rest_in_full_is_one_figure(kb):
    assert _figures(kb, "金卡累计消费金额满三万两千六百块免次年年费") == [("wrong_figure", "32600元")]
