"""Background evaluation runs: progress kept in the app database, one at a time, a bad set
refused before anything starts."""

import json
import time
from pathlib import Path

import pytest

from kb.errors import BadRequest

ITEM = {"id": "q1", "question": "星辰金卡年费多少", "answerable": True,
        "expected_doc_ids": ["cc-gold"], "key_facts": ["300元"]}


@pytest.fixture
def kb(ingested_kb, kbtest, tmp_path):
    return kbtest.make_kb(ingested_kb.settings.store, database_url=f"sqlite:///{tmp_path / 'app.db'}")


def wait_for(kb, job_id, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = kb.jobs.get(job_id)
        if job.finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {seconds} s")


def test_a_background_run_reports_progress_and_records_the_run(kb, tmp_path):
    dataset = tmp_path / "set.jsonl"
    dataset.write_text("".join(json.dumps(dict(ITEM, id=f"q{i}"), ensure_ascii=False) + "\n"
                               for i in range(12)), encoding="utf-8")
    job = kb.jobs.start(dataset, "eve")
    assert (job.total, job.started_by) == (12, "eve")
    with pytest.raises(BadRequest, match="in progress"):
        kb.jobs.start(dataset, "eve")
    done = wait_for(kb, job.id)
    assert (done.done, done.percent, done.error) == (12, 100, None)
    assert kb.runs.summary(done.run_id)["figures"]["accuracy"] == 1.0
    assert wait_for(kb, kb.jobs.start(dataset, "eve").id).run_id > done.run_id  # the next may start


def test_an_uploaded_set_is_checked_before_it_runs_and_kept_only_if_it_runs(kbtest, tmp_path, monkeypatch):
    kb = kbtest.make_kb(tmp_path / "store")  # keeps sets in its store folder: not the shared one
    evalsets = kb.settings.store / "evalsets"
    for bad, rule in (((json.dumps(ITEM) + "\n{oops\n").encode(), r"mine.jsonl:2: not JSON"),
                      ("年费".encode("gbk"), "not UTF-8"), (b"[" * 50_000 + b"]" * 50_000, "nested too deeply")):
        with pytest.raises(BadRequest, match=rule):
            kb.jobs.start_uploaded("mine.jsonl", bad, "eve")
    assert not list(evalsets.glob("*")) if evalsets.exists() else True
    job = kb.jobs.start_uploaded("../../mine.jsonl", (json.dumps(ITEM) + "\n").encode(), "eve")
    [kept] = evalsets.glob("*")
    assert Path(job.dataset) == kept and kept.name.endswith("-mine.jsonl")
    wait_for(kb, job.id)

    def busy(*_args):
        raise BadRequest("an evaluation run is in progress; wait for it to finish")

    monkeypatch.setattr(kb.jobs, "start", busy)  # the run cannot start: the set is not kept
    with pytest.raises(BadRequest, match="in progress"):
        kb.jobs.start_uploaded("other.jsonl", (json.dumps({**ITEM, "id": "x"}) + "\n").encode(), "eve")
    assert list(evalsets.glob("*")) == [kept]
