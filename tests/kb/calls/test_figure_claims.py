"""Which of an agent's spoken figures are claims to check against the documents: an ordinal
(第二次) names which one, not how many; a figure asked about or counting what happened (交了五百块)
states no rule; a list's words carry to its next figures only within its sentence."""

import datetime as dt

import pytest

from kb.calls.listening import CallListener
from kb.calls.rules import ScorecardRules
from kb.calls.transcript import Utterance

pytestmark = pytest.mark.model


def _findings(kb, *agent_lines: str, asked: str = "星辰金卡年费怎么免"):
    listener = CallListener(kb, "claims", dt.date.today(), ScorecardRules.load())
    at = dt.datetime.now(dt.UTC)
    listener.hear(Utterance("customer", asked, at))
    for line in agent_lines:
        listener.hear(Utterance("agent", line, at))
    return [f for f in listener.state.findings + listener.state.checks if f.kind in ("wrong_figure", "figure_right")]


def _figures(kb, *agent_lines: str, asked: str = "星辰金卡年费怎么免"):
    return [(f.kind, f.stated) for f in _findings(kb, *agent_lines, asked=asked)]


def test_an_ordinal_states_no_figure(ingested_kb):
    assert _figures(ingested_kb, "累计刷卡消费到第二次也不行，得满6次才免次年年费") == [("figure_right", "6次")]


def test_a_lists_words_do_not_carry_past_its_sentence(ingested_kb):
    found = _figures(ingested_kb, "金卡境内取现按取现金额的1%收取。另外金卡刷卡消费有2%返现")
    assert found == [("figure_right", "1%")]





def test_a_figure_the_agent_asks_about_is_not_a_claim(ingested_kb):
    assert _figures(ingested_kb, "金卡主卡年费是五百块一年") == [("wrong_figure", "500元")]
    assert _figures(ingested_kb, "跟您确认一下，您是说金卡主卡年费是五百块一年，对吗？") == []


def test_a_count_of_what_happened_is_not_a_claim(ingested_kb):
    stated = [("wrong_figure", "500元"), ("figure_right", "6次")]
    assert _figures(ingested_kb, "您金卡主卡年费交五百块，免年费得满6次") == stated
    assert _figures(ingested_kb, "您金卡主卡年费交了五百块，免年费得满6次") == stated[1:]


def test_a_worked_example_is_not_a_claim(ingested_kb):
    assert _figures(ingested_kb, "比如主卡年费是五百块一年") == []


def test_a_contradiction_needs_more_than_one_shared_word(ingested_kb):
    assert _figures(ingested_kb, "取现每笔最多三千块", asked="金卡取现有限额吗") == []
    assert _figures(ingested_kb, "境内取现手续费按取现金额的2%收取", asked="金卡取现怎么收费") == [("wrong_figure", "2%")]


def test_a_figure_of_a_rule_no_longer_in_force_is_wrong(ingested_kb):
    found = _findings(ingested_kb, "手机银行跨行转账手续费每笔3元", asked="手机银行跨行转账收手续费吗")
    assert [(f.kind, f.stated, f.doc_id) for f in found] == [("wrong_figure", "3元", "fee-transfer")]
    assert "已停止执行" in found[0].message and "免收" in found[0].quote
    assert _figures(ingested_kb, "柜面跨行转账手续费每笔5元", asked="柜面跨行转账收手续费吗") == [("figure_right", "5元")]


def test_a_figure_of_a_named_product_is_read_against_its_documents_and_the_fee_rules(ingested_kb):
    from kb.calls.claims import Claim
    from kb.calls.verdicts import FigureCheck
    from kb.figures import Figure

    check = FigureCheck(ingested_kb, dt.date.today(), ScorecardRules.load(), "owners")
    evidence = [("cc-gold", "金卡年费300元"), ("fee-transfer", "柜面跨行转账手续费5元"), ("script-lost-card", "挂失")]

    def kept(*products: str) -> list[str]:
        claim = Claim("5元", Figure(5.0, "元"), frozenset(), (), products)
        return [doc for doc, _ in check._of_products(claim, evidence)]

    assert kept() == ["cc-gold", "fee-transfer", "script-lost-card"]
    assert kept("金卡") == ["cc-gold", "fee-transfer"]
    assert kept("跨行转账") == ["fee-transfer"]



def test_the_words_before_a_figure_leave_out_fillers():
    from kb.calls.claims import attribute_before

    line = "借款期限最长可以选5年"
    assert {"期限", "限最"} <= attribute_before(line, line.index("5"), 6)
