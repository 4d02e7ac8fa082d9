"""Calls are stored masked, listed with filters, and deleted after their retention."""

import datetime as dt

import pytest

from kb.calls.models import Finding, Scorecard
from kb.calls.records import CallRecords
from kb.calls.transcript import Utterance
from kb.database import make_engine
from kb.errors import BadRequest, NotFound

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def records(tmp_path):
    return CallRecords(make_engine(f"sqlite:///{tmp_path / 'app.db'}"), retention_days=30, now=lambda: NOW)


def _said(text, days_ago=0, speaker="customer"):
    return Utterance(speaker, text, NOW - dt.timedelta(days=days_ago))


def test_utterances_are_numbered_and_stored_masked(records):
    assert records.add("c1", "alice", _said("您好"))[0] == 1
    number, masked = records.add("c1", "alice", _said("我的卡号是6222020200112233445"))
    assert number == 2 and "6222020200112233445" not in masked.text
    assert [u.text for u in records.utterances("c1")][1] == masked.text
    assert records.call("c1").agent == "alice"


def test_an_ended_call_keeps_its_score_and_takes_no_more_utterances(records):
    records.add("c1", "alice", _said("您好"))
    card = Scorecard(call_id="c1", score=80, findings=[Finding(kind="no_closing", weight=5)], checks=[],
                     suggested=[(1, "cc-gold")])
    records.end("c1", card)
    row = records.call("c1")
    assert (row.score, row.products, row.finding_kinds) == (80, "cc-gold", "no_closing")
    with pytest.raises(BadRequest, match="has ended"):
        records.add("c1", "alice", _said("还在吗"))


def test_calls_are_filtered_by_agent_product_finding_and_day(records):
    records.add("c1", "alice", _said("a"))
    records.add("c2", "bob", _said("b", days_ago=1))
    records.end("c2", Scorecard(call_id="c2", score=90, findings=[Finding(kind="wrong_figure")], checks=[],
                                suggested=[(1, "fee-transfer")]))
    assert [r.id for r in records.listed()] == ["c1", "c2"]
    assert [r.id for r in records.listed(agent="bob")] == ["c2"]
    assert [r.id for r in records.listed(product="fee-transfer")] == ["c2"]
    assert [r.id for r in records.listed(finding="wrong_figure")] == ["c2"]
    assert [r.id for r in records.listed(day=NOW.date())] == ["c1"]


def test_calls_older_than_the_retention_are_deleted_with_their_utterances(records):
    records.add("old", "alice", _said("a", days_ago=31))
    records.add("new", "alice", _said("b", days_ago=29))
    records.add("replayed", "alice", _said("c", days_ago=200))
    records.end("replayed", Scorecard(call_id="replayed", score=100, findings=[], checks=[]))
    assert records.purge() == 1  # the replayed call ended today: kept as long as one spoken today
    assert [r.id for r in records.listed()] == ["new", "replayed"]
    with pytest.raises(NotFound):
        records.call("old")
    assert records.utterances("old") == []
