"""Why an item failed, in the four ways an evaluator acts on differently: the wrong document was
cited (retrieval), the right one without a key fact (answer selection), an answer where the
knowledge base should have declined (answerability), or no answer where one was due."""

from evals.scoring import is_correct

CAUSES = {
    "wrong_document": "引用了错误的文档",
    "missing_fact": "缺少关键事实",
    "answered_unanswerable": "不应回答却回答了",
    "no_answer": "应回答却未回答",
    "error": "出错",
}


def cause_of(item: dict, response: dict | None) -> str | None:
    """None for a correct item; otherwise one key of CAUSES."""
    if is_correct(item, response):
        return None
    if response is None:
        return "error"
    answer = response["answer"]
    if not item["answerable"]:
        return "answered_unanswerable"
    if answer["status"] != "answered":
        return "no_answer"
    cited = {c["doc_id"] for c in answer.get("citations", [])}
    return "missing_fact" if cited & set(item.get("expected_doc_ids", [])) else "wrong_document"
