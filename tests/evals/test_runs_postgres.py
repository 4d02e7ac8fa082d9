"""The app database on a real PostgreSQL server (see conftest.py): evaluation runs recorded,
listed, compared and used as a baseline through the `kb` CLI, and users, feedback, the audit log
and content gaps read back, with KB_DATABASE_URL pointing at PostgreSQL instead of SQLite.

The CLI runs in-process (typer's CliRunner), so the embedding model loads once, not per command.
"""

import json

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from cli import app
from kb.errors import BadRequest
from kb.users import Principal

GOOD = {"id": "q1", "question": "星辰金卡年费多少", "answerable": True,
        "expected_doc_ids": ["cc-gold"], "key_facts": ["300元"], "category": "credit_card"}
NONE = {"id": "q2", "question": "彩虹卡积分怎么兑换机票", "answerable": False, "expected_doc_ids": [],
        "key_facts": [], "category": "credit_card"}
WORSE = dict(GOOD, key_facts=["999元"])  # the same item now expects a fact the answer lacks


def write_set(path, *items):
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    return path


@pytest.fixture
def kb_cli(ingested_kb, postgres_url):
    """`kb --store SHARED ARGS` with the app database in this test's PostgreSQL database."""
    runner, store = CliRunner(), str(ingested_kb.settings.store)

    def run(*args, code: int = 0):
        result = runner.invoke(app, ["--store", store, *map(str, args)],
                               env={"KB_DATABASE_URL": postgres_url})
        assert result.exit_code == code, (result.output, result.exception)
        return result

    return run


def run_id(result) -> int:
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("run: "), result.stdout
    return int(last.removeprefix("run: "))


def test_eval_runs_are_recorded_listed_diffed_and_gated_in_postgresql(kb_cli, postgres_url, tmp_path):
    good, worse = write_set(tmp_path / "good.jsonl", GOOD, NONE), write_set(tmp_path / "worse.jsonl", WORSE, NONE)
    first = run_id(kb_cli("eval", good))
    second = run_id(kb_cli("eval", good, "--baseline", first))  # as good as the baseline: passes
    gated = kb_cli("eval", worse, "--baseline", first, "--min-accuracy", "0", code=1)
    third = run_id(gated)
    assert f"regression against run {first}: accuracy fell from 1.000 to 0.500" in gated.stderr
    assert f"regression against run {first}: q1 was correct" in gated.stderr

    listed = kb_cli("eval", "runs").stdout.splitlines()
    assert [int(line.split()[0]) for line in listed] == [first, second, third]
    assert "accuracy 1.000" in listed[0] and "accuracy 0.500" in listed[2] and "good.jsonl" in listed[0]
    diff = kb_cli("eval", "diff", first, third).stdout
    assert "1 items flipped" in diff and "q1  correct → wrong" in diff
    assert "accuracy" in diff and "1.000    0.500" in diff

    engine = create_engine(postgres_url)
    try:
        with engine.connect() as db:
            runs = db.execute(text("SELECT id, created_at FROM eval_runs ORDER BY id")).all()
            items = db.execute(text("SELECT run_id, item_id, correct FROM eval_items ORDER BY id")).all()
    finally:
        engine.dispose()
    assert engine.dialect.name == "postgresql" and [r.id for r in runs] == [first, second, third]
    assert all(r.created_at.tzinfo is not None for r in runs)
    assert [tuple(i) for i in items] == [(first, "q1", True), (first, "q2", True), (second, "q1", True),
                                         (second, "q2", True), (third, "q1", False), (third, "q2", True)]


def test_users_feedback_audit_and_gaps_round_trip_in_postgresql(ingested_kb, kbtest, postgres_url):
    kb = kbtest.make_kb(ingested_kb.settings.store, database_url=postgres_url)
    assert kb.database.dialect.name == "postgresql"

    token = kb.users.add("alice", "editor", password="correct horse")
    assert kb.users.by_token(token) == Principal("alice", "editor") and kb.users.any()
    assert kb.users.check_password("alice", "correct horse") == Principal("alice", "editor")
    with pytest.raises(BadRequest, match="exists already"):
        kb.users.add("alice", "agent")
    secret, csrf = kb.users.start_session("alice", minutes=30)
    assert kb.users.session(secret) == (Principal("alice", "editor"), csrf)
    assert kb.users.list()[0]["created_at"].tzinfo is not None

    response = kb.ask("星辰金卡年费多少").contract_dict()
    feedback_id = kb.feedback.record("星辰金卡年费多少", response, "down", comment="要说附属卡")
    stored = kb.feedback.get(feedback_id)
    assert (stored.rating, stored.comment, stored.answer_status) == ("down", "要说附属卡", "answered")
    assert json.loads(stored.response_json)["answer"]["text"] == response["answer"]["text"]

    kb.audit.record("alice", "publish", "cc-gold", 2, "a" * 64, "b" * 64, reason="年费调整")
    entry = kb.audit.entries("cc-gold")[0]
    assert (entry.user, entry.version, entry.reason) == ("alice", 2, "年费调整") and entry.at.tzinfo

    assert kb.assist("彩虹卡积分怎么兑换机票").answer.status == "no_answer"
    assert [g.examples for g in kb.gaps.groups()] == [["彩虹卡积分怎么兑换机票"]]
