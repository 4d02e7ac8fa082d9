"""Regression bar on the repository's demo knowledge base: ingest evals/demo_bank/corpus into a tmp
store, answer evals/demo_bank/questions.jsonl, and hold the figures to their regression floors.

Slow (a full ingest and some 300 questions); the store and the report are shared by the module.
"""

from pathlib import Path

import pytest

from kb.config import get_settings
from kb.knowledge_base import KnowledgeBase

DEMO = Path(__file__).resolve().parents[2] / "evals" / "demo_bank"
CORPUS = DEMO / "corpus"
QUESTIONS = DEMO / "questions.jsonl"

# Regression floors, a little under what the demo set measures now (README, "Measured figures").
# The targets are higher (accuracy >= 0.90 against the regulator's 0.85, disclosure recall 1.0);
# a floor is raised whenever the measured figure rises, and never lowered to let a change in.
ACCURACY_FLOOR = 0.70
UNANSWERABLE_ACCURACY_BAR = 0.80
DISCLOSURE_RECALL_FLOOR = 0.85


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    assert QUESTIONS.is_file(), f"the demo evaluation set {QUESTIONS} is missing"
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


def test_accuracy_does_not_regress(demo):
    accuracy = demo["report"].figures["accuracy"]
    assert accuracy >= ACCURACY_FLOOR, (
        f"accuracy {accuracy:.3f} < {ACCURACY_FLOOR}\n{demo['text']}\n\nfailures:\n"
        f"{demo['report'].failure_text()}")


def test_unanswerable_accuracy_meets_the_bar(demo):
    value = demo["report"].figures["unanswerable_accuracy"]
    assert value is not None, "the demo set has no unanswerable items"
    assert value >= UNANSWERABLE_ACCURACY_BAR, f"unanswerable accuracy {value:.3f}\n{demo['text']}"


def test_disclosure_recall_does_not_regress(demo):
    value = demo["report"].figures["disclosure_recall"]
    assert value is not None, "the demo set requires no disclosures"
    assert value >= DISCLOSURE_RECALL_FLOOR, f"disclosure recall {value:.3f}\n{demo['text']}"


def test_every_answer_carries_the_disclosures_of_what_it_cites(demo):
    """Whatever the accuracy, an answer citing a document never goes out without the
    disclosures that document lists."""
    kb, missing = demo["kb"], []
    for r in demo["report"].results:
        response = r["response"]
        if not response or response["answer"]["status"] != "answered":
            continue
        got = {d["doc_id"] for d in response["disclosures"]}
        for c in response["answer"]["citations"]:
            listed = set(kb.catalog.meta(f"{c['doc_id']}@v{c['version']}").disclosures)
            if listed - got:
                missing.append(f"{r['item']['id']}: cites {c['doc_id']}, missing {sorted(listed - got)}")
    assert not missing, "\n".join(missing)


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
