"""Runs of `kb eval-calls` are recorded with what they were run on."""

import json

from evals.call_runs import CallEvalRuns, folder_hash
from kb.database import make_engine


def test_a_run_is_recorded_with_the_calls_hash_and_listed(tmp_path):
    calls = tmp_path / "calls" / "writer"
    calls.mkdir(parents=True)
    (calls / "a.jsonl").write_text(json.dumps({"speaker": "agent", "text": "您好", "at": "2026-01-01T00:00:00"}) + "\n")
    runs = CallEvalRuns(make_engine(f"sqlite:///{tmp_path / 'app.db'}"))
    figures = {"all": {"calls": 1, "precision": 0.5, "recall": 1.0, "suggestion_hit": None}}
    run = runs.record(tmp_path / "calls", figures, "rules", "model")
    [listed] = runs.summaries()
    assert (listed["id"], listed["calls"], listed["precision"]) == (run, 1, 0.5)
    assert listed["calls_hash"] == folder_hash(tmp_path / "calls")[:12]
    (calls / "a.jsonl").write_text("changed\n")
    assert folder_hash(tmp_path / "calls")[:12] != listed["calls_hash"]
