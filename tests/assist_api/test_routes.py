import json
import re

import pytest


def test_assist_returns_the_contract_response_the_core_gives(client, ingested_kb):
    body = client.post("/assist", json={"query": "星辰金卡年费多少"}).json()
    expected = ingested_kb.ask("星辰金卡年费多少").contract_dict()
    body.pop("latency_ms"), expected.pop("latency_ms")
    assert body == expected
    assert body["answer"]["status"] == "answered" and "300元" in body["answer"]["text"]
    assert [d["doc_id"] for d in body["disclosures"]] == ["disc-x"]
    assert {"query", "answer", "disclosures", "script", "alerts"} <= set(body)


def test_as_of_answers_from_the_version_in_force_then(client, kbtest):
    old = client.post("/assist", json={"query": "柜面跨行转账手续费多少", "as_of": kbtest.V1_DAY.isoformat()})
    new = client.post("/assist", json={"query": "柜面跨行转账手续费多少"})
    assert kbtest.V1_COUNTER_FEE in old.json()["answer"]["text"]
    assert kbtest.V2_COUNTER_FEE in new.json()["answer"]["text"]


@pytest.mark.parametrize("body", [
    {}, {"query": ""}, {"query": "   "}, {"query": "x" * 501}, {"query": 12},
    {"query": ["年费"]}, {"query": "年费", "unknown": 1}, {"query": "年费", "as_of": "yesterday"},
    {"query": "年费", "session_id": 5}, [], "年费",
])
def test_bad_requests_get_422_with_a_json_error(client, body):
    response = client.post("/assist", json=body)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_a_body_that_is_not_json_gets_422(client):
    response = client.post("/assist", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_a_refused_question_never_echoes_personal_data(client):
    response = client.post("/assist", json={"query": "卡号6222021234567890123" + "x" * 500})
    assert response.status_code == 422
    assert "6222021234567890123" not in response.text


def test_personal_data_is_masked_in_the_response_and_alerted(client):
    body = client.post("/assist", json={"query": "客户卡号6222021234567890123丢了怎么办"}).json()
    assert "6222021234567890123" not in json.dumps(body) and body["query"].endswith("0123丢了怎么办")
    assert "personal_data" in [a["code"] for a in body["alerts"]]


def test_session_follow_up_is_read_in_the_context_of_the_call(client):
    client.post("/assist", json={"query": "星辰金卡年费多少", "session_id": "call-api"})
    body = client.post("/assist", json={"query": "那附属卡呢？", "session_id": "call-api"}).json()
    assert body["context"]["carried"] and body["answer"]["status"] == "answered"
    assert {c["doc_id"] for c in body["answer"]["citations"]} == {"cc-gold"}


def test_check_flags_forbidden_phrases(client):
    alerts = client.post("/check", json={"draft": "这不归我管"}).json()["alerts"]
    assert [a["code"] for a in alerts] == ["refusing_responsibility"]
    assert client.post("/check", json={"draft": "您好，主卡年费300元"}).json() == {"alerts": []}
    assert client.post("/check", json={"text": "x"}).status_code == 422


def test_feedback_is_stored_masked_with_the_response(client, ingested_kb):
    answer = client.post("/assist", json={"query": "星辰金卡年费多少"}).json()
    stored = client.post("/feedback", json={
        "query": "星辰金卡年费多少 13812345678", "response": answer, "rating": "down",
        "comment": "客户电话13812345678，答案不全"})
    assert stored.status_code == 201
    row = next(r for r in ingested_kb.feedback.recent() if r.id == stored.json()["id"])
    assert row.rating == "down" and row.answer_status == "answered"
    assert "13812345678" not in row.query + row.comment and "5678" in row.comment
    assert json.loads(row.response_json)["answer"]["text"] == answer["answer"]["text"]
    assert client.post("/feedback", json={"query": "q", "response": {}, "rating": "meh"}).status_code == 422


def test_health_and_metrics(client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["documents"] == 6 and health["chunks"] > 0
    client.post("/assist", json={"query": "星辰金卡年费多少"})
    client.post("/assist", json={"query": "彩虹卡的积分怎么兑换机票"})
    text = client.get("/metrics").text
    assert 'kb_http_requests_total{method="POST",route="/assist",status="200"}' in text
    assert "kb_assist_latency_seconds_bucket" in text
    ratio = next(float(line.split()[-1]) for line in text.splitlines()
                 if line.startswith("kb_assist_no_answer_ratio"))
    assert 0.0 < ratio < 1.0


def test_openapi_documents_the_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/assist", "/check", "/feedback", "/health", "/metrics"} <= set(paths)
    docs = client.get("/docs")
    assert docs.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text) + re.findall(r"url: '([^']+)'", docs.text)
    assert assets and all(a.startswith("/") for a in assets), assets  # no CDN: it works offline
    assert all(client.get(a).status_code == 200 for a in assets)


@pytest.mark.parametrize("body", [{"version": True}, {"version": "1"}, {"version": 1.0}, {"version": 2**63},
                                  {"version": 1, "override_reason": 5}])
def test_a_rollback_body_is_strict(client, body):
    refused = client.post("/api/documents/fee-transfer/rollback", json=body)
    assert refused.status_code == 422, refused.text


@pytest.mark.parametrize("path", ["/", "/api/documents", "/docs", "/editor", "/no-such-page"])
def test_every_answer_carries_the_security_headers(client, path):
    answer = client.get(path)
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert answer.headers["x-frame-options"] == "DENY" and answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"


def test_pages_hold_no_inline_script_and_assets_do_not_follow_the_host_header(client):
    page = client.get("/", headers={"Host": "localhost:9999"})
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), "an inline script"
    assert not re.search(r"\son[a-z]+=", page.text), "an inline event handler"
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/static/") for a in assets if "static" in a)
    assert "localhost:9999" not in page.text
    static = client.get("/static/panel.css")
    assert "no-store" not in static.headers.get("cache-control", "")


@pytest.mark.parametrize("day", ["9999-12-31", "9999-12-15", "0001-01-01"])
def test_a_question_as_of_the_ends_of_the_calendar_is_answered(client, day):
    answer = client.post("/assist", json={"query": "柜面跨行转账手续费多少", "as_of": day})
    assert answer.status_code == 200


@pytest.mark.parametrize("path", ["/api/evaluations/99999999999999999999", "/api/evaluations/jobs/9223372036854775808",
                                  "/evaluations/runs/99999999999999999999", "/api/documents/fee-transfer/versions/9223372036854775808/original"])
def test_a_row_number_past_64_bits_is_a_422(client, path):
    assert client.get(path).status_code == 422


def test_ready_answers_503_before_start_up_and_after_shut_down_and_200_between(ingested_kb):
    from fastapi.testclient import TestClient

    from ui.app import create_app

    app = create_app(ingested_kb.settings, warm_up=False)
    outside = TestClient(app, base_url="http://127.0.0.1")  # not entered: start-up has not run
    assert outside.get("/ready").status_code == 503
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert client.get("/ready").json() == {"status": "ready"}
        queue = app.state.streams.subscribe("call-1")
    assert app.state.ready is False
    assert queue.get_nowait() is None  # a panel's stream was closed at shut-down, not left hanging
