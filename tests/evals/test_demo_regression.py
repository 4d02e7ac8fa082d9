"""Regression bar on the repository's demo knowledge base: ingest evals/demo_bank/corpus into a tmp
store, answer evals/demo_bank/questions.jsonl, and hold the figures to the regulator's bar.

Slow (a full ingest and some 300 questions); the store and the report are shared by the module.
"""

from pathlib import Path

import pytest

from kb.config import get_settings
from kb.knowledge_base import KnowledgeBase

DEMO = Path(__file__).resolve().parents[2] / "evals" / "demo_bank"
CORPUS = DEMO / "corpus"
QUESTIONS = DEMO / "questions.jsonl"

ACCURACY_BAR = 0.85            # the regulator's bar for overall accuracy
UNANSWERABLE_ACCURACY_BAR = 0.80
DISCLOSURE_RECALL_BAR = 1.0    # every required disclosure, every time


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    if not QUESTIONS.is_file():
        pytest.skip(f"{QUESTIONS.relative_to(DEMO.parents[1])} does not exist yet (the demo "
                    "evaluation set is assembled later); nothing to regress against")
    kb = KnowledgeBase(get_settings(store=tmp_path_factory.mktemp("demo") / "store"))
    ingest = kb.ingest(CORPUS)
    answers = tmp_path_factory.mktemp("demo-out") / "answers.jsonl"
    report = kb.evaluate(QUESTIONS, answers_out=answers)
    text = report.text()
    print("\n" + text + "\n\nfailures:\n" + report.failure_text())
    return {"kb": kb, "ingest": ingest, "report": report, "text": text, "answers": answers}


def test_demo_corpus_ingests_clean(demo):
    ingest = demo["ingest"]
    assert ingest.ok, [str(p) for p in ingest.problems]
    assert ingest.added and ingest.chunks_embedded > 0


def test_every_item_answered_without_error(demo):
    figures = demo["report"].figures
    assert figures["items"] > 0
    assert figures["errors"] == 0, demo["text"]
    assert len(demo["answers"].read_text(encoding="utf-8").splitlines()) == figures["items"]


# The three bars below are not met by the source as it stands (measured on the 285-item set while
# these tests were written); strict, so the marker must go as soon as a bar is met.
@pytest.mark.xfail(strict=True, reason=(
    "BUG: demo accuracy is about 0.51 (145/285), below the regulator's bar 0.85: many answerable "
    "questions get no_answer or a neighbouring section/product (see the failures list)"))
def test_accuracy_meets_the_bar(demo):
    accuracy = demo["report"].figures["accuracy"]
    assert accuracy >= ACCURACY_BAR, (
        f"accuracy {accuracy:.3f} < {ACCURACY_BAR}\n{demo['text']}\n\nfailures:\n"
        f"{demo['report'].failure_text()}")


@pytest.mark.xfail(strict=True, reason=(
    "BUG: unanswerable accuracy is about 0.66 (< 0.80): questions about products/features the bank "
    "does not offer (e.g. a-004 钻石卡年废多少, a-012 白金卡高铁站贵宾室) are answered from a neighbour"))
def test_unanswerable_accuracy_meets_the_bar(demo):
    value = demo["report"].figures["unanswerable_accuracy"]
    assert value is not None, "the demo set has no unanswerable items"
    assert value >= UNANSWERABLE_ACCURACY_BAR, f"unanswerable accuracy {value:.3f}\n{demo['text']}"


@pytest.mark.xfail(strict=True, reason=(
    "BUG: disclosure recall is about 0.71 (< 1.0); every miss comes from an item answered "
    "no_answer or from the wrong document, none from an answer that cites the right document"))
def test_disclosure_recall_is_complete(demo):
    report = demo["report"]
    value = report.figures["disclosure_recall"]
    assert value is not None, "the demo set requires no disclosures"
    missing = []
    for r in report.results:
        wanted = set(r["item"].get("required_disclosures", []))
        got = {d["doc_id"] for d in (r["response"] or {}).get("disclosures", [])}
        if wanted - got:
            missing.append(f"{r['item']['id']} {r['item']['question']}: missing {sorted(wanted - got)}")
    assert value >= DISCLOSURE_RECALL_BAR, (
        f"disclosure recall {value:.3f}\n" + "\n".join(missing[:40]))


def test_every_citation_quote_is_exact(demo):
    bodies = {d.meta.key: d.body for d in demo["kb"].store.document_records()}
    bad, answered = [], 0
    for r in demo["report"].results:
        response = r["response"]
        if not response or response["answer"]["status"] != "answered":
            continue
        answered += 1
        assert response["answer"]["citations"], f"{r['item']['id']} answered without a citation"
        for c in response["answer"]["citations"]:
            key = f"{c['doc_id']}@v{c['version']}"
            if key not in bodies or c["quote"] not in bodies[key]:
                bad.append(f"{r['item']['id']}: {key} {c['quote']!r}")
    assert answered > 0
    assert not bad, "quotes that are not exact substrings of the cited body:\n" + "\n".join(bad)
