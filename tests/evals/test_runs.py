"""Recorded evaluation runs: listed, compared, and used as a baseline gate."""

import json

import pytest

from kb.vocab import vocabulary_hash

GOOD = {"id": "q1", "question": "星辰金卡年费多少", "answerable": True,
        "expected_doc_ids": ["cc-gold"], "key_facts": ["300元"], "category": "credit_card"}
NONE = {"id": "q2", "question": "彩虹卡积分怎么兑换机票", "answerable": False, "expected_doc_ids": [],
        "key_facts": [], "category": "credit_card"}


def write_set(path, *items):
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    return path


@pytest.fixture
def kb(ingested_kb, kbtest, tmp_path):
    """The shared store, with an app database of this test's own."""
    return kbtest.make_kb(ingested_kb.settings.store, database_url=f"sqlite:///{tmp_path / 'app.db'}")


def test_a_run_is_recorded_with_every_item_and_what_it_ran_on(kb, tmp_path):
    report = kb.evaluate(write_set(tmp_path / "set.jsonl", GOOD, NONE))
    run = kb.runs.run(report.run_id)
    assert json.loads(run.figures_json)["accuracy"] == 1.0
    assert "cc-gold@v1" in json.loads(run.snapshot_json) and run.embed_model
    assert len(run.dataset_hash) == 64 and json.loads(run.settings_json)["answer_max_chars"] == kb.settings.answer_max_chars
    items = kb.runs.items(report.run_id)
    assert set(items) == {"q1", "q2"} and all(i.correct for i in items.values())
    assert "300元" in json.loads(items["q1"].response_json)["answer"]["text"]


def test_diff_shows_flipped_items_and_the_baseline_gate_catches_them(kb, tmp_path):
    before = kb.evaluate(write_set(tmp_path / "a.jsonl", GOOD, NONE)).run_id
    worse = dict(GOOD, key_facts=["999元"])  # the same item now expects a fact the answer lacks
    after_report = kb.evaluate(write_set(tmp_path / "b.jsonl", worse, NONE))
    diff = kb.runs.diff(before, after_report.run_id)
    assert [(f.item_id, f.was_correct) for f in diff.flips] == [("q1", True)]
    assert diff.figures["accuracy"] == (1.0, 0.5)
    problems = kb.runs.regressions(before, after_report, margin=0.01)
    assert any("accuracy fell from 1.000 to 0.500" in p for p in problems)
    assert any(p.startswith("q1 was correct") for p in problems)
    assert kb.runs.regressions(before, kb.evaluate(tmp_path / "a.jsonl"), margin=0.01) == []


def test_a_run_exports_as_jsonl_and_csv(kb, tmp_path):
    import csv
    import io

    run_id = kb.evaluate(write_set(tmp_path / "set.jsonl", GOOD, NONE)).run_id
    lines = [json.loads(l) for l in kb.runs.export(run_id, "jsonl").splitlines()]
    assert [(l["id"], l["correct"]) for l in lines] == [("q1", True), ("q2", True)]
    assert lines[0]["response"]["answer"]["status"] == "answered" and lines[0]["latency_ms"] > 0
    rows = list(csv.DictReader(io.StringIO(kb.runs.export(run_id, "csv"))))
    assert rows[0]["id"] == "q1" and "300元" in rows[0]["answer"] and rows[0]["cited"] == "cc-gold"
    assert rows[1]["status"] == "no_answer" and rows[1]["correct"] == "True"


def test_an_unknown_run_is_a_clear_error(kb):
    from kb.errors import NotFound

    with pytest.raises(NotFound, match="no evaluation run 999"):
        kb.runs.diff(999, 1000)


def test_failures_are_grouped_by_cause_and_a_flip_shows_both_answers(kb, tmp_path):
    wrong_doc = dict(GOOD, id="q3", expected_doc_ids=["fee-transfer"])
    before = kb.evaluate(write_set(tmp_path / "a.jsonl", GOOD, NONE, wrong_doc)).run_id
    after = kb.evaluate(write_set(tmp_path / "b.jsonl", dict(GOOD, key_facts=["999元"]), NONE, wrong_doc)).run_id
    groups = kb.runs.failures_by_cause(after)
    assert {cause: [o.item_id for o in found] for cause, found in groups.items()} == {
        "wrong_document": ["q3"], "missing_fact": ["q1"]}
    [flip] = kb.runs.diff(before, after).flips
    assert (flip.before.correct, flip.after.correct, flip.after.cause) == (True, False, "missing_fact")
    assert flip.after.key_facts == ["999元"] and "300元" in flip.after.answer and flip.after.cited == ["cc-gold"]


def test_summaries_and_the_sets_a_new_run_may_reuse(kb, tmp_path):
    used = write_set(tmp_path / "a.jsonl", GOOD)
    gone = write_set(tmp_path / "gone.jsonl", NONE)
    kb.evaluate(used), kb.evaluate(gone)
    gone.unlink()
    [first, second] = kb.runs.summaries()
    assert first["figures"]["accuracy"] == 1.0 and first["documents"] > 0 and second["id"] > first["id"]
    assert kb.runs.datasets() == [str(used)]


def test_a_run_keeps_an_item_s_question_masked(kb, tmp_path):
    careless = {**GOOD, "id": "q3", "question": "卡号6222 0212 3456 7890的星辰金卡年费多少"}
    report = kb.evaluate(write_set(tmp_path / "set.jsonl", careless))
    stored = kb.runs.items(report.run_id)["q3"]
    assert "6222 0212 3456" not in stored.item_json and "7890" in stored.item_json
    assert "6222 0212 3456" not in stored.response_json


def test_a_run_records_the_fitted_models_and_the_vocabulary_and_a_refit_is_no_repeat(ingested_kb, kbtest, tmp_path):
    fitted = json.loads((kbtest.REPO / "kb" / "fitted.json").read_text(encoding="utf-8"))
    fitted_file = tmp_path / "fitted.json"
    fitted_file.write_text(json.dumps(fitted), encoding="utf-8")
    options = {"database_url": f"sqlite:///{tmp_path / 'app.db'}", "fitted_file": fitted_file}
    kb = kbtest.make_kb(ingested_kb.settings.store, **options)
    dataset = write_set(tmp_path / "set.jsonl", GOOD, NONE)
    run_id = kb.evaluate(dataset).run_id
    recorded = json.loads(kb.runs.run(run_id).settings_json)
    assert recorded["vocabulary"] == vocabulary_hash() and len(recorded["vocabulary"]) == 16
    assert recorded["fitted"] == {k: fitted["provenance"][k] for k in ("fitted_at", "code", "vocabulary_sha256")}
    assert kb.unchanged_run(dataset) == run_id
    fitted["provenance"]["fitted_at"] = "2099-01-01T00:00:00"     # the same file, refitted
    fitted_file.write_text(json.dumps(fitted), encoding="utf-8")
    assert kbtest.make_kb(ingested_kb.settings.store, **options).unchanged_run(dataset) is None
