import json

import pytest

from evals.runner import load_dataset
from kb.database import make_engine
from kb.errors import NotFound
from kb.feedback import FeedbackLog

RESPONSE = {"query": "金卡年费多少", "answer": {"status": "answered", "text": "300元",
            "citations": [{"doc_id": "cc-gold", "version": 1, "title": "t", "section": "s", "quote": "q"}]}}


@pytest.fixture
def log(tmp_path):
    return FeedbackLog(make_engine(f"sqlite:///{tmp_path / 'app.db'}"))


def test_feedback_is_kept_masked_and_listed_by_rating(log):
    up = log.record("金卡年费多少", RESPONSE, "up")
    down = log.record("客户13812345678问金卡年费", RESPONSE, "down", comment="卡号6222021234567890123说错了")
    assert [r.id for r in log.recent()] == [down, up]
    assert [r.id for r in log.recent(rating="down")] == [down]
    row = log.get(down)
    assert "13812345678" not in row.query and "6222021234567890123" not in row.comment
    with pytest.raises(NotFound):
        log.get(999)


def test_a_feedback_becomes_a_contract_evaluation_item_in_one_step(log, tmp_path):
    down = log.record("金卡年费多少", RESPONSE, "down", comment="少了附属卡")
    item = log.as_eval_item(down, "fb-001", ["cc-gold"], ["300元", "150元"], "credit_card")
    assert item["question"] == "金卡年费多少" and item["answerable"] and item["key_facts"] == ["300元", "150元"]
    assert item["feedback"] == {"id": down, "rating": "down", "comment": "少了附属卡", "cited": ["cc-gold"]}
    unanswerable = log.as_eval_item(down, "fb-002", [], [])
    assert not unanswerable["answerable"] and "unanswerable" in unanswerable["tags"]
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in (item, unanswerable)), encoding="utf-8")
    assert [i["id"] for i in load_dataset(path)] == ["fb-001", "fb-002"]


def test_only_what_the_review_queue_reads_is_stored_and_capped(log):
    """A client may post any `response`: the rest of it, and any length of it, is not kept."""
    import json

    sent = {"answer": {"status": "answered", "text": "年" * 50_000, "extra": "x" * 10_000,
                       "citations": [{"doc_id": "cc-gold", "version": 1, "quote": "q", "junk": "y" * 5000}] * 50},
            "disclosures": [{"text": "z" * 100_000}], "anything": ["w" * 100_000]}
    stored = json.loads(log.get(log.record("年费", sent, "down")).response_json)
    assert set(stored) == {"answer"} and set(stored["answer"]) == {"status", "text", "citations"}
    assert len(stored["answer"]["text"]) == 2000 and len(stored["answer"]["citations"]) == 10
    assert stored["answer"]["citations"][0] == {"doc_id": "cc-gold", "version": 1, "title": "", "section": "", "quote": "q"}
