"""The contract's scoring (section 3) on hand-made cases; every expected figure is worked out by hand."""

import json

import pytest

from evals.report import EvalReport
from evals.scoring import fact_present, figures, is_correct, reciprocal_rank


def item(id="q", answerable=True, expected=(), facts=(), disclosures=(), category="credit_card", tags=()):
    return {"id": id, "question": "问题", "answerable": answerable, "expected_doc_ids": list(expected),
            "key_facts": list(facts), "required_disclosures": list(disclosures),
            "category": category, "tags": list(tags)}


def response(status="answered", text="", cited=(), disclosures=()):
    return {"query": "问题",
            "answer": {"status": status, "text": text,
                       "citations": [{"doc_id": d, "version": 1, "title": "t", "section": "s", "quote": "q"}
                                     for d in cited]},
            "disclosures": [{"doc_id": d, "title": "t", "text": "x"} for d in disclosures],
            "script": None, "alerts": []}


GOLD = item(expected=["cc-gold"], facts=["300元", "6次|六次"])


# ---- is_correct: answerable items ------------------------------------------------------------

def test_answered_with_expected_citation_and_every_fact_is_correct():
    assert is_correct(GOLD, response(text="金卡年费300元，刷卡6次免次年年费。", cited=["cc-gold"]))


def test_no_answer_status_is_wrong_for_an_answerable_item():
    assert not is_correct(GOLD, response("no_answer", "金卡年费300元，刷卡6次免。", cited=["cc-gold"]))


def test_citation_must_name_an_expected_document():
    text = "金卡年费300元，刷卡6次免。"
    assert not is_correct(GOLD, response(text=text, cited=["cc-classic"]))
    assert not is_correct(GOLD, response(text=text, cited=[]))
    assert is_correct(GOLD, response(text=text, cited=["cc-classic", "cc-gold"]))  # one is enough


def test_every_key_fact_must_occur():
    assert not is_correct(GOLD, response(text="金卡年费300元。", cited=["cc-gold"]))  # 6次 missing


def test_any_alternative_of_a_key_fact_counts():
    assert is_correct(GOLD, response(text="金卡年费300元，刷卡六次免年费。", cited=["cc-gold"]))
    assert not is_correct(GOLD, response(text="金卡年费300元，刷卡5次免年费。", cited=["cc-gold"]))


def test_item_without_key_facts_needs_status_and_citation_only():
    plain = item(expected=["a"])
    assert is_correct(plain, response(text="任何内容", cited=["a"]))
    assert not is_correct(plain, response(text="任何内容", cited=["b"]))


@pytest.mark.parametrize("fact, text", [
    ("年费300元", "年費３００元"),              # NFKC full-width digits + traditional characters
    ("annual fee", "The ANNUAL FEE is waived"),  # lower case
    ("300元", "300 元"),                         # white space in the answer
    ("免 年 费", "免年费"),                      # white space in the fact
    ("2000元", "额度2,000元"),                   # thousands separator in the answer
    ("10,000元", "额度10000元"),                 # thousands separator in the fact
    ("1,234,567", "共１，２３４，５６７"),
])
def test_matching_is_normalized(fact, text):
    assert fact_present(fact, text)


@pytest.mark.parametrize("fact, text", [
    ("300元", "30元"),
    ("2000元", "200,0元"),   # '200,0' is not a thousands group
    ("六次", "6次"),         # no number-word equivalence unless the fact lists it
    ("|", "任何内容"),       # a fact of empty alternatives is never found
])
def test_matching_is_not_too_loose(fact, text):
    assert not fact_present(fact, text)


# ---- is_correct: unanswerable items and failures ---------------------------------------------

def test_unanswerable_item_is_correct_only_with_no_answer():
    none = item(answerable=False)
    assert is_correct(none, response("no_answer", "知识库中没有可以回答这个问题的内容。"))
    assert not is_correct(none, response("answered", "年费300元", cited=["cc-gold"]))


def test_null_response_is_wrong():
    assert not is_correct(GOLD, None)
    assert not is_correct(item(answerable=False), None)


def test_reciprocal_rank():
    assert reciprocal_rank({"b"}, ["a", "b", "c"]) == 0.5
    assert reciprocal_rank({"c", "a"}, ["a", "b", "c"]) == 1.0  # first expected document counts
    assert reciprocal_rank({"z"}, ["a", "b"]) == 0.0
    assert reciprocal_rank({"a"}, []) == 0.0


# ---- figures ---------------------------------------------------------------------------------

def results():
    return [
        # 1: correct. rank 1 → rr 1. citations 2, expected 1. disclosures 1/1. latency 10
        {"item": item("cc-1", expected=["cc-gold"], facts=["300元"], disclosures=["disc-a"],
                      category="credit_card", tags=["colloquial"]),
         "response": response(text="年费300元", cited=["cc-gold", "fee-x"], disclosures=["disc-a"]),
         "retrieved": ["cc-gold", "fee-x"], "latency_ms": 10},
        # 2: wrong (fact missing). rank 3 → rr 1/3. citations 1, expected 1. disclosures 1/2. latency 20
        {"item": item("cc-2", expected=["cc-points"], facts=["6次|六次"], disclosures=["disc-a", "disc-b"],
                      category="credit_card", tags=["colloquial", "typo"]),
         "response": response(text="每年三次", cited=["cc-points"], disclosures=["disc-a"]),
         "retrieved": ["x", "y", "cc-points"], "latency_ms": 20},
        # 3: correct (no facts). rank 5 → rr 1/5. citations 1, expected 1. latency 30
        {"item": item("loan-1", expected=["loan-a", "loan-b"], category="loan"),
         "response": response(text="见合同", cited=["loan-b"]),
         "retrieved": ["x1", "x2", "x3", "x4", "loan-b", "loan-a"], "latency_ms": 30},
        # 4: unanswerable, correct; not in retrieval figures. latency 40
        {"item": item("un-1", answerable=False, category="loan", tags=["typo"]),
         "response": response("no_answer", "没有"), "retrieved": ["z"], "latency_ms": 40},
        # 5: failed: null response → wrong, an error, rr 0, disclosures 0/1. latency 1000
        {"item": item("dep-1", expected=["dep-a"], disclosures=["disc-c"], category="deposit",
                      tags=["colloquial"]),
         "response": None, "error": "boom", "retrieved": [], "latency_ms": 1000},
    ]


@pytest.fixture(scope="module")
def figs():
    return figures(results())


def test_accuracy(figs):
    # correct: items 1, 3, 4 → 3 / 5
    assert (figs["items"], figs["correct"]) == (5, 3)
    assert figs["accuracy"] == pytest.approx(0.6)


def test_answerable_and_unanswerable_accuracy(figs):
    assert figs["answerable_accuracy"] == pytest.approx(2 / 4)   # items 1, 3 of 1, 2, 3, 5
    assert figs["unanswerable_accuracy"] == pytest.approx(1.0)   # item 4


def test_accuracy_per_category(figs):
    assert figs["per_category"] == {
        "credit_card": {"items": 2, "accuracy": 0.5},   # 1 right, 2 wrong
        "deposit": {"items": 1, "accuracy": 0.0},       # 5 wrong
        "loan": {"items": 2, "accuracy": 1.0},          # 3, 4 right
    }


def test_accuracy_per_tag(figs):
    assert figs["per_tag"]["colloquial"]["items"] == 3                      # items 1, 2, 5
    assert figs["per_tag"]["colloquial"]["accuracy"] == pytest.approx(1 / 3)
    assert figs["per_tag"]["typo"] == {"items": 2, "accuracy": 0.5}         # items 2 (wrong), 4 (right)
    assert set(figs["per_tag"]) == {"colloquial", "typo"}


def test_retrieval_hits_and_mrr(figs):
    # answerable items' reciprocal ranks: 1, 1/3, 1/5, 0
    assert figs["hit@1"] == pytest.approx(1 / 4)
    assert figs["hit@3"] == pytest.approx(2 / 4)
    assert figs["hit@5"] == pytest.approx(3 / 4)
    assert figs["mrr"] == pytest.approx((1 + 1 / 3 + 1 / 5 + 0) / 4)  # ≈ 0.3833


def test_citation_precision(figs):
    # item 1: 1 of 2, item 2: 1 of 1, item 3: 1 of 1, item 4: none, item 5: null → 3 / 4
    assert figs["citation_precision"] == pytest.approx(0.75)


def test_disclosure_recall(figs):
    # required 1 + 2 + 0 + 0 + 1 = 4; returned 1 + 1 + 0 + 0 + 0 = 2
    assert figs["disclosure_recall"] == pytest.approx(0.5)


def test_latency_percentiles(figs):
    # sorted 10, 20, 30, 40, 1000: p50 = 30; p95 at position 0.95 * 4 = 3.8 → 40 + 0.8 * 960 = 808
    assert figs["latency_p50_ms"] == pytest.approx(30)
    assert figs["latency_p95_ms"] == pytest.approx(808)


def test_null_response_counts_as_error(figs):
    assert figs["errors"] == 1


def test_figures_without_some_kinds_of_items():
    only_unanswerable = figures([{"item": item(answerable=False), "response": response("no_answer"),
                                  "retrieved": [], "latency_ms": None}])
    assert only_unanswerable["accuracy"] == 1.0
    assert only_unanswerable["answerable_accuracy"] is None
    assert only_unanswerable["hit@1"] is None and only_unanswerable["mrr"] is None
    assert only_unanswerable["citation_precision"] is None      # no citations at all
    assert only_unanswerable["disclosure_recall"] is None       # nothing required
    assert only_unanswerable["latency_p50_ms"] is None          # no latency recorded

    empty = figures([])
    assert (empty["items"], empty["accuracy"], empty["errors"]) == (0, 0.0, 0)


def test_answerable_item_without_expected_docs_is_left_out_of_retrieval():
    rows = [{"item": item(expected=[]), "response": response(), "retrieved": ["a"], "latency_ms": 1},
            {"item": item(expected=["a"]), "response": response(), "retrieved": ["b", "a"], "latency_ms": 1}]
    f = figures(rows)
    assert f["hit@1"] == 0.0 and f["hit@3"] == 1.0 and f["mrr"] == 0.5


# ---- report ----------------------------------------------------------------------------------

def test_report_lists_failures_and_writes_figures(tmp_path):
    rows = results()
    report = EvalReport("set.jsonl", figures(rows), rows)
    assert [r["item"]["id"] for r in report.failures()] == ["cc-2", "dep-1"]
    text = report.text()
    assert "accuracy               60.0%  (3/5)" in text
    assert "MRR 0.383" in text
    failure_lines = report.failure_text().splitlines()
    assert len(failure_lines) == 2 and failure_lines[1].startswith("dep-1\t") and "boom" in failure_lines[1]

    report.write(tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["correct"] == 3
    report.write(tmp_path / "r.txt")
    assert "failures:" in (tmp_path / "r.txt").read_text(encoding="utf-8")
