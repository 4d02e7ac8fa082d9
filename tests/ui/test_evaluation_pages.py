"""The evaluators' pages (local mode), checked by template, context and parsed HTML: runs over
time as SVG charts, a run's failures by cause, two runs compared, a run started and followed."""

import json
import re
import time

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

GOOD = {"id": "q1", "question": "星辰金卡年费多少", "answerable": True,
        "expected_doc_ids": ["cc-gold"], "key_facts": ["300元"], "category": "credit_card",
        "tags": ["short"]}
NONE = {"id": "q2", "question": "彩虹卡积分怎么兑换机票", "answerable": False, "category": "credit_card"}


def write_set(path, *items):
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    return path


@pytest.fixture
def pages(ingested_kb, kbtest, tmp_path):
    """Two recorded runs on the shared store (an app database of this test's own): q1 breaks."""
    from ui.app import create_app

    kb = kbtest.make_kb(ingested_kb.settings.store, database_url=f"sqlite:///{tmp_path / 'app.db'}")
    kb.evaluate(write_set(tmp_path / "a.jsonl", GOOD, NONE))
    kb.evaluate(write_set(tmp_path / "b.jsonl", dict(GOOD, key_facts=["999元"]), NONE))
    with TestClient(create_app(kb.settings, warm_up=False), base_url="http://127.0.0.1") as client:
        yield client


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def test_runs_page_charts_the_figures_over_time_and_groups_the_latest_failures(pages):
    page = pages.get("/evaluations")
    assert page.template.name == "evals_runs.html"
    html = soup(page)
    quality = html.select_one("figure[data-chart='质量'] svg")
    accuracy = quality.select_one("g[data-series='accuracy']")
    assert [c.title.text for c in accuracy.select("circle")] == ["准确率（accuracy）100.0%", "准确率（accuracy）50.0%"]
    assert len(accuracy.select_one("polyline")["points"].split()) == 2
    assert html.select_one("figure[data-chart^='延迟'] g[data-series='latency_p95_ms'] polyline")
    assert [r["data-run"] for r in html.select("tr[data-run]")] == ["2", "1"]
    assert [d["data-item"] for d in html.select("section[data-cause='missing_fact'] details.failure")] == ["q1"]
    assert html.select_one("figure[data-chart='按标签的准确率'] g.bar[data-label='short']")["data-value"] == "0.0"


def test_a_run_page_shows_figures_bars_and_each_failure(pages):
    html = soup(pages.get("/evaluations/runs/2"))
    assert html.select_one("tr[data-figure='accuracy'] td").text == "50.0%"
    assert html.select_one("tr[data-figure='accuracy'] th")["title"] == "accuracy"
    assert re.fullmatch(r"\d+ / \d+ 毫秒", html.select_one("tr[data-figure='latency'] td").text)
    bar = html.select_one("figure[data-chart='按类别的准确率'] g.bar[data-label='credit_card']")
    assert bar["data-value"] == "50.0" and "weak" in bar["class"]
    failure = html.select_one("details.failure[data-item='q1']")
    assert "999元" in failure.text and "300元" in failure.text and "cc-gold" in failure.text
    export = pages.get(html.select_one("a[href$='export.csv']")["href"])
    assert export.headers["content-disposition"] == 'attachment; filename="run-2.csv"' and "q1" in export.text
    assert pages.get("/evaluations/runs/99").status_code == 404


def test_diff_page_shows_the_figures_side_by_side_and_the_flip_with_both_answers(pages):
    page = pages.get("/evaluations/diff")
    assert (page.context["a"], page.context["b"]) == (1, 2)
    html = soup(page)
    assert [td.text for td in html.select("tr[data-figure='accuracy'] td")] == ["1.000", "0.500"]
    flip = html.select_one("details.flip.broke[data-item='q1']")
    before, after = flip.select("dl.outcome")
    assert "300元" in before.text and "999元" in after.text


def test_a_run_started_from_the_page_is_followed_to_its_result(pages):
    listed = soup(pages.get("/evaluations")).select("select[name=dataset] option[value]")
    dataset = listed[-1]["value"]
    assert dataset and "/" not in dataset and all("/" not in o.text for o in listed)
    started = pages.post("/evaluations/jobs", data={"dataset": dataset})
    assert started.status_code == 202
    poll = soup(started).select_one("[hx-get^='/evaluations/jobs/']")
    assert poll["hx-trigger"] == "every 1s"
    for _ in range(300):
        done = soup(pages.get(poll["hx-get"])).select_one(".job.done")
        if done:
            break
        time.sleep(0.2)
    assert done.select_one("a")["href"] == "/evaluations/runs/3"
    refused = pages.post("/evaluations/jobs", data={"dataset": "/etc/passwd"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and soup(refused).select_one("[role=alert]")
