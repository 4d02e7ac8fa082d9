"""The evaluators' pages in a real browser (Debian's chromium, Playwright) against `kb serve`:
the charts are drawn, a failure opens, and a run started from the page is followed to its end."""

import json

import pytest
from playwright.sync_api import expect

EVALUATOR, PASSWORD = "eve", "evaluator-password"
GOOD = {"id": "q1", "question": "星辰金卡年费多少", "answerable": True,
        "expected_doc_ids": ["cc-gold"], "key_facts": ["300元"], "category": "credit_card"}


@pytest.fixture
def page(browser, tmp_path, kbtest):
    """A signed-in evaluator on /evaluations, over a store with two runs (q1 breaks in the second)."""
    knowledge = kbtest.make_kb(tmp_path / "store")
    assert knowledge.ingest(kbtest.write_corpus(tmp_path / "corpus")).ok
    for name, item in (("a.jsonl", GOOD), ("b.jsonl", dict(GOOD, key_facts=["999元"]))):
        (tmp_path / name).write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
        knowledge.evaluate(tmp_path / name)
    knowledge.users.add(EVALUATOR, "evaluator", password=PASSWORD)
    with kbtest.serving(tmp_path / "store") as served:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                      base_url=served.url)
        tab = context.new_page()
        tab.goto("/evaluations")
        tab.get_by_label("用户名").fill(EVALUATOR)
        tab.get_by_label("密码").fill(PASSWORD)
        tab.get_by_role("button", name="登录").click()
        expect(tab).to_have_url(f"{served.url}/evaluations")
        yield tab
        context.close()


def test_charts_are_drawn_and_a_failure_opens(page):
    accuracy = page.locator("figure[data-chart='质量'] g[data-series='accuracy']")
    expect(accuracy.locator("circle")).to_have_count(2)
    assert page.locator("figure[data-chart='质量'] svg").bounding_box()["height"] > 50
    for bars in page.locator("figure.bars svg").all():  # no bar's label or value runs off its chart
        right = bars.bounding_box()["x"] + bars.bounding_box()["width"]
        assert all(t.bounding_box()["x"] + t.bounding_box()["width"] <= right + 0.5 for t in bars.locator("text").all())
    failure = page.locator("section[data-cause='missing_fact'] details.failure[data-item='q1']")
    expect(failure.locator("dl.outcome")).to_be_hidden()
    failure.locator("summary").click()
    expect(failure.locator("dl.outcome")).to_be_visible()
    expect(failure.locator("dl.outcome")).to_contain_text("999元")


def test_a_run_started_from_the_page_shows_progress_then_its_result(page):
    page.get_by_role("button", name="开始评测").click()
    result = page.locator("#job .job.done a")
    expect(result).to_have_text("运行 #3", timeout=60_000)
    result.click()
    expect(page.locator("h1")).to_have_text("评测运行 #3")
    expect(page.locator("figure[data-chart='按类别的准确率'] g.bar[data-label='credit_card']")).to_have_attribute("data-value", "0.0")
