"""The publish gate: a new version that breaks an evaluation item answered correctly in the latest
run is refused, showing which and why; an override with a reason publishes and is audited."""

import datetime as dt
import json

import pytest

from kb.errors import GateRefused

ITEMS = [
    {"id": "fee-1", "question": "柜面跨行转账手续费多少", "answerable": True,
     "expected_doc_ids": ["fee-transfer"], "key_facts": ["5元"]},
    {"id": "fee-2", "question": "手机银行跨行转账手续费", "answerable": True,
     "expected_doc_ids": ["fee-transfer"], "key_facts": ["免收"]},
    {"id": "fee-wrong", "question": "柜面跨行转账手续费多少", "answerable": True,
     "expected_doc_ids": ["fee-transfer"], "key_facts": ["99元"]},
    {"id": "gold-1", "question": "星辰金卡年费多少", "answerable": True,
     "expected_doc_ids": ["cc-gold"], "key_facts": ["300元"]},
]


@pytest.fixture
def gated(corpus, kb_factory, tmp_path):
    """A live knowledge base with one recorded run of ITEMS (fee-wrong fails in it)."""
    kb = kb_factory()
    assert kb.ingest(corpus).ok
    dataset = tmp_path / "set.jsonl"
    dataset.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in ITEMS), encoding="utf-8")
    report = kb.evaluate(dataset)
    verdicts = {i.item_id: i.correct for i in kb.runs.items(report.run_id).values()}
    assert verdicts == {"fee-1": True, "fee-2": True, "fee-wrong": False, "gold-1": True}
    return kb


def test_a_version_that_breaks_a_correct_item_is_refused_and_changes_nothing(gated, kbtest):
    before = gated.index.hashes
    with pytest.raises(GateRefused) as refused:
        gated.publisher.publish("fee.md", kbtest.FEE_V3.encode(), {}, user="ed")
    result = refused.value.result
    assert result.checked == 2  # fee-1 and fee-2: fee-wrong was not correct, gold-1 cites another doc
    assert [f.item_id for f in result.failures] == ["fee-1", "fee-2"]  # v3 drops the mobile fee
    failure = result.failures[0]
    assert (failure.item_id, failure.key_facts, failure.status) == ("fee-1", ["5元"], "answered")
    assert "3元" in failure.answer and failure.cited == ["fee-transfer"]
    assert "fee-1" in str(refused.value)
    assert gated.index.hashes == before and gated.store.committed_hashes() == before
    assert gated.audit.entries("fee-transfer") == []
    assert gated.originals.of_version("fee-transfer@v3") is None


def test_an_override_publishes_and_the_audit_log_keeps_the_reason(gated, kbtest):
    published = gated.publisher.publish("fee.md", kbtest.FEE_V3.encode(), {}, user="boss",
                                        override="fee cut approved by the pricing board")
    assert published.version == 3 and published.warnings
    assert "3元" in gated.ask("柜面跨行转账手续费多少").answer.text
    [entry] = gated.audit.entries("fee-transfer")
    assert "gate overridden" in entry.reason and "fee-1, fee-2" in entry.reason
    assert "pricing board" in entry.reason


def test_a_version_that_keeps_the_answers_passes(gated, kbtest):
    text = kbtest.FEE_V3.replace("每笔3元。", "每笔5元。\n\n## 二、手机银行转账\n\n- 手机银行跨行转账手续费全部免收。")
    published = gated.publisher.publish("fee.md", text.encode(), {}, user="ed")
    assert published.version == 3 and not published.warnings
    assert gated.audit.entries("fee-transfer")[0].reason == ""


def test_preview_shows_what_the_gate_would_say_and_stores_nothing(gated, kbtest):
    before = gated.store.committed_hashes()
    preview = gated.publisher.preview("fee.md", kbtest.FEE_V3.encode(), {})
    assert [f.item_id for f in preview.gate.failures] == ["fee-1", "fee-2"]
    assert gated.store.committed_hashes() == before


def test_rollback_and_retire_pass_the_same_gate(gated):
    with pytest.raises(GateRefused) as refused:
        gated.publisher.rollback("fee-transfer", 1, user="ed")  # version 1 says 8元
    assert "fee-1" in [f.item_id for f in refused.value.result.failures]
    retired = gated.publisher.retire("fee-transfer", dt.date.today(), user="ed")
    assert retired.status == "live" and not retired.warnings  # today it answers as before


def test_with_no_recorded_run_there_is_nothing_to_hold(corpus, kb_factory, kbtest):
    kb = kb_factory()
    assert kb.ingest(corpus).ok
    preview = kb.publisher.preview("fee.md", kbtest.FEE_V3.encode(), {})
    assert preview.gate.passed and preview.gate.run_id is None
    assert "nothing to check" in preview.gate.summary()
