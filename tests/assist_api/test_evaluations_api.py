"""The evaluations API: runs with figures, failures by cause, diff, export, a background run."""

import json
import time

import pytest
from fastapi.testclient import TestClient

GOOD = {"id": "q1", "question": "星辰金卡年费多少", "answerable": True,
        "expected_doc_ids": ["cc-gold"], "key_facts": ["300元"]}


@pytest.fixture
def api(ingested_kb, kbtest, tmp_path):
    from ui.app import create_app

    kb = kbtest.make_kb(ingested_kb.settings.store, database_url=f"sqlite:///{tmp_path / 'app.db'}")
    dataset = tmp_path / "a.jsonl"
    dataset.write_text(json.dumps(GOOD, ensure_ascii=False) + "\n", encoding="utf-8")
    kb.evaluate(dataset)
    with TestClient(create_app(kb.settings, warm_up=False), base_url="http://127.0.0.1") as client:
        yield client


def test_runs_a_run_its_export_and_a_diff(api):
    [run] = api.get("/api/evaluations").json()
    assert run["id"] == 1 and run["figures"]["accuracy"] == 1.0
    assert api.get("/api/evaluations/1").json()["failures"] == {}
    lines = api.get("/api/evaluations/1/export", params={"format": "jsonl"}).text.splitlines()
    assert json.loads(lines[0])["id"] == "q1"
    assert api.get("/api/evaluations/1/export", params={"format": "xml"}).status_code == 422
    assert api.get("/api/evaluations/diff", params={"a": 1, "b": 1}).json()["flips"] == []
    assert api.get("/api/evaluations/7").status_code == 404


def test_an_uploaded_set_runs_in_the_background(api):
    broken = dict(GOOD, key_facts=["999元"])
    started = api.post("/api/evaluations/jobs",
                       files={"file": ("mine.jsonl", json.dumps(broken, ensure_ascii=False).encode())})
    assert started.status_code == 202
    job_id = started.json()["id"]
    for _ in range(300):
        job = api.get(f"/api/evaluations/jobs/{job_id}").json()
        if job["finished"]:
            break
        time.sleep(0.2)
    assert (job["run_id"], job["done"], job["total"]) == (2, 1, 1)
    failures = api.get("/api/evaluations/2").json()["failures"]
    assert [f["item_id"] for f in failures["missing_fact"]] == ["q1"]
    bad = api.post("/api/evaluations/jobs", files={"file": ("bad.jsonl", b"{nope")})
    assert bad.status_code == 422 and "bad.jsonl:1" in bad.text
