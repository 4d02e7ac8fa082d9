"""The real `kb` console script, run as a subprocess: validate, ingest, ask, eval.

Each command that answers loads the embedding model in its own process (~10 s), so one store is
ingested once per module and every ask/eval reads it.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROBLEM_LINE = re.compile(r"^(?P<file>[^:\s][^:]*): (?P<field>[^:]+): (?P<rule>.+)$")
CONTRACT_KEYS = {"query", "answer", "disclosures", "script", "alerts"}


def kb_command() -> list[str]:
    script = Path(sys.executable).parent / "kb"
    if script.exists():
        return [str(script)]
    found = shutil.which("kb")
    if found:
        return [found]
    # no console script installed: the same entry point through the interpreter
    return [sys.executable, "-c", "from cli import main; main()"]


def run_kb(*args, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONIOENCODING="utf-8")
    return subprocess.run([*kb_command(), *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


SNAPSHOT = """
import json, sys
from kb.config import get_settings
from kb.store import Store
s = Store(get_settings(store=sys.argv[1]))
docs = sorted((d.meta.key, d.content_hash, d.source) for d in s.document_records())
chunks = sorted((c.id, c.text) for c in s.chunk_records())
print(json.dumps({"docs": docs, "chunks": chunks, "model": s.model_id}, ensure_ascii=False))
"""


def snapshot(store: Path) -> dict:
    """The logical content of a store (documents and chunks), read by a separate process."""
    out = subprocess.run([sys.executable, "-c", SNAPSHOT, str(store)], capture_output=True, text=True,
                         encoding="utf-8", timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def work(tmp_path_factory, kbtest):
    root = tmp_path_factory.mktemp("cli")
    corpus = kbtest.write_corpus(root / "corpus")
    store = root / "store"
    ingest = run_kb("--store", store, "ingest", corpus, cwd=root)
    return {"root": root, "corpus": corpus, "store": store, "ingest": ingest}


@pytest.fixture(scope="module")
def broken_corpus(work, kbtest):
    files = dict(kbtest.BASE_FILES)
    files["credit_card/cc-gold.md"] = kbtest.CC_GOLD.replace("category: credit_card", "category: 信用卡")
    files["fee_rule/fee-transfer-v1.md"] = kbtest.FEE_V1.replace("title: 跨行转账手续费标准\n", "")
    return kbtest.write_corpus(work["root"] / "broken", files)


def test_ingest(work, kbtest):
    result = work["ingest"]
    assert result.returncode == 0, result.stderr
    n = len(kbtest.BASE_FILES)
    assert re.search(rf"added {n}, updated 0, unchanged 0, removed 0, rejected files 0; \d+ chunks embedded",
                     result.stdout), result.stdout
    assert int(re.search(r"(\d+) chunks embedded", result.stdout).group(1)) > 0
    assert (work["store"] / "chroma.sqlite3").exists()


def test_ingest_again_is_incremental(work, kbtest):
    before = snapshot(work["store"])
    result = run_kb("--store", work["store"], "ingest", work["corpus"], cwd=work["root"])
    assert result.returncode == 0, result.stderr
    assert f"unchanged {len(kbtest.BASE_FILES)}" in result.stdout
    assert "; 0 chunks embedded" in result.stdout
    assert snapshot(work["store"]) == before


def test_validate_broken_folder_reports_file_field_rule(work, broken_corpus):
    before = snapshot(work["store"])
    result = run_kb("--store", work["store"], "validate", broken_corpus, cwd=work["root"])
    assert result.returncode == 1, (result.stdout, result.stderr)
    problems = [PROBLEM_LINE.match(line) for line in result.stderr.splitlines() if line.strip()]
    assert problems and all(problems), result.stderr
    got = {(m["file"], m["field"]) for m in problems}
    assert got == {("credit_card/cc-gold.md", "category"), ("fee_rule/fee-transfer-v1.md", "title")}
    rules = {m["field"]: m["rule"] for m in problems}
    assert "must be one of" in rules["category"] and "credit_card" in rules["category"]
    assert rules["title"] == "required"
    assert "4 documents valid, 2 files rejected" in result.stdout
    assert snapshot(work["store"]) == before


def test_validate_good_folder_writes_nothing(work, kbtest):
    # a folder that differs from the store in every way ingest cares about: edited, new, deleted
    files = dict(kbtest.BASE_FILES)
    files["fee_rule/fee-transfer-v2.md"] = kbtest.FEE_V2.replace("每笔5元", "每笔9元")
    del files["script/script-lost-card.md"]
    files["disclosure/disc-y.md"] = kbtest.DISC_X.replace("doc_id: disc-x", "doc_id: disc-y")
    corpus = kbtest.write_corpus(work["root"] / "changed", files)
    before = snapshot(work["store"])
    result = run_kb("--store", work["store"], "validate", corpus, cwd=work["root"])
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "" or not any(PROBLEM_LINE.match(l) for l in result.stderr.splitlines())
    assert f"{len(files)} documents valid, 0 files rejected" in result.stdout
    assert snapshot(work["store"]) == before


def test_validate_does_not_create_a_store(work):
    fresh = work["root"] / "never-created"
    result = run_kb("--store", fresh, "validate", work["corpus"], cwd=work["root"])
    assert result.returncode == 0, result.stderr
    assert not fresh.exists(), sorted(p.name for p in fresh.iterdir())


def ask_json(work, *args) -> dict:
    result = run_kb("--store", work["store"], "--json", "ask", *args, cwd=work["root"])
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def check_contract(data: dict, question: str) -> None:
    assert CONTRACT_KEYS <= set(data)
    assert data["query"] == question
    answer = data["answer"]
    assert answer["status"] in ("answered", "no_answer")
    assert isinstance(answer["text"], str) and answer["text"]
    assert isinstance(answer["citations"], list)
    for c in answer["citations"]:
        assert {"doc_id", "version", "title", "section", "quote"} <= set(c)
        assert isinstance(c["version"], int) and all(isinstance(c[k], str) for k in
                                                     ("doc_id", "title", "section", "quote"))
    assert isinstance(data["disclosures"], list)
    for d in data["disclosures"]:
        assert {"doc_id", "title", "text"} <= set(d)
    assert data["script"] is None or {"doc_id", "title", "intent", "text"} <= set(data["script"])
    assert isinstance(data["alerts"], list)
    for a in data["alerts"]:
        assert {"code", "level", "message"} <= set(a) and a["level"] in ("info", "warning", "critical")


def test_ask_json_answered(work, kbtest):
    question = "星辰金卡年费多少"
    data = ask_json(work, question)
    check_contract(data, question)
    assert data["answer"]["status"] == "answered"
    assert "300元" in data["answer"]["text"]
    citation = data["answer"]["citations"][0]
    assert (citation["doc_id"], citation["version"], citation["section"]) == ("cc-gold", 1, "一、年费标准")
    assert citation["quote"] in kbtest.body_of(kbtest.CC_GOLD)
    assert [(d["doc_id"], d["text"]) for d in data["disclosures"]] == [("disc-x", kbtest.body_of(kbtest.DISC_X))]


def test_ask_json_as_of(work):
    question = "柜面跨行转账手续费多少"
    data = ask_json(work, question, "--as-of", "2025-06-01")
    check_contract(data, question)
    assert {(c["doc_id"], c["version"]) for c in data["answer"]["citations"]} == {("fee-transfer", 1)}
    assert "8元" in data["answer"]["text"]


def test_ask_json_no_answer(work):
    question = "钻石卡年费多少"
    data = ask_json(work, question)
    check_contract(data, question)
    assert data["answer"]["status"] == "no_answer"
    assert data["answer"]["citations"] == [] and data["disclosures"] == []


def test_ask_readable(work, kbtest):
    result = run_kb("--store", work["store"], "ask", "星辰金卡年费多少", cwd=work["root"])
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "300元" in out
    assert "Sources:" in out
    assert "星辰金卡信用卡产品说明 › 一、年费标准 (cc-gold v1)" in out
    assert "「| 星辰金卡 | 300元/年 | 150元/年 |」" in out
    assert "信用卡利息及费用风险提示 (disc-x)" in out
    assert kbtest.body_of(kbtest.DISC_X) in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


@pytest.mark.parametrize("args, message", [
    (["ask", "金卡年费多少", "--as-of", "2025-13-01"], "--as-of must be a date"),
    (["ask", "   "], "the question is empty"),
])
def test_ask_bad_input_exits_2(work, args, message):
    result = run_kb("--store", work["store"], *args, cwd=work["root"])
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "error:" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


EVAL_ITEMS = [
    {"id": "q1", "question": "星辰金卡主卡年费多少", "answerable": True, "expected_doc_ids": ["cc-gold"],
     "key_facts": ["300元"], "required_disclosures": ["disc-x"], "category": "credit_card"},
    {"id": "q2", "question": "柜面跨行转账手续费多少", "answerable": True, "as_of": "2025-06-01",
     "expected_doc_ids": ["fee-transfer"], "key_facts": ["8元|八元"], "category": "fee_rule",
     "tags": ["versioned"]},
    {"id": "q3", "question": "钻石卡年费多少", "answerable": False, "category": "credit_card",
     "tags": ["unanswerable"]},
    # a malformed as_of: the item fails, is still written (response null + error), the run goes on
    {"id": "q4", "question": "金卡年费多少", "answerable": True, "as_of": "2025-02-30",
     "expected_doc_ids": ["cc-gold"], "key_facts": ["300元"], "category": "credit_card"},
]


@pytest.fixture(scope="module")
def dataset(work) -> Path:
    path = work["root"] / "eval.jsonl"
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in EVAL_ITEMS), encoding="utf-8")
    return path


def test_eval_below_min_accuracy_exits_1(work, dataset):
    answers, report = work["root"] / "answers-a.jsonl", work["root"] / "report-a.json"
    result = run_kb("--store", work["store"], "eval", dataset, "--answers-out", answers, "--report-out", report, "--min-accuracy", "1.01", cwd=work["root"])
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "below --min-accuracy" in result.stderr

    lines = [json.loads(l) for l in answers.read_text(encoding="utf-8").splitlines()]
    assert [l["id"] for l in lines] == ["q1", "q2", "q3", "q4"]
    for line in lines:
        assert {"id", "response", "latency_ms"} <= set(line)
        assert isinstance(line["latency_ms"], (int, float)) and line["latency_ms"] >= 0
    by_id = {l["id"]: l for l in lines}
    for item_id in ("q1", "q2", "q3"):
        check_contract(by_id[item_id]["response"], EVAL_ITEMS[int(item_id[1]) - 1]["question"])
    assert by_id["q1"]["response"]["answer"]["status"] == "answered"
    assert by_id["q2"]["response"]["answer"]["citations"][0]["version"] == 1
    assert by_id["q3"]["response"]["answer"]["status"] == "no_answer"
    assert by_id["q4"]["response"] is None and by_id["q4"]["error"]

    figures = json.loads(report.read_text(encoding="utf-8"))
    assert figures["items"] == 4
    assert figures["accuracy"] == pytest.approx(0.75)
    assert figures["unanswerable_accuracy"] == pytest.approx(1.0)
    assert figures["disclosure_recall"] == pytest.approx(1.0)
    assert figures["errors"] == 1
    assert "accuracy" in result.stdout and "75.0%" in result.stdout


def test_eval_min_accuracy_zero_exits_0(work, dataset):
    answers, report = work["root"] / "answers-b.jsonl", work["root"] / "report-b.txt"
    result = run_kb("--store", work["store"], "eval", dataset, "--answers-out", answers, "--report-out", report, "--min-accuracy", "0", cwd=work["root"])
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert len(answers.read_text(encoding="utf-8").splitlines()) == 4
    text = report.read_text(encoding="utf-8")
    assert re.search(r"^accuracy\s+75\.0%\s+\(3/4\)", text, re.M), text
    assert "failures:" in text and "q4" in text.split("failures:")[1]


def test_docs_list_and_show(work):
    listed = run_kb("--store", work["store"], "docs", "list", cwd=work["root"])
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[0]: line.split()[1:3] for line in listed.stdout.splitlines()[:-1]}
    assert lines["fee-transfer"] == ["v2", "live"] and lines["cc-comet"] == ["v1", "scheduled"]
    superseded = run_kb("--store", work["store"], "docs", "list", "--status", "superseded", cwd=work["root"])
    assert superseded.stdout.split()[:3] == ["fee-transfer", "v1", "superseded"]
    shown = run_kb("--store", work["store"], "docs", "show", "fee-transfer", cwd=work["root"])
    assert shown.returncode == 0 and "v1 superseded" in shown.stdout and "柜面跨行转账手续费为每笔5元" in shown.stdout
    missing = run_kb("--store", work["store"], "docs", "show", "nope", cwd=work["root"])
    assert missing.returncode == 1 and "no document with doc_id 'nope'" in missing.stderr


def test_eval_records_runs_lists_and_diffs_them(work, tmp_path):
    dataset = tmp_path / "set.jsonl"
    dataset.write_text(json.dumps({"id": "q1", "question": "星辰金卡年费多少", "answerable": True,
                                   "expected_doc_ids": ["cc-gold"], "key_facts": ["300元"]},
                                  ensure_ascii=False) + "\n", encoding="utf-8")
    first = run_kb("--store", work["store"], "eval", dataset, cwd=work["root"])
    assert first.returncode == 0, first.stderr
    first_id = first.stdout.strip().splitlines()[-1].removeprefix("run: ")
    gated = run_kb("--store", work["store"], "eval", dataset, "--baseline", first_id, cwd=work["root"])
    second_id = gated.stdout.strip().splitlines()[-1].removeprefix("run: ")
    assert gated.returncode == 0 and int(second_id) > int(first_id)
    listed = run_kb("--store", work["store"], "eval", "runs", cwd=work["root"])
    assert f"{first_id}  " in listed.stdout and "accuracy 1.000" in listed.stdout
    diff = run_kb("--store", work["store"], "eval", "diff", first_id, second_id, cwd=work["root"])
    assert diff.returncode == 0 and "0 items flipped" in diff.stdout
    again = run_kb("--store", work["store"], "eval", dataset, "--if-changed", cwd=work["root"])
    assert again.returncode == 0 and again.stdout.splitlines() == [
        f"unchanged since run {second_id} (same set, documents in force, model and settings): no new run",
        f"run: {second_id}"]
    dataset.write_text(dataset.read_text(encoding="utf-8").replace("年费多少", "年费是多少"), encoding="utf-8")
    changed = run_kb("--store", work["store"], "eval", dataset, "--if-changed", cwd=work["root"])
    assert int(changed.stdout.strip().splitlines()[-1].removeprefix("run: ")) > int(second_id)


def test_feedback_review_queue_and_promotion(work, tmp_path):
    from application import Application as KnowledgeBase
    from kb.config import get_settings

    kb = KnowledgeBase(get_settings(store=work["store"]))
    response = kb.ask("星辰金卡年费多少").contract_dict()
    feedback_id = kb.feedback.record("星辰金卡年费多少", response, "down", comment="要说附属卡")
    queue = run_kb("--store", work["store"], "feedback", "list", cwd=work["root"])
    assert queue.returncode == 0 and f"{feedback_id}  " in queue.stdout and "要说附属卡" in queue.stdout
    dataset = tmp_path / "from-feedback.jsonl"
    promoted = run_kb("--store", work["store"], "feedback", "promote", feedback_id, "--to", dataset, "--id", "fb-1", "--doc", "cc-gold", "--fact", "150元", cwd=work["root"])
    assert promoted.returncode == 0, promoted.stderr
    item = json.loads(dataset.read_text(encoding="utf-8"))
    assert item["expected_doc_ids"] == ["cc-gold"] and item["key_facts"] == ["150元"] and item["answerable"]


def test_docs_publish_rollback_retire_history_and_users(work, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(work["store"], store)
    doc = tmp_path / "hours.txt"
    doc.write_text("# 网点营业时间\n\n## 工作日\n\n工作日网点营业时间为9:00至17:00。\n", encoding="utf-8")
    meta = ["--meta", "doc_id=service-hours", "--meta", "title=网点营业时间", "--meta", "category=service"]
    refused = run_kb("--store", store, "docs", "publish", doc, cwd=tmp_path)
    assert refused.returncode == 1 and "hours.txt: metadata: no sidecar" in refused.stderr
    preview = run_kb("--store", store, "docs", "publish", doc, *meta, "--preview", cwd=tmp_path)
    assert preview.returncode == 0 and "service-hours@v1 would be live" in preview.stdout
    published = run_kb("--store", store, "docs", "publish", doc, *meta, "--by", "ed", cwd=tmp_path)
    assert published.returncode == 0 and published.stdout.startswith("service-hours v1 live"), published.stderr
    assert "9:00" in run_kb("--store", store, "ask", "网点营业时间几点", cwd=tmp_path).stdout
    rolled = run_kb("--store", store, "docs", "rollback", "fee-transfer", "--to-version", "1", cwd=tmp_path)
    assert rolled.returncode == 0 and rolled.stdout.startswith("fee-transfer v3 live")
    retired = run_kb("--store", store, "docs", "retire", "service-hours", "--last-day", "2000-01-01", cwd=tmp_path)
    assert retired.returncode == 2 and "in the past" in retired.stderr  # a request that cannot be right
    history = run_kb("--store", store, "docs", "history", "fee-transfer", cwd=tmp_path).stdout
    assert "rollback" in history and "to version 1" in history
    added = run_kb("--store", store, "users", "add", "ann", "--role", "editor", cwd=tmp_path)
    assert added.returncode == 0
    token = added.stdout.split()[-1]
    assert len(token) >= 40
    bad_role = run_kb("--store", store, "users", "add", "bob", "--role", "boss", cwd=tmp_path)
    assert bad_role.returncode == 2 and "role" in bad_role.stderr
    assert "ann" in run_kb("--store", store, "users", "list", cwd=tmp_path).stdout


@pytest.mark.model
def test_serve_says_in_one_line_where_it_listens_and_in_which_mode(tmp_path, kbtest):
    with kbtest.serving(tmp_path / "store") as served:
        lines = (tmp_path / f"serve-{served.url.rsplit(':', 1)[1]}.log").read_text().splitlines()
    assert lines[0] == (f"kb serving on {served.url}/ (1 process; local mode: no users, everything "
                        "allowed to this machine only; add one with `kb users add`)")
    assert not [line for line in lines[1:] if "GET /health" not in line and line.strip()]


def test_serve_in_local_mode_refuses_to_listen_beyond_this_machine(tmp_path):
    """No users: anyone reaching the port could do everything, so only loopback is served."""
    refused = run_kb("--store", tmp_path / "store", "serve", "--host", "0.0.0.0", "--port", "1", cwd=tmp_path)
    assert refused.returncode != 0
    assert "local mode" in refused.stderr and "kb users add" in refused.stderr
    made = run_kb("--store", tmp_path / "store", "users", "add", "ann", "--role", "admin", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
