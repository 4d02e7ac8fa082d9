"""Identity before account matters: acting on the account, or saying what only its holder may
hear, before the agent has asked for what proves who is calling or said the check passed, whatever
words the customer used for their matter."""

import datetime as dt

import pytest

from kb.calls.listening import CallListener
from kb.calls.rules import ScorecardRules
from kb.calls.transcript import Utterance

pytestmark = pytest.mark.model


def _unverified(kb, *lines: tuple[str, str]) -> list[int | None]:
    listener = CallListener(kb, "identity", dt.date.today(), ScorecardRules.load())
    for speaker, text in lines:
        listener.hear(Utterance(speaker, text, dt.datetime.now(dt.UTC)))
    return [f.utterance for f in listener.state.findings if f.kind == "identity_not_verified"]


def test_acting_on_the_account_before_verifying_is_found_whatever_the_customer_said(ingested_kb):
    assert _unverified(ingested_kb, ("customer", "我那张卡寻不着了，快帮我弄一弄"),
                       ("agent", "您别急，我这边已经把卡做了临时挂失，现在已经止付了")) == [2]


def test_acting_after_verifying_is_not(ingested_kb):
    assert _unverified(ingested_kb, ("customer", "我那张卡寻不着了，快帮我弄一弄"),
                       ("agent", "请您提供一下身份证后四位"), ("customer", "0427"),
                       ("agent", "核实好了，我这边已经把卡做了临时挂失，现在已经止付了")) == []


def test_telling_the_customers_own_bill_before_verifying_is_found(ingested_kb):
    assert _unverified(ingested_kb, ("customer", "我这期账单多少钱啦"),
                       ("agent", "我看一下，您这期账单是一千二百三十八块，到期还款日是11月25号。")) == [2]


def test_saying_the_check_passed_is_verifying_however_it_was_asked(ingested_kb):
    assert _unverified(ingested_kb, ("customer", "我那张卡寻不着了，快帮我弄一弄"),
                       ("agent", "先帮您对一下信息，您贵姓，手机号是多少"), ("customer", "姓王，手机139开头"),
                       ("agent", "好的王先生，信息核对一致。我这边已经把卡做了临时挂失，现在已经止付了")) == []
