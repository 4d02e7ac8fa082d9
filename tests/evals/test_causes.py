"""Each way an item can fail, on hand-made items and responses."""

import pytest

from evals.causes import CAUSES, cause_of

ITEM = {"id": "a", "question": "q", "answerable": True, "expected_doc_ids": ["fee"], "key_facts": ["5元"]}
NONE = {"id": "b", "question": "q", "answerable": False}


def response(status="answered", text="每笔5元", cited=("fee",)):
    return {"answer": {"status": status, "text": text, "citations": [{"doc_id": d} for d in cited]}}


@pytest.mark.parametrize("item, given, cause", [
    (ITEM, response(), None),
    (ITEM, None, "error"),
    (ITEM, response(cited=("other",)), "wrong_document"),
    (ITEM, response(text="每笔3元"), "missing_fact"),
    (ITEM, response(status="no_answer", text="", cited=()), "no_answer"),
    (NONE, response(), "answered_unanswerable"),
    (NONE, response(status="no_answer", text="", cited=()), None),
])
def test_each_failure_has_one_cause(item, given, cause):
    assert cause_of(item, given) == cause
    assert cause is None or cause in CAUSES
