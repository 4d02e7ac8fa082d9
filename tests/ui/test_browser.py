"""The panel in a real browser (Debian's chromium driven by Playwright) against `kb serve`.

Screenshots of the three states go to tests/artifacts/; the time from Enter to the first
answer on screen is written there too (a figure for the README, not an assertion).
"""

import json
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture
def panel(browser, served):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 420, "height": 860}, locale="zh-CN")
    page = context.new_page()
    page.goto(served.url + "/")
    yield page
    context.close()


def ask(page, question: str) -> float:
    """Type the question, press Enter, wait for its answer; the time from Enter, in ms."""
    turns = page.locator("#turns .turn").count()
    page.locator("#query").fill(question)
    started = time.perf_counter()
    page.keyboard.press("Enter")
    expect(page.locator("#turns .turn")).to_have_count(turns + 1)
    return (time.perf_counter() - started) * 1000


def latest(page):
    return page.locator("#turns .turn").last


def test_ask_see_answer_citation_and_disclosure_then_open_the_passage(panel):
    expect(panel.locator("#query")).to_be_focused()
    first = ask(panel, "星辰金卡年费多少")
    turn = latest(panel)
    expect(turn.locator(".answer")).to_contain_text("300元")
    expect(turn.locator(".disclosure")).to_contain_text("量入为出")
    expect(turn.locator(".citation .passage").first).to_be_hidden()
    turn.locator(".citation summary").first.click()
    passage = turn.locator(".citation .passage").first
    expect(passage).to_be_visible()
    expect(passage.locator("mark, tr.marked").first).to_be_visible()
    panel.screenshot(path=ARTIFACTS / "panel-answer.png", full_page=True)
    later = [ask(panel, q) for q in ("柜面跨行转账手续费多少", "星辰金卡取现手续费怎么收")]
    (ARTIFACTS / "browser-timings.json").write_text(json.dumps(
        {"first_answer_ms": round(first, 1), "later_answers_ms": [round(t, 1) for t in later]}))
    print(f"first answer visible {first:.0f} ms after Enter; later {[round(t) for t in later]}")


def test_keyboard_only_flow(panel):
    panel.keyboard.type("星辰金卡年费多少")
    panel.keyboard.press("Escape")
    expect(panel.locator("#query")).to_have_value("")
    panel.keyboard.type("星辰金卡年费多少")
    panel.keyboard.press("Enter")
    expect(latest(panel).locator(".answer")).to_contain_text("300元")
    expect(panel.locator("#query")).to_be_focused()
    expect(panel.locator("#query")).to_have_value("")
    summary = latest(panel).locator(".citation summary").first
    for _ in range(10):  # Tab from the question box to the first citation
        panel.keyboard.press("Shift+Tab")
        if summary.evaluate("el => el === document.activeElement"):
            break
    panel.keyboard.press("Enter")
    expect(latest(panel).locator(".citation .passage").first.locator("mark, tr.marked").first).to_be_visible()


def test_the_no_answer_state(panel):
    ask(panel, "彩虹卡的积分怎么兑换机票")
    turn = latest(panel)
    expect(turn).to_have_attribute("data-status", "no_answer")
    expect(turn.locator(".no-answer-box")).to_be_visible()
    expect(turn.locator(".answer")).to_have_count(0)
    panel.screenshot(path=ARTIFACTS / "panel-no-answer.png", full_page=True)


def test_a_refusal_about_a_named_product_shows_its_disclosure_below_the_refusal(browser, served):
    # the card is being discussed, so its risk disclosure is due although this question about it
    # has no answer: it sits under the no-answer box, never in place of an answer
    for width in (400, 1280):
        context = browser.new_context(viewport={"width": width, "height": 860}, locale="zh-CN")
        page = context.new_page()
        page.goto(served.url + "/")
        ask(page, "星辰金卡有日元币种吗")
        turn = latest(page)
        expect(turn).to_have_attribute("data-status", "no_answer")
        expect(turn.locator(".answer")).to_have_count(0)
        expect(turn.locator(".disclosure")).to_contain_text("量入为出")
        box, disclosure = turn.locator(".no-answer-box").bounding_box(), turn.locator(".disclosure").bounding_box()
        assert box and disclosure and disclosure["y"] >= box["y"] + box["height"]
        page.screenshot(path=ARTIFACTS / f"panel-no-answer-disclosure-{width}.png", full_page=True)
        context.close()


def test_alerts_and_the_script(panel):
    ask(panel, "客户卡丢了，很生气说要找媒体曝光，卡号6222021234567890123")
    turn = latest(panel)
    expect(turn.locator(".alert.level-critical")).to_be_visible()
    expect(turn.locator(".question")).not_to_contain_text("6222021234567890123")
    expect(turn.locator(".script .steps li").first).to_be_visible()
    panel.screenshot(path=ARTIFACTS / "panel-alert.png", full_page=True)


def test_a_follow_up_in_one_call_keeps_the_earlier_turns_visible(panel):
    ask(panel, "星辰金卡年费多少")
    ask(panel, "那附属卡呢？")
    turns = panel.locator("#turns .turn")
    expect(turns).to_have_count(2)
    expect(turns.first.locator(".question")).to_be_visible()
    expect(turns.last).to_have_attribute("data-status", "answered")
    expect(turns.last.locator(".answer")).to_contain_text("附属卡")
    expect(turns.last.locator(".citation summary").first).to_contain_text("星辰金卡")


def test_feedback_with_a_comment(panel):
    ask(panel, "星辰金卡年费多少")
    form = latest(panel).locator("form.feedback")
    form.locator("input[name=comment]").fill("很清楚")
    form.locator("button[value=up]").click()
    expect(latest(panel).locator(".feedback-done")).to_be_visible()
