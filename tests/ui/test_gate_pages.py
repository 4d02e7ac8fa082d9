"""The evaluation gate on the editors' pages (local mode, which may override): the preview shows
which correct items a version would break; a refused publish says so and writes nothing; a
written reason publishes it."""

import json

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

ITEM = {"id": "fee-1", "question": "柜面跨行转账手续费多少", "answerable": True,
        "expected_doc_ids": ["fee-transfer"], "key_facts": ["5元"]}


@pytest.fixture
def pages(tmp_path, kbtest):
    from ui.app import create_app

    knowledge = kbtest.make_kb(tmp_path / "store")
    assert knowledge.ingest(kbtest.write_corpus(tmp_path / "corpus")).ok
    dataset = tmp_path / "set.jsonl"
    dataset.write_text(json.dumps(ITEM, ensure_ascii=False) + "\n", encoding="utf-8")
    knowledge.evaluate(dataset)
    with TestClient(create_app(knowledge.settings), base_url="http://127.0.0.1") as client:
        yield client


def upload(client, step, text, **fields):
    return client.post(f"/editor/upload/{step}", files={"file": ("fee.md", text.encode())}, data=fields,
                       headers={"HX-Request": "true"})


def test_preview_lists_the_items_the_version_would_break(pages, kbtest):
    html = BeautifulSoup(upload(pages, "preview", kbtest.FEE_V3).text, "html.parser")
    gate = html.select_one("section.gate.failed")
    assert gate["data-checked"] == "1"
    [row] = gate.select("tr.gate-failure")
    assert row["data-item"] == "fee-1" and "5元" in row.text and "3元" in row.text


def test_a_refused_publish_writes_nothing_and_a_reason_publishes(pages, kbtest):
    refused = upload(pages, "publish", kbtest.FEE_V3)
    assert refused.status_code == 409 and refused.context["gate"].failures[0].item_id == "fee-1"
    shown = BeautifulSoup(refused.text, "html.parser")
    assert shown.select_one("[role=alert] tr.gate-failure[data-item=fee-1]")
    assert "覆盖评测门禁" in shown.select_one("button.publish")["hx-confirm"]
    assert len(pages.get("/api/documents/fee-transfer").json()["versions"]) == 2
    form = BeautifulSoup(pages.get("/editor/upload").text, "html.parser")
    assert form.select_one("textarea[name=override]")
    done = upload(pages, "publish", kbtest.FEE_V3, override="pricing board decision 2026-11")
    assert done.status_code == 200 and done.context["published"].version == 3
    assert "pricing board" in pages.get("/api/documents/fee-transfer/audit").json()[0]["reason"]


def test_a_refused_rollback_says_why_on_the_document_page(pages):
    page = pages.post("/editor/documents/fee-transfer/rollback", data={"version": "1"})
    notice = BeautifulSoup(page.text, "html.parser").select_one(".notice")
    assert "评测门禁" in notice.text and "fee-1" in notice.text
    assert len(pages.get("/api/documents/fee-transfer").json()["versions"]) == 2
