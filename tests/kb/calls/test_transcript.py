"""Recorded calls and posted utterances: read in order, each bad field named with its file and line."""

import json

import pytest

from kb.calls.transcript import read_transcript, utterance
from kb.errors import BadRequest


def _write(path, lines):
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    return path


def test_a_recorded_call_reads_its_header_utterances_and_expected_findings(tmp_path):
    path = _write(tmp_path / "c.jsonl", [
        {"call": {"id": "c-1", "agent": "agent01", "started": "2026-03-02T09:00:00+08:00"}},
        {"speaker": "agent", "text": "您好，星辰银行", "at": "2026-03-02T09:00:01+08:00"},
        {"speaker": "customer", "text": "金卡年费多少", "at": "2026-03-02T09:00:05+08:00"},
        {"qa": {"findings": [{"kind": "no_closing"}]}}])
    call = read_transcript(path)
    assert (call.call_id, call.agent, str(call.day)) == ("c-1", "agent01", "2026-03-02")
    assert [u.speaker for u in call.utterances] == ["agent", "customer"]
    assert call.qa["findings"] == [{"kind": "no_closing"}]


def test_a_call_without_header_is_named_after_its_file(tmp_path):
    path = _write(tmp_path / "plain.jsonl", [{"speaker": "agent", "text": "您好", "at": "2026-03-02T09:00:01"}])
    call = read_transcript(path)
    assert call.call_id == "plain" and call.utterances[0].at.tzinfo is not None


@pytest.mark.parametrize("line, named", [
    ({"speaker": "boss", "text": "x", "at": "2026-03-02T09:00:01"}, "line 1: speaker"),
    ({"speaker": "agent", "text": "  ", "at": "2026-03-02T09:00:01"}, "line 1: text"),
    ({"speaker": "agent", "text": "x", "at": "yesterday"}, "line 1: at"),
    ([1, 2], "line 1: must be a JSON object"),
])
def test_a_bad_line_names_the_file_the_line_and_the_field(tmp_path, line, named):
    path = _write(tmp_path / "bad.jsonl", [line])
    with pytest.raises(BadRequest, match=f"bad.jsonl: {named}"):
        read_transcript(path)


def test_a_line_that_is_not_json_is_named(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"speaker": "agent",\n', encoding="utf-8")
    with pytest.raises(BadRequest, match="broken.jsonl: line 1: not JSON"):
        read_transcript(path)


def test_a_posted_utterance_longer_than_the_limit_is_refused():
    with pytest.raises(BadRequest, match="text: must be at most"):
        utterance({"speaker": "agent", "text": "字" * 2001, "at": "2026-03-02T09:00:01"})
