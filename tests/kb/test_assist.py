"""The whole assist response of the core: masking, scripts, alerts, call context, draft checks."""

import datetime as dt
import textwrap

import pytest

WEALTH = textwrap.dedent("""
    ---
    doc_id: wealth-rocket
    title: 火箭进取理财产品说明
    category: wealth
    products: [火箭进取, 火箭理财]
    risk_level: R4
    disclosures: [disc-wealth]
    ---
    # 火箭进取理财产品说明

    ## 认购

    - 火箭进取起购金额为1万元，按1000元的整数倍递增。
    - 火箭进取每份额设90天最短持有期。
    """).lstrip()

DISC_WEALTH = textwrap.dedent("""
    ---
    doc_id: disc-wealth
    title: 理财风险揭示
    category: disclosure
    ---
    # 理财风险揭示

    理财非存款、产品有风险、投资须谨慎。本产品不保证本金和收益，您可能损失部分甚至全部本金。
    """).lstrip()

EXPIRING = textwrap.dedent("""
    ---
    doc_id: fee-sms
    title: 短信通知服务收费标准
    category: fee_rule
    products: [短信通知, 动账短信]
    effective_from: 2025-01-01
    effective_to: 2030-01-20
    ---
    # 短信通知服务收费标准

    ## 收费

    - 动账短信通知服务每月收费2元。
    """).lstrip()

DAY = dt.date(2030, 1, 5)


@pytest.fixture(scope="module")
def kb(tmp_path_factory, kbtest):
    files = dict(kbtest.BASE_FILES, **{"wealth/rocket.md": WEALTH, "disclosure/disc-wealth.md": DISC_WEALTH,
                                       "fee_rule/sms.md": EXPIRING})
    root = tmp_path_factory.mktemp("assist")
    knowledge = kbtest.make_kb(root / "store")
    assert knowledge.ingest(kbtest.write_corpus(root / "corpus", files)).ok
    return knowledge


def codes(response):
    return [(a.code, a.doc_id) for a in response.alerts]


def test_personal_data_is_masked_everywhere_and_raises_an_alert(kb):
    response = kb.ask("客户手机13812345678，星辰金卡年费多少", as_of=DAY)
    dumped = str(response.contract_dict())
    assert "13812345678" not in dumped and "*******5678" in response.query
    assert ("personal_data", None) in codes(response)
    assert response.answer.status == "answered"  # the number does not spoil the question


def test_a_wealth_product_of_high_risk_asks_for_a_suitability_check(kb):
    response = kb.ask("火箭进取起购金额多少", as_of=DAY)
    assert response.answer.status == "answered" and "1万元" in response.answer.text
    assert ("suitability_check", "wealth-rocket") in codes(response)
    assert [d.doc_id for d in response.disclosures] == ["disc-wealth"]


def test_escalation_cues_raise_a_critical_alert_and_pick_the_complaint_script_if_any(kb):
    response = kb.ask("客户说再不解决就找媒体曝光", as_of=DAY)
    assert [a.level for a in response.alerts if a.code == "escalate"] == ["critical"]
    assert kb.ask("星辰金卡年费多少", as_of=DAY).alerts == []


def test_a_cited_rule_that_ends_within_30_days_is_flagged_with_its_date(kb):
    response = kb.ask("动账短信每月收费多少", as_of=DAY)
    assert response.answer.status == "answered"
    alert = next(a for a in response.alerts if a.code == "rule_changes")
    assert alert.doc_id == "fee-sms" and "2030-01-20" in alert.message and "15天" in alert.message
    assert not [a for a in kb.ask("动账短信每月收费多少", as_of=dt.date(2029, 6, 1)).alerts
                if a.code == "rule_changes"]


def test_the_script_of_the_situation_comes_with_the_answer(kb):
    response = kb.ask("客户的卡丢了怎么办", as_of=DAY)
    assert response.script is not None and response.script.doc_id == "script-lost-card"
    assert kb.ask("星辰金卡年费多少", as_of=DAY).script is None


def test_a_follow_up_without_a_product_is_answered_about_the_product_of_the_call(kb):
    first = kb.ask("星辰金卡年费多少", as_of=DAY, session_id="call-1")
    assert "300元" in first.answer.text and first.context.product
    follow = kb.ask("那附属卡呢？", as_of=DAY, session_id="call-1")
    assert follow.context.carried and follow.answer.status == "answered"
    assert {c.doc_id for c in follow.answer.citations} == {"cc-gold"}
    assert "150元" in follow.answer.text or "3次" in follow.answer.text
    assert follow.query == "那附属卡呢？"  # the response shows what the agent typed


def test_a_new_product_starts_fresh_and_other_calls_do_not_share_context(kb):
    kb.ask("星辰金卡年费多少", as_of=DAY, session_id="call-2")
    switched = kb.ask("火箭进取起购金额多少", as_of=DAY, session_id="call-2")
    assert not switched.context.carried and switched.context.product == "火箭进取"
    other = kb.ask("那附属卡呢？", as_of=DAY, session_id="call-3")
    assert not other.context.carried
    assert kb.ask("那附属卡呢？", as_of=DAY).context is None


def test_an_unrelated_follow_up_is_not_forced_onto_the_product_of_the_call(kb):
    kb.ask("火箭进取起购金额多少", as_of=DAY, session_id="call-4")
    response = kb.ask("柜面跨行转账手续费多少", as_of=DAY, session_id="call-4")
    assert not response.context.carried
    assert {c.doc_id for c in response.answer.citations} == {"fee-transfer"}


@pytest.mark.parametrize("draft, expected", [
    ("这不归我管，你找别人吧", ["refusing_responsibility"]),
    ("火箭进取稳赚不赔，保本保收益", ["guaranteed_return", "missing_risk_disclosure"]),
    ("火箭进取起购1万元", ["missing_risk_disclosure"]),
    ("火箭进取起购1万元。理财非存款、产品有风险、投资须谨慎。", []),
    ("火箭进取不承诺保本，本产品不保证本金和收益，您可能损失部分甚至全部本金。", []),
    ("定期存款是保本的，受存款保险保障", []),
    ("您好，星辰金卡主卡年费300元", []),
])
def test_a_draft_reply_is_checked_for_forbidden_phrases_and_missing_disclosures(kb, draft, expected):
    assert sorted(a.code for a in kb.check(draft, as_of=DAY)) == sorted(expected)


def test_a_missing_disclosure_names_the_product(kb):
    alert = kb.check("火箭进取起购1万元", as_of=DAY)[0]
    assert alert.doc_id == "wealth-rocket" and "理财风险揭示" in alert.message


def test_a_question_on_a_new_topic_lets_the_product_of_the_call_go(kb):
    """The call was about a card; a question on transfers is read as typed, not as about the card."""
    kb.ask("星辰金卡年费多少", as_of=DAY, session_id="call-5")
    response = kb.ask("柜面跨行转账手续费多少", as_of=DAY, session_id="call-5")
    assert not response.context.carried
    assert {c.doc_id for c in response.answer.citations} == {"fee-transfer"}


def test_the_agent_can_let_the_product_of_the_call_go(kb):
    kb.ask("星辰金卡年费多少", as_of=DAY, session_id="call-6")
    kb.forget_context("call-6")
    follow = kb.ask("那附属卡呢？", as_of=DAY, session_id="call-6")
    assert not follow.context.carried
