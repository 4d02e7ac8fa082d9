"""The review queue over agents' thumbs-down feedback: what waits, promotion into contract
evaluation items (one step, once), dismissal, and the export that `kb eval` loads as it is."""

import json

import pytest
from typer.testing import CliRunner

from evals.review import ReviewQueue, split_doc_ids, split_facts
from evals.runner import load_dataset
from kb.database import make_engine
from kb.errors import BadRequest, NotFound

RESPONSE = {"query": "金卡年费多少", "answer": {"status": "answered", "text": "主卡300元/年",
            "citations": [{"doc_id": "cc-gold", "version": 1, "title": "星辰金卡", "section": "年费标准",
                           "quote": "300元/年"},
                          {"doc_id": "cc-gold", "version": 1, "title": "星辰金卡", "section": "减免",
                           "quote": "首年免年费"}]}}


@pytest.fixture
def queue(tmp_path):
    return ReviewQueue(make_engine(f"sqlite:///{tmp_path / 'app.db'}"))


def thumbs_down(queue, query="金卡年费多少", comment="没说附属卡", response=RESPONSE) -> int:
    return queue.feedback.record(query, response, "down", comment=comment)


def test_pending_is_undecided_thumbs_down_newest_first(queue):
    first = thumbs_down(queue)
    queue.feedback.record("金卡年费多少", RESPONSE, "up")
    second = thumbs_down(queue, "客户13812345678问取现手续费", "答错了")
    shown = queue.pending()
    assert [p.id for p in shown] == [second, first]
    assert "13812345678" not in shown[0].question and shown[0].comment == "答错了"
    assert shown[1].answer_text == "主卡300元/年" and shown[1].cited_doc_ids == ["cc-gold"]
    assert shown[1].suggested_item_id == f"fb-{first}"
    queue.dismiss(second, "eva")
    assert [p.id for p in queue.pending()] == [first]


def test_promote_stores_a_contract_item_and_takes_it_off_the_queue(queue):
    down = thumbs_down(queue)
    item = queue.promote(down, " fb-1 ", ["cc-gold", "cc-gold", " "], ["300元", "150元|一百五十元", ""],
                         "credit_card", "eva")
    assert item["id"] == "fb-1" and item["question"] == "金卡年费多少" and item["answerable"]
    assert item["expected_doc_ids"] == ["cc-gold"] and item["key_facts"] == ["300元", "150元|一百五十元"]
    assert item["category"] == "credit_card" and item["feedback"]["comment"] == "没说附属卡"
    assert queue.items() == [item] and queue.pending() == []
    decided = queue.decision(down)
    assert (decided.outcome, decided.decided_by, decided.item_id) == ("promoted", "eva", "fb-1")


def test_no_expected_documents_make_an_unanswerable_item(queue):
    item = queue.promote(thumbs_down(queue, "彩虹卡积分换机票"), "fb-2", [], [], None, "eva")
    assert not item["answerable"] and "unanswerable" in item["tags"] and item["category"] == ""


@pytest.mark.parametrize("args, field", [
    (("fb-1", ["cc-gold"], [], ""), "item_id"),
    (("fb-9", ["cc-gold"], [], ""), "feedback_id"),
    (("", [], [], ""), "item_id"),
    (("fb 9", [], [], ""), "item_id"),
    (("fb-9", ["CC Gold"], [], ""), "expected_doc_ids"),
    (("fb-9", [], [], "cards"), "category"),
])
def test_refusals_name_the_field(queue, args, field):
    """A taken item id, a feedback already decided, and bad typing are refused; nothing is stored."""
    down = thumbs_down(queue)
    queue.promote(down, "fb-1", ["cc-gold"], [], "", "eva")
    other = thumbs_down(queue, "取现手续费多少")
    target = down if field == "feedback_id" else other
    with pytest.raises(BadRequest, match=rf"^{field}:"):
        queue.promote(target, *args, by="eva")
    assert [i["id"] for i in queue.items()] == ["fb-1"]


def test_dismiss_once_and_unknown_feedback(queue):
    down = thumbs_down(queue)
    queue.dismiss(down, "eva")
    assert queue.decision(down).outcome == "dismissed" and queue.items() == []
    with pytest.raises(BadRequest, match="^feedback_id: .*already dismissed by eva"):
        queue.promote(down, "fb-1", [], [], "", "eva")
    with pytest.raises(BadRequest, match="^feedback_id:"):
        queue.dismiss(down, "eva")
    with pytest.raises(NotFound):
        queue.promote(999, "fb-999", [], [], "", "eva")
    with pytest.raises(NotFound):
        queue.dismiss(999, "eva")


def test_a_response_of_another_shape_shows_as_no_answer(queue):
    down = thumbs_down(queue, response={"unparsed": "<html>"})
    shown = queue.pending()[0]
    assert (shown.id, shown.answer_text, shown.citations) == (down, "", [])


def test_export_is_a_dataset_kb_eval_loads(queue, tmp_path):
    first, second = thumbs_down(queue), thumbs_down(queue, "彩虹卡积分换机票")
    queue.promote(second, "fb-b", [], [], "", "eva")
    queue.promote(first, "fb-a", ["cc-gold"], ["300元"], "credit_card", "eva")
    path = tmp_path / "review.jsonl"
    path.write_text(queue.export_jsonl(), encoding="utf-8")
    loaded = load_dataset(path)
    assert [i["id"] for i in loaded] == ["fb-b", "fb-a"], "in the order they were promoted"
    assert [i["answerable"] for i in loaded] == [False, True]
    assert "彩虹卡" in path.read_text(encoding="utf-8"), "Chinese is written as it is, not escaped"


def test_typed_fields_split_as_the_page_sends_them():
    assert split_doc_ids("cc-gold, disc-x，fee-transfer 、 script-lost-card\n") == [
        "cc-gold", "disc-x", "fee-transfer", "script-lost-card"]
    assert split_facts("300元\n\n 150元|一百五十元 \r\n") == ["300元", "150元|一百五十元"]


def test_kb_feedback_export_writes_the_promoted_items(tmp_path, kbtest):
    from cli import app
    from evals.review import review_queue

    kb = kbtest.make_kb(tmp_path / "store")
    queue = review_queue(kb)
    queue.promote(thumbs_down(queue), "fb-1", ["cc-gold"], ["300元"], "credit_card", "eva")
    out = tmp_path / "set.jsonl"
    done = CliRunner().invoke(app, ["--store", str(tmp_path / "store"), "feedback", "export", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert [i["id"] for i in load_dataset(out)] == ["fb-1"]
    shown = CliRunner().invoke(app, ["--store", str(tmp_path / "store"), "feedback", "export"])
    assert json.loads(shown.stdout)["key_facts"] == ["300元"]


def test_the_queue_works_on_postgresql(postgres_url):
    """Dismissals share a NULL item id, and decided feedback is left out by a subquery."""
    queue = ReviewQueue(make_engine(postgres_url))
    ids = [thumbs_down(queue, f"问题{n}") for n in range(3)]
    queue.dismiss(ids[0], "eva")
    queue.dismiss(ids[1], "eva")
    queue.promote(ids[2], "fb-pg", ["cc-gold"], ["300元"], "credit_card", "eva")
    with pytest.raises(BadRequest, match="^item_id:"):
        queue.promote(thumbs_down(queue), "fb-pg", [], [], "", "eva")
    assert [p.question for p in queue.pending()] == ["金卡年费多少"]
    assert [i["id"] for i in queue.items()] == ["fb-pg"]
