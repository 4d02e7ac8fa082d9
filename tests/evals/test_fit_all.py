"""The whole fitting (evals.fitting.fit_all) on two small banks over the test corpus: what
`python -m evals.fit` writes is a complete, loadable kb/fitted.json that the product answers with."""

import json

import pytest

from evals.banks import Bank
from evals.fit import evaluate_with
from evals.fitting import collect, fit_all
from kb.fitted import Fitted

BANK_A = [
    ("星辰金卡年费多少", True, ["cc-gold"], ["300元"]),
    ("金卡取现手续费怎么收", True, ["cc-gold"], ["1%"]),
    ("柜面跨行转账手续费多少", True, ["fee-transfer"], ["5元"]),
    ("附属卡年费多少钱", True, ["cc-gold"], ["150元"]),
    ("钻石卡年费多少", False, [], []),
    ("星辰金卡有日元币种吗", False, [], []),
    ("房贷利率多少", False, [], []),
]
BANK_B = [
    ("金卡刷几次免年费", True, ["cc-gold"], ["6次"]),
    ("手机银行跨行转账要钱吗", True, ["fee-transfer"], ["免收"]),
    ("取现有免息期吗", True, ["cc-gold"], ["不享受"]),
    ("星辰金卡能用美元消费吗", True, ["cc-gold"], ["美元"]),
    ("白金卡年费多少", False, [], []),
    ("理财产品收益多少", False, [], []),
    ("大额存单利率多少", False, [], []),
]


def bank(tmp_path, corpus, name: str, items) -> Bank:
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps({"id": f"{name}-{n}", "question": q, "answerable": ok, "expected_doc_ids": docs,
                                        "key_facts": facts, "category": "credit_card"}, ensure_ascii=False) + "\n"
                            for n, (q, ok, docs, facts) in enumerate(items)), encoding="utf-8")
    return Bank(name, corpus, path)


@pytest.fixture
def fitted_and_kb(tmp_path, corpus, kb_factory):
    kb = kb_factory()
    assert kb.ingest(corpus).ok
    banks = [bank(tmp_path, corpus, "a", BANK_A), bank(tmp_path, corpus, "b", BANK_B)]
    return fit_all({b.name: collect(kb, b) for b in banks}), kb, banks


def test_fit_all_writes_a_complete_model_that_the_product_answers_with(fitted_and_kb):
    fitted, kb, banks = fitted_and_kb
    again = Fitted.from_json(fitted.to_json())
    assert again.to_json() == fitted.to_json()
    assert 0.0 < fitted.threshold < 1.0
    assert len(fitted.units.coef) == len(fitted.units.features)
    assert len(fitted.answerable.coef) == len(fitted.answerable.features)
    assert fitted.meaning is not None and fitted.neighbours is not None  # two banks: each scored by the other
    figures = evaluate_with(kb, banks[0], again)
    assert figures["items"] == len(BANK_A) and figures["errors"] == 0
    # fitted on these very questions, the product answers most of them right: a fit that had lost
    # its labels or its features would not
    assert figures["accuracy"] >= 0.7
