import datetime as dt

import pytest

from kb.models import Answer
from kb.scripts import ScriptPicker, Situation, load_situations, steps_section

NO_ANSWER = Answer(status="no_answer", text="")


@pytest.fixture(scope="module")
def picker():
    return ScriptPicker(load_situations())


@pytest.mark.parametrize("query, situation", [
    ("客户说卡丢了怎么办", "lost_card"),
    ("客人張卡唔見咗", "lost_card"),
    ("客户很生气在骂人", "angry_customer"),
    ("客户说要打12378投诉", "complaint"),
    ("同一件事客户已经投诉过了还没解决", "repeat_complaint"),
    ("你们乱收费，凭什么扣我年费", "fee_dispute"),
])
def test_situations_are_read_from_the_question(picker, query, situation):
    assert situation in [s.name for s in picker.situations_in(query, set())]


def test_a_situation_can_need_the_category_of_the_answer(picker):
    names = lambda cats: [s.name for s in picker.situations_in("为什么被拒", cats)]
    assert "loan_refusal" in names({"loan"})
    assert "wealth_sale" not in [s.name for s in picker.situations_in("利率多少", {"wealth"})]
    assert "wealth_sale" in [s.name for s in picker.situations_in("这款适合我吗想买", {"wealth"})]


def test_the_script_whose_intents_name_the_situation_is_picked(ingested_kb, picker):
    # The test corpus's script names its intents in Chinese (卡片丢失, 挂失), not in the
    # vocabulary's keys: the labels of situations.yaml map them.
    script = picker.pick("客户卡丢了", NO_ANSWER, ingested_kb.catalog, dt.date.today())
    assert script.doc_id == "script-lost-card" and script.intent in ("卡片丢失", "挂失")
    assert picker.pick("信用卡年费多少", NO_ANSWER, ingested_kb.catalog, dt.date.today()) is None


def test_an_intent_outside_the_vocabulary_is_matched_as_a_phrase(ingested_kb):
    bare = ScriptPicker([Situation("other", frozenset({"other"}), ("zzz",))])
    script = bare.pick("怎么帮客户挂失", NO_ANSWER, ingested_kb.catalog, dt.date.today())
    assert script is not None and script.intent == "挂失"


def test_the_steps_section_is_the_one_with_numbered_steps():
    body = "# 话术\n\n## 适用场景\n\n- 客户来电。\n\n## 话术步骤\n\n1. 先共情。\n2. 再答复。\n\n## 禁用语\n\n- 这不归我管。"
    assert steps_section(body) == ("话术步骤", "1. 先共情。\n2. 再答复。")
    assert steps_section("只有一段话。") == ("", "只有一段话。")
