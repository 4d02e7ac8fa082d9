"""axe-core (vendored in tests/vendor/axe-core, MPL-2.0; never fetched) run by Playwright in
Debian's chromium over the agents', editors', evaluators' and quality inspectors' pages, at 400 px and 1280 px and in
both colour schemes: no serious or critical WCAG 2 A/AA violation."""

import datetime as dt
import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kb.calls.transcript import utterance

AXE = (Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
SET = {"id": "q1", "question": "星辰金卡年费多少", "answerable": True, "expected_doc_ids": ["cc-gold"],
       "key_facts": ["300元"]}
PAGES = ["/editor", "/editor/upload", "/editor/documents/cc-gold", "/editor/gaps", "/evaluations",
         "/evaluations/runs/1", "/evaluations/diff", "/signin", "/editor/documents/no-such-doc",
         "/calls", "/calls/a11y-call", "/?call=a11y-call"]
CALL = [("agent", "您好，星辰银行信用卡中心，请问有什么可以帮您"), ("customer", "星辰金卡的年费是多少"),
        ("agent", "星辰金卡主卡年费是五百块一年"), ("customer", "我要打12378投诉你们")]


@pytest.fixture(scope="module")
def served(tmp_path_factory, kbtest):
    """Local mode (every page open), with one recorded evaluation run for the evaluators' pages."""
    root = tmp_path_factory.mktemp("axe")
    knowledge = kbtest.make_kb(root / "store")
    assert knowledge.ingest(kbtest.write_corpus(root / "corpus")).ok
    dataset = root / "set.jsonl"
    dataset.write_text(json.dumps(SET, ensure_ascii=False) + "\n", encoding="utf-8")
    knowledge.evaluate(dataset)
    for speaker, text in CALL:  # a finished call with findings, for the quality pages
        knowledge.calls.hear("a11y-call", "agent01", utterance({"speaker": speaker, "text": text,
                                                                "at": dt.datetime.now(dt.UTC).isoformat()}))
    knowledge.calls.end("a11y-call")
    with kbtest.serving(root / "store") as server:
        yield server


def serious_violations(page) -> list[str]:
    page.evaluate(AXE)  # through the debugging protocol: the pages' CSP allows no injected script tag
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", [400, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_panel_with_an_answer_an_alert_and_a_failure(browser, served, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", color_scheme=scheme)
    page = context.new_page()
    page.goto(served.url + "/")
    assert serious_violations(page) == []  # the empty state, with its examples
    for count, question in enumerate(("星辰金卡年费多少", "客户很生气说要找媒体曝光", "彩虹卡积分怎么换机票"), 1):
        page.locator("#query").fill(question)
        page.keyboard.press("Enter")
        expect(page.locator("#turns .turn")).to_have_count(count)
    page.route("**/ui/ask", lambda route: route.fulfill(status=503, body=""))
    page.locator("#query").fill("星辰金卡取现手续费")
    page.keyboard.press("Enter")
    expect(page.locator("#turns .turn-error")).to_have_count(1)
    page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
    assert serious_violations(page) == []
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_editors_and_evaluators_pages(browser, served, scheme):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", color_scheme=scheme)
    page = context.new_page()
    found = {}
    for path in PAGES:
        page.goto(served.url + path)
        found[path] = serious_violations(page)
    assert found == {path: [] for path in PAGES}
    context.close()
