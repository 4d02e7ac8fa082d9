"""A call in the side panel when things go wrong, in a real browser (Debian's chromium) against
`kb serve`: the server stops or fails mid-call, the sign-in expires, an answer brings several
disclosures, a critical situation comes up, a page is asked for that does not exist.

Screenshots of the panel at 400 px go to tests/artifacts/ (`make screenshots` copies them to docs/).
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AGENT, PASSWORD = "ann", "agent-password"

DISC_FX = """---
doc_id: disc-fx
title: 境外交易及货币兑换风险提示
category: disclosure
version: 1
---
# 境外交易及货币兑换风险提示

境外交易以外币入账，购汇还款按还款当日汇率折算，汇率波动可能使您实际支付的人民币金额增加。
"""


def corpus_with_two_disclosures(kbtest, root: Path) -> Path:
    """The base corpus, with the gold card listing a second (cross-border) disclosure."""
    files = dict(kbtest.BASE_FILES)
    files["credit_card/cc-gold.md"] = kbtest.CC_GOLD.replace("disclosures: [disc-x]", "disclosures: [disc-x, disc-fx]")
    files["disclosure/disc-fx.md"] = DISC_FX
    return kbtest.write_corpus(root, files)


@pytest.fixture(scope="module")
def store(tmp_path_factory, kbtest):
    root = tmp_path_factory.mktemp("call")
    knowledge = kbtest.make_kb(root / "store")
    assert knowledge.ingest(corpus_with_two_disclosures(kbtest, root / "corpus")).ok
    return root / "store"


@pytest.fixture
def tab(browser):
    """A 400 px panel tab that may copy to the clipboard; the caller opens the page."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 400, "height": 860}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    yield context.new_page()
    context.close()


def ask(page, question: str):
    turns = page.locator("#turns .turn").count()
    page.locator("#query").fill(question)
    page.keyboard.press("Enter")
    expect(page.locator("#turns .turn")).to_have_count(turns + 1)
    return page.locator("#turns .turn").last


def test_an_answer_with_two_disclosures_folds_them_and_each_copies(tab, store, kbtest):
    with kbtest.serving(store) as served:
        tab.goto(served.url + "/")
        turn = ask(tab, "星辰金卡年费多少")
        expect(turn.locator(".answer mark.figure").first).to_have_text("300元")
        disclosures = turn.locator("details.disclosure")
        expect(disclosures).to_have_count(2)  # the contract keeps every one the document lists
        expect(disclosures.first).to_have_attribute("data-doc", "disc-x")  # the one the question is about first
        for head in disclosures.all():
            expect(head.locator(".disclosure-text")).to_be_hidden()
            assert head.locator("summary").bounding_box()["height"] < 60  # one line at 400 px
        expect(turn.locator("form.feedback button[value=up]")).to_be_in_viewport()
        disclosures.first.locator("button.copy").click()
        expect(disclosures.first.locator("button.copy")).to_have_class("copy done")
        expect(disclosures.first.locator(".disclosure-text")).to_be_hidden()  # copying does not unfold
        copied = tab.evaluate("navigator.clipboard.readText()")
        assert "万分之五" in copied and "信用卡利息及费用风险提示" not in copied
        disclosures.last.locator("summary").click()
        expect(disclosures.last.locator(".disclosure-text")).to_contain_text("汇率波动")
        turn.locator("button.copy[aria-label='复制回答']").click()
        assert "300元" in tab.evaluate("navigator.clipboard.readText()")
        disclosures.last.locator("summary").click()
        tab.screenshot(path=ARTIFACTS / "panel-400-answer.png", full_page=True)


def test_a_failure_mid_call_shows_an_error_turn_with_retry_and_keeps_the_question(tab, store, kbtest):
    with kbtest.serving(store) as served:
        tab.goto(served.url + "/")
        ask(tab, "星辰金卡年费多少")
        tab.route("**/ui/ask", lambda route: route.fulfill(status=503, body="down"))
        failed = ask(tab, "星辰金卡取现手续费怎么收")
        expect(failed).to_have_class("turn turn-error")
        expect(failed).to_have_attribute("role", "alert")
        expect(failed).to_contain_text("服务器出错（503）")
        expect(tab.locator("#query")).to_have_value("星辰金卡取现手续费怎么收")
        tab.unroute("**/ui/ask")
        failed.get_by_role("button", name="重试").click()
        answered = tab.locator("#turns .turn.answered").last
        expect(answered.locator(".answer")).to_contain_text("1%")
        tab.screenshot(path=ARTIFACTS / "panel-400-error.png", full_page=True)
    # the server is gone now: the next question fails on the network, and says so
    stopped = ask(tab, "星辰金卡附属卡年费多少")
    expect(stopped).to_contain_text("网络中断")
    expect(tab.locator("#query")).to_have_value("星辰金卡附属卡年费多少")
    expect(stopped.get_by_role("button", name="重试")).to_be_visible()


def test_a_critical_situation_is_announced_with_a_label_not_colour_alone(tab, store, kbtest):
    with kbtest.serving(store) as served:
        tab.goto(served.url + "/")
        turn = ask(tab, "客户说再不处理就打12378投诉，还要找媒体曝光")
        critical = turn.get_by_role("alert").filter(has_text="紧急")
        expect(critical.first).to_be_visible()
        expect(critical.first.locator(".badge")).to_have_text("⚠")
        tab.screenshot(path=ARTIFACTS / "panel-400-alert.png", full_page=True)


def test_no_answer_lists_what_may_be_related_folded(tab, store, kbtest):
    with kbtest.serving(store) as served:
        tab.goto(served.url + "/")
        turn = ask(tab, "星辰金卡的积分怎么兑换机票")
        expect(turn).to_have_attribute("data-status", "no_answer")
        related = turn.locator("details.related")
        expect(related.locator("summary")).to_contain_text("可能相关")
        related.locator("summary").click()
        expect(related.locator("li").first).to_be_visible()
        tab.screenshot(path=ARTIFACTS / "panel-400-no-answer.png", full_page=True)


def test_an_expired_sign_in_returns_to_the_call_with_its_turns_and_question(tab, tmp_path, kbtest):
    knowledge = kbtest.make_kb(tmp_path / "store")
    assert knowledge.ingest(kbtest.write_corpus(tmp_path / "corpus")).ok
    knowledge.users.add(AGENT, "agent", password=PASSWORD)
    with kbtest.serving(tmp_path / "store") as served:
        tab.goto(served.url + "/")
        sign_in(tab)
        ask(tab, "星辰金卡年费多少")
        cookie = next(c for c in tab.context.cookies() if c["name"] == "kb_session")
        tab.context.add_cookies([{**cookie, "value": "expired-or-revoked"}])
        tab.locator("#query").fill("那附属卡呢")
        tab.keyboard.press("Enter")
        expect(tab.locator(".notice[role=status]")).to_contain_text("会话已过期")
        sign_in(tab)
        expect(tab).to_have_url(served.url + "/")
        expect(tab.locator("#turns .turn")).to_have_count(1)
        expect(tab.locator("#turns .turn .answer")).to_contain_text("300元")
        expect(tab.locator("#query")).to_have_value("那附属卡呢")
        tab.keyboard.press("Enter")
        expect(tab.locator("#turns .turn").last.locator(".answer")).to_contain_text("150元")


def sign_in(tab) -> None:
    tab.get_by_label("用户名").fill(AGENT)
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()


def test_a_browser_asking_for_what_does_not_exist_gets_a_page_in_chinese(tab, store, kbtest):
    with kbtest.serving(store) as served:
        for path in ("/editor/documents/no-such-doc", "/evaluations/runs/999"):
            page = tab.goto(served.url + path)
            assert page.status == 404
            expect(tab.locator("h1")).to_have_text("找不到")
            expect(tab.locator(".error-message")).to_contain_text("没有")
            expect(tab.get_by_role("link", name="回到坐席助手")).to_have_attribute("href", "/")
            assert "{" not in tab.locator("main").inner_text()  # no raw JSON
