"""The evaluators' review page (local mode, then signed in), checked by template, context and
parsed HTML: agents' thumbs-down feedback promoted or dismissed in one step, the export, and the
same queue through /api/review."""

import re

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from evals.runner import load_dataset


@pytest.fixture(scope="module")
def reviewing(tmp_path_factory, kbtest):
    """An app over a store of its own (these tests decide feedback), in local mode."""
    from ui.app import create_app

    root = tmp_path_factory.mktemp("review")
    knowledge = kbtest.make_kb(root / "store")
    assert knowledge.ingest(kbtest.write_corpus(root / "corpus")).ok
    with TestClient(create_app(knowledge.settings), base_url="http://127.0.0.1") as client:
        yield client


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def thumbs_down(client, query: str, comment: str = "") -> int:
    """An agent's 没用 on the answer the panel gave, as the panel's form sends it."""
    response = client.post("/assist", json={"query": query}).json()
    stored = client.post("/feedback", json={"query": query, "response": response, "rating": "down",
                                            "comment": comment})
    return stored.json()["id"]


def entry(page, feedback_id: int):
    return soup(page).select_one(f"article.review-entry[data-feedback='{feedback_id}']")


def test_the_page_shows_each_pending_feedback_with_a_prefilled_form(reviewing):
    down = thumbs_down(reviewing, "星辰金卡年费多少", "没说附属卡年费")
    reviewing.post("/feedback", json={"query": "q", "response": {}, "rating": "up"})
    page = reviewing.get("/evaluations/review")
    assert page.status_code == 200 and page.template.name == "evals_review.html"
    shown = next(p for p in page.context["pending"] if p.id == down)
    assert shown.question == "星辰金卡年费多少" and "cc-gold" in shown.cited_doc_ids
    html = entry(page, down)
    assert "星辰金卡年费多少" in html.select_one(".review-question").text
    assert "300元" in html.select_one(".answer-text").text
    assert "cc-gold" in {li["data-doc"] for li in html.select(".citations li")}
    assert "没说附属卡年费" in html.select_one(".agent-comment").text
    form = html.select_one(f"form[hx-post='/evaluations/review/{down}/promote']")
    assert form.select_one("input[name=item_id]")["value"] == f"fb-{down}"
    assert "cc-gold" in form.select_one("input[name=expected_doc_ids]")["value"]
    assert ("credit_card", "信用卡") in [(o["value"], o.text) for o in form.select("select[name=category] option")]
    assert form.select_one("button[type=submit]").text == "加入评测集"
    assert form.select_one(f"button[hx-post='/evaluations/review/{down}/dismiss']").text == "忽略"
    assert soup(page).select_one("header.bar a[href='/evaluations/review']"), "the evaluators' bar"
    assert soup(page).select_one("a.export")["href"] == "/evaluations/review/export.jsonl"


def test_promote_through_the_page_then_it_is_listed_and_exported(reviewing):
    down = thumbs_down(reviewing, "星辰金卡附属卡年费多少", "附属卡年费答错")
    done = reviewing.post(f"/evaluations/review/{down}/promote", data={
        "item_id": f"fb-{down}", "expected_doc_ids": "cc-gold", "key_facts": "150元\n附属卡",
        "category": "credit_card"})
    assert done.status_code == 200 and done.template.name == "_review_done.html"
    html = soup(done)
    outcome = html.select_one(f"article[data-feedback='{down}']")
    assert outcome["data-outcome"] == "promoted" and f"fb-{down}" in outcome.text
    appended = html.select_one("ol[hx-swap-oob='beforeend:#promoted'] li.promoted-item")
    assert appended["data-item"] == f"fb-{down}", "the promoted list grows without a reload"
    page = reviewing.get("/evaluations/review")
    assert entry(page, down) is None and f"fb-{down}" in [i["id"] for i in page.context["items"]]
    assert soup(page).select_one(f"#promoted li[data-item='fb-{down}']")
    exported = reviewing.get("/evaluations/review/export.jsonl")
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    assert re.fullmatch(r'attachment; filename="kb-review-items-\d{8}\.jsonl"',
                        exported.headers["content-disposition"])
    assert reviewing.get("/api/review/export").text == exported.text


def test_export_loads_as_an_evaluation_set(reviewing, tmp_path):
    down = thumbs_down(reviewing, "彩虹卡积分怎么换机票")
    assert reviewing.post(f"/evaluations/review/{down}/promote",
                          data={"item_id": f"gap-{down}", "expected_doc_ids": ""}).status_code == 200
    path = tmp_path / "review.jsonl"
    path.write_bytes(reviewing.get("/evaluations/review/export.jsonl").content)
    item = next(i for i in load_dataset(path) if i["id"] == f"gap-{down}")
    assert not item["answerable"] and item["question"] == "彩虹卡积分怎么换机票"


def test_a_duplicate_item_id_is_shown_inline_with_what_was_typed(reviewing):
    first, second = thumbs_down(reviewing, "取现手续费多少"), thumbs_down(reviewing, "取现怎么收费")
    reviewing.post(f"/evaluations/review/{first}/promote", data={"item_id": f"cash-{first}"})
    refused = reviewing.post(f"/evaluations/review/{second}/promote", data={
        "item_id": f"cash-{first}", "expected_doc_ids": "cc-gold", "key_facts": "1%",
        "category": "credit_card"})
    assert refused.status_code == 422 and refused.template.name == "_review_entry.html"
    form = soup(refused).select_one(f"article[data-feedback='{second}'] form")
    assert "item_id" in form.select_one(".form-error[role=alert]").text
    assert form.select_one("input[name=item_id]")["value"] == f"cash-{first}"
    assert form.select_one("textarea[name=key_facts]").text == "1%"
    assert form.select_one("option[selected]")["value"] == "credit_card"
    assert second in [p.id for p in reviewing.get("/evaluations/review").context["pending"]]


def test_dismiss_through_the_page_and_the_api_refuses_it_twice(reviewing):
    down = thumbs_down(reviewing, "网点几点关门", "不需要")
    done = reviewing.post(f"/evaluations/review/{down}/dismiss")
    assert done.status_code == 200 and soup(done).select_one("article")["data-outcome"] == "dismissed"
    assert down not in [p["id"] for p in reviewing.get("/api/review").json()]
    again = reviewing.post(f"/api/review/{down}/dismiss")
    assert again.status_code == 422 and "feedback_id" in again.json()["detail"][0]["msg"]
    page_again = reviewing.post(f"/evaluations/review/{down}/dismiss")
    assert page_again.status_code == 422 and "already dismissed" in page_again.text


def test_the_api_lists_promotes_and_refuses(reviewing):
    down = thumbs_down(reviewing, "手机银行跨行转账手续费多少")
    listed = next(p for p in reviewing.get("/api/review").json() if p["id"] == down)
    assert listed["suggested_item_id"] == f"fb-{down}" and listed["answer_status"]
    body = {"item_id": f"api-{down}", "expected_doc_ids": ["fee-transfer"], "key_facts": ["免收|免费"],
            "category": "fee_rule"}
    made = reviewing.post(f"/api/review/{down}/promote", json=body)
    assert made.status_code == 201 and made.json()["expected_doc_ids"] == ["fee-transfer"]
    assert reviewing.post(f"/api/review/{down}/promote", json=body).status_code == 422
    assert reviewing.post("/api/review/999999/promote", json=body).status_code == 404
    assert reviewing.post(f"/api/review/{down}/promote", json={"item_id": 1}).status_code == 422


def test_signed_in_the_forms_carry_the_csrf_token(tmp_path, kbtest):
    from ui.app import create_app

    knowledge = kbtest.make_kb(tmp_path / "store")
    down = knowledge.feedback.record("年费多少", {"answer": {"status": "answered"}}, "down")
    knowledge.users.add("eva", "evaluator", password="eva-password")
    with TestClient(create_app(knowledge.settings, warm_up=False), base_url="http://127.0.0.1") as client:
        signin = client.get("/signin").text
        token = re.search(r'name="signin_csrf" value="([^"]+)"', signin).group(1)
        client.post("/signin", data={"name": "eva", "password": "eva-password", "signin_csrf": token})
        page = client.get("/evaluations/review")
        csrf = page.context["csrf"]
        assert entry(page, down).select_one("input[name=csrf_token]")["value"] == csrf
        assert client.post(f"/evaluations/review/{down}/dismiss").status_code == 403
        done = client.post(f"/evaluations/review/{down}/dismiss", data={"csrf_token": csrf})
        assert done.status_code == 200 and knowledge.feedback.get(down)
    from evals.review import review_queue
    assert review_queue(knowledge).decision(down).decided_by == "eva"
