"""The evaluation gate through the documents API: a refused publish answers 409 with the items
it would break; only a role with 'override' may publish anyway, with a reason."""

import json

import pytest
from fastapi.testclient import TestClient

ITEM = {"id": "fee-1", "question": "柜面跨行转账手续费多少", "answerable": True,
        "expected_doc_ids": ["fee-transfer"], "key_facts": ["5元"]}


@pytest.fixture
def gated(tmp_path, kbtest):
    """An app with an editor and an admin, over a store with one recorded run in which fee-1 is
    correct."""
    from ui.app import create_app

    knowledge = kbtest.make_kb(tmp_path / "store")
    assert knowledge.ingest(kbtest.write_corpus(tmp_path / "corpus")).ok
    dataset = tmp_path / "set.jsonl"
    dataset.write_text(json.dumps(ITEM, ensure_ascii=False) + "\n", encoding="utf-8")
    assert knowledge.evaluate(dataset).figures["accuracy"] == 1.0
    tokens = {role: knowledge.users.add(role, role) for role in ("editor", "admin")}
    with TestClient(create_app(knowledge.settings), base_url="http://127.0.0.1") as client:
        yield client, {role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()}


def publish(client, headers, text: str, **fields):
    return client.post("/api/documents", files={"file": ("fee.md", text.encode())}, data=fields,
                       headers=headers)


def test_a_refused_publish_is_409_with_the_items_it_breaks(gated, kbtest):
    client, as_ = gated
    refused = publish(client, as_["editor"], kbtest.FEE_V3)
    assert refused.status_code == 409
    gate = refused.json()["gate"]
    [failure] = gate["failures"]
    assert (failure["item_id"], failure["key_facts"], gate["checked"]) == ("fee-1", ["5元"], 1)
    assert "3元" in failure["answer"]
    answer = client.post("/assist", json={"query": "柜面跨行转账手续费多少"}, headers=as_["editor"])
    assert "5元" in answer.json()["answer"]["text"]


def test_only_the_override_permission_publishes_past_the_gate(gated, kbtest):
    client, as_ = gated
    forbidden = publish(client, as_["editor"], kbtest.FEE_V3, override="the board approved it")
    assert forbidden.status_code == 403 and "override" in forbidden.text
    done = publish(client, as_["admin"], kbtest.FEE_V3, override="the board approved it")
    assert done.status_code == 201 and done.json()["warnings"]
    [entry] = client.get("/api/documents/fee-transfer/audit", headers=as_["admin"]).json()
    assert entry["user"] == "admin" and "the board approved it" in entry["reason"]


def test_preview_carries_the_gate_and_rollback_is_gated_too(gated, kbtest):
    client, as_ = gated
    preview = client.post("/api/documents/preview", files={"file": ("fee.md", kbtest.FEE_V3.encode())},
                          headers=as_["editor"])
    assert [f["item_id"] for f in preview.json()["gate"]["failures"]] == ["fee-1"]
    rollback = client.post("/api/documents/fee-transfer/rollback", json={"version": 1}, headers=as_["editor"])
    assert rollback.status_code == 409 and rollback.json()["gate"]["failures"][0]["item_id"] == "fee-1"
