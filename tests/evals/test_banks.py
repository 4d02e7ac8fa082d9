"""Regression gate on every evaluation set of the repository (evals.banks: the demo bank and the
banks written by others): each corpus is ingested into a fresh store, its set answered, and its
figures held to the floors of evals/gates.yaml; whatever the accuracy, every answer cites exact
quotes and carries the disclosures of what it cites.

Slow (a full ingest and 150-300 questions per bank); each bank's store and report are shared by
the tests of that bank.
"""

import pytest
import yaml

from application import Application as KnowledgeBase
from evals.banks import EVALS, banks, sealed
from kb.config import get_settings

GATES = yaml.safe_load((EVALS / "gates.yaml").read_text(encoding="utf-8"))
BANKS = banks()


def test_every_bank_has_a_gate_and_every_gate_a_bank():
    assert {b.name for b in BANKS} == set(GATES)


@pytest.fixture(scope="module", params=BANKS, ids=[b.name for b in BANKS])
def bank(request, tmp_path_factory):
    chosen = request.param
    kb = KnowledgeBase(get_settings(store=tmp_path_factory.mktemp(chosen.name) / "store"))
    ingest = kb.ingest(chosen.corpus)
    answers = tmp_path_factory.mktemp(f"{chosen.name}-out") / "answers.jsonl"
    report = kb.evaluate(chosen.questions, answers_out=answers, record=False)
    if chosen.name not in sealed():  # a sealed bank's failures are never shown
        print(f"\n{chosen.name}\n{report.text()}\n\nfailures:\n{report.failure_text()}\n")
    return {"name": chosen.name, "kb": kb, "ingest": ingest, "report": report, "answers": answers}


def test_the_corpus_ingests_clean(bank):
    assert bank["ingest"].ok, [str(p) for p in bank["ingest"].problems]
    assert bank["ingest"].added and bank["ingest"].chunks_embedded > 0


def test_every_item_is_answered_without_error(bank):
    figures = bank["report"].figures
    assert figures["items"] > 0 and figures["errors"] == 0
    assert len(bank["answers"].read_text(encoding="utf-8").splitlines()) == figures["items"]


def test_the_figures_keep_their_floors(bank):
    figures = bank["report"].figures
    low = {name: (figures[name], floor) for name, floor in GATES[bank["name"]].items()
           if figures[name] is None or figures[name] < floor}
    assert not low, f"{bank['name']}: figure (measured, floor): {low}\n{bank['report'].text()}"


def test_every_answer_carries_the_disclosures_of_what_it_cites(bank):
    kb, missing = bank["kb"], []
    for r in answered(bank):
        got = {d["doc_id"] for d in r["response"]["disclosures"]}
        for c in r["response"]["answer"]["citations"]:
            listed = set(kb.catalog.meta(f"{c['doc_id']}@v{c['version']}").disclosures)
            if listed - got:
                missing.append(f"{r['item']['id']}: cites {c['doc_id']}, missing {sorted(listed - got)}")
    assert not missing, shown(bank, missing)


def test_every_citation_quote_is_exact(bank):
    bodies = {d.meta.key: d.body for d in bank["kb"].store.document_records()}
    bad, results = [], answered(bank)
    for r in results:
        assert r["response"]["answer"]["citations"], f"{r['item']['id']} answered without a citation"
        for c in r["response"]["answer"]["citations"]:
            key = f"{c['doc_id']}@v{c['version']}"
            if key not in bodies or c["quote"] not in bodies[key]:
                bad.append(f"{r['item']['id']}: {key} {c['quote']!r}")
    assert results and not bad, "quotes that are not exact substrings of the cited body:\n" + shown(bank, bad)


def shown(bank, lines: list[str]) -> str:
    """What a failed test may print of a bank's items: nothing of a sealed bank's but a count."""
    if bank["name"] in sealed():
        return f"{len(lines)} items (a sealed bank: its items are never shown)"
    return "\n".join(lines)


def answered(bank) -> list[dict]:
    return [r for r in bank["report"].results
            if r["response"] and r["response"]["answer"]["status"] == "answered"]
