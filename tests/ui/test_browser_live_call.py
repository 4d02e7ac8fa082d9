"""A live call in a real browser (Debian's chromium) against `kb serve`: the panel follows the
call while a recorded call is posted as the call platform posts it, and the suggestion cards,
the alerts and the ticked disclosure checklist appear. The time from posting a customer's question
to its card on screen goes to tests/artifacts/ (a figure for the README, not an assertion)."""

import datetime as dt
import json
import statistics
import time
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
QUESTIONS = ["星辰金卡的年费是多少", "彗星白金卡年费多少钱", "柜面跨行转账手续费怎么收", "手机银行跨行转账要手续费吗",
             "星辰金卡怎么免次年年费", "附属卡年费怎么减免", "卡丢了怎么办", "金卡未激活收年费吗"]


@pytest.fixture
def live(browser, served):
    ARTIFACTS.mkdir(exist_ok=True)
    call_id = f"live-{uuid.uuid4().hex[:8]}"
    context = browser.new_context(viewport={"width": 420, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{served.url}/?call={call_id}")
    expect(page.locator("#live[data-live=open]")).to_be_attached()
    with httpx.Client(base_url=served.url, timeout=30) as client:
        yield page, call_id, client
    context.close()


def post(client, call_id: str, speaker: str, text: str) -> float:
    """Post one utterance as the call platform does; when it was posted (perf_counter)."""
    started = time.perf_counter()
    response = client.post(f"/calls/{call_id}/utterances", json={
        "speaker": speaker, "text": text, "at": dt.datetime.now(dt.UTC).isoformat(), "agent": "agent01"})
    assert response.status_code == 201, response.text
    return started


def test_a_replayed_call_shows_cards_alerts_and_the_ticked_checklist(live):
    page, call_id, client = live
    cards = page.locator("#call-cards .call-card")
    post(client, call_id, "agent", "您好，星辰银行信用卡中心，请问有什么可以帮您")
    post(client, call_id, "customer", "我想问一下星辰金卡的年费是多少")
    expect(cards.first).to_contain_text("300元")
    expect(page.locator("#call-checklist li.owed")).to_contain_text("信用卡利息及费用风险提示")
    post(client, call_id, "agent", "星辰金卡主卡年费是五百块一年")
    expect(page.locator("#call-cards .kind-figure").first).to_contain_text("300元")
    post(client, call_id, "agent", "跟您说明一下：信用卡透支将按日利率万分之五计收利息，折合年化利率18.25%。未按时足额还款将产生"
                                   "违约金并可能影响您的个人信用记录。取现交易不享受免息还款期，并需支付取现手续费。请您合理使用信用卡，量入为出。")
    expect(page.locator("#call-checklist li.read")).to_contain_text("已宣读")
    post(client, call_id, "customer", "你们再这样我就打12378投诉你们")
    expect(page.locator("#call-cards [role=alert]").first).to_contain_text("紧急")
    page.screenshot(path=ARTIFACTS / "panel-live-call.png", full_page=True)
    assert client.post(f"/calls/{call_id}/end").status_code == 200
    expect(page.locator("#call-cards .call-ended")).to_be_visible()


def test_time_from_a_posted_question_to_its_card_on_screen(live):
    page, call_id, client = live
    cards = page.locator("#call-cards .kind-suggestion")
    timings = []
    for question in QUESTIONS:
        before = cards.count()
        started = post(client, call_id, "customer", question)
        try:
            expect(cards).to_have_count(before + 1, timeout=5000)
        except AssertionError:
            continue  # answered no new section: nothing new is suggested
        timings.append((time.perf_counter() - started) * 1000)
    assert len(timings) >= len(QUESTIONS) // 2
    figures = {"cards": len(timings), "p50_ms": round(statistics.median(timings), 1),
               "p95_ms": round(sorted(timings)[max(0, round(0.95 * len(timings)) - 1)], 1), "each_ms": [round(t) for t in timings]}
    (ARTIFACTS / "live-call-timings.json").write_text(json.dumps(figures))
    print(f"posted question → card on screen: {figures}")
