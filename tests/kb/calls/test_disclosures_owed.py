"""Which products a call discusses, and so which disclosures it owes: a product named on its own
owes its disclosure, even by a name many documents use (what every document bearing it owes); a name the call's topic's own document speaks of (提前结清 of a card's
installments) is that topic's, and owes nothing more. (And what the agent says of them: one
finding per utterance of forbidden phrasing.)"""

import datetime as dt

import pytest

from kb.calls.listening import CallListener
from kb.calls.rules import ScorecardRules
from kb.calls.transcript import Utterance

pytestmark = pytest.mark.model


def _files(meta) -> dict[str, str]:
    return {
        "credit_card/cc-inst.md": meta("cc-inst", "credit_card", "星光账单分期, 账单分期", "disc-card")
        + "# 星光账单分期\n\n## 提前还款\n\n- 账单分期可申请一次性提前结清，按剩余未还本金的1%收取违约金。\n",
        "loan/loan-pre.md": meta("loan-pre", "loan", "贷款提前还款, 提前结清", "disc-loan")
        + "# 贷款提前还款规则\n\n## 申请\n\n- 个人贷款提前结清须提前5个工作日预约，按提前还款本金的2%收取违约金。\n",
        "credit_card/cc-gold.md": meta("cc-gold", "credit_card", "星光金卡, 金卡", "disc-card")
        + "# 星光金卡\n\n## 年费\n\n- 金卡主卡年费200元。\n",
        **{f"fee_rule/fee-{n}.md": meta(f"fee-{n}", "fee_rule", f"{topic}收费") + f"# {topic}收费\n\n- 金卡{topic}每笔{n}元。\n"
           for n, topic in ((1, "短信"), (2, "取现"), (3, "补卡"))},
        "disclosure/disc-card.md": meta("disc-card", "disclosure", "信用卡费用提示")
        + "# 信用卡费用提示\n\n- 分期须支付手续费，提前结清须支付违约金。\n",
        "disclosure/disc-loan.md": meta("disc-loan", "disclosure", "贷款风险提示")
        + "# 贷款风险提示\n\n- 贷款须按期还款，逾期将影响个人征信。\n",
    }


@pytest.fixture(scope="module")
def kb(tmp_path_factory, kbtest):
    return kbtest.ingested(tmp_path_factory.mktemp("owed"), _files(kbtest.front_matter))


def _owed(kb, *lines: tuple[str, str]) -> set[str]:
    listener = CallListener(kb, "owed", dt.date(2026, 6, 1), ScorecardRules.load())
    for speaker, text in lines:
        listener.hear(Utterance(speaker, text, dt.datetime.now(dt.UTC)))
    return {item.doc_id for item in listener.checklist()}


def test_a_name_the_topics_document_speaks_of_owes_nothing_more(kb):
    assert _owed(kb, ("customer", "星光账单分期怎么收费"),
                 ("agent", "账单分期也可以一次性提前结清，按剩余本金的1%收违约金")) == {"disc-card"}


def test_a_product_named_on_its_own_owes_its_disclosure(kb):
    assert _owed(kb, ("customer", "贷款提前结清要收违约金吗")) == {"disc-loan"}
    assert _owed(kb, ("customer", "星光账单分期怎么收费"), ("customer", "那贷款提前还款呢")) == {"disc-card", "disc-loan"}


def test_a_name_many_documents_use_owes_what_the_documents_bearing_it_owe(kb):
    """金卡 is written in four documents, so it picks out none to answer with; it is still the
    card's name, and the card owes its disclosure."""
    assert _owed(kb, ("customer", "我那个金卡年费明年会不会扣")) == {"disc-card"}


def test_a_name_is_of_the_document_the_call_was_on_most_lately(kb):
    """提前结清 said after a suggestion that cited the card's installments first and the loan rule
    second is the installments'; with the loan rule first, it is the loan's."""
    def owed_on(topic: list[str]) -> set[str]:
        listener = CallListener(kb, "owed", dt.date(2026, 6, 1), ScorecardRules.load())
        listener.state.topic_docs = topic
        listener.hear(Utterance("agent", "可以一次性提前结清", dt.datetime.now(dt.UTC)))
        return {item.doc_id for item in listener.checklist()}

    assert owed_on(["cc-inst", "loan-pre"]) == set()
    assert owed_on(["loan-pre", "cc-inst"]) == {"disc-loan"}


def test_an_utterance_with_two_kinds_of_forbidden_phrasing_is_one_finding(kb):
    listener = CallListener(kb, "owed", dt.date(2026, 6, 1), ScorecardRules.load())
    events = listener.hear(Utterance("agent", "是你自己没看清楚，你去投诉吧", dt.datetime.now(dt.UTC)))
    assert {e.alert.code for e in events if e.alert} == {"blaming_customer", "inviting_complaint"}
    assert [f.utterance for f in listener.state.findings if f.kind == "forbidden_phrase"] == [1]
