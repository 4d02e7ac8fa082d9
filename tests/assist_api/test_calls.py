"""Live calls through the API: the call platform posts utterances, the agent's panel gets a
suggestion for a customer's question and a warning for a wrong figure or a forbidden phrase, and
the finished call has a scorecard that quality staff list and export."""

import asyncio
import datetime as dt
import uuid

import pytest

from assist_api.live import CallStreams
from kb.calls.models import CallEvent
from kb.models import Alert

TODAY = dt.datetime.now(dt.UTC).replace(microsecond=0)


def _post(client, call_id, speaker, text, seconds):
    at = (TODAY + dt.timedelta(seconds=seconds)).isoformat()
    response = client.post(f"/calls/{call_id}/utterances",
                           json={"speaker": speaker, "text": text, "at": at, "agent": "agent01"})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def finished(client):
    """A whole call: greeting, a question, a wrong figure, a guarantee, no closing."""
    call_id = f"t-{uuid.uuid4().hex[:8]}"
    heard = [_post(client, call_id, "agent", "您好，星辰银行信用卡中心，请问有什么可以帮您", 0),
             _post(client, call_id, "customer", "星辰金卡的年费是多少钱", 5),
             _post(client, call_id, "agent", "金卡主卡年费是五百块一年", 9),
             _post(client, call_id, "agent", "另外我们的理财保本保收益，稳赚不赔", 14)]
    card = client.post(f"/calls/{call_id}/end").json()
    return call_id, heard, card


def test_a_customer_question_is_suggested_with_its_citation(finished):
    _, heard, _ = finished
    suggestion = [e for e in heard[1]["events"] if e["kind"] == "suggestion"]
    assert suggestion and suggestion[0]["suggestion"]["answer"]["citations"][0]["doc_id"] == "cc-gold"
    assert "300元" in suggestion[0]["suggestion"]["answer"]["text"]


def test_a_figure_the_document_contradicts_is_flagged_with_the_documents_words(finished):
    _, heard, _ = finished
    figure = [e["finding"] for e in heard[2]["events"] if e["kind"] == "figure"]
    assert figure and figure[0]["kind"] == "wrong_figure" and figure[0]["doc_id"] == "cc-gold"
    assert "300元" in figure[0]["quote"]


def test_a_forbidden_phrase_raises_an_alert_at_once(finished):
    _, heard, _ = finished
    assert any(e["kind"] == "alert" and e["alert"]["code"] == "guaranteed_return" for e in heard[3]["events"])


def test_the_scorecard_cites_each_utterance_and_is_kept(client, finished):
    call_id, _, card = finished
    kinds = {(f["kind"], f["utterance"]) for f in card["findings"]}
    assert {("wrong_figure", 3), ("forbidden_phrase", 4), ("no_closing", None)} <= kinds
    assert ("no_greeting", None) not in kinds
    assert card["score"] == 100 - sum(f["weight"] for f in card["findings"])
    assert client.get(f"/calls/{call_id}/qa").json() == card


def test_calls_are_listed_filtered_and_exported(client, finished):
    call_id, _, card = finished
    listed = client.get("/api/calls", params={"finding": "wrong_figure"}).json()
    assert [c["score"] for c in listed if c["id"] == call_id] == [card["score"]]
    assert client.get("/api/calls", params={"finding": "no_greeting"}).json() == [] or \
        call_id not in {c["id"] for c in client.get("/api/calls", params={"finding": "no_greeting"}).json()}
    csv = client.get("/api/calls/export.csv")
    assert csv.status_code == 200 and call_id in csv.text and csv.text.lstrip("\ufeff").startswith("id,agent")


def test_an_ended_call_refuses_more_utterances_and_bad_input_is_a_422(client, finished):
    call_id, _, _ = finished
    at = TODAY.isoformat()
    refused = client.post(f"/calls/{call_id}/utterances", json={"speaker": "agent", "text": "喂", "at": at})
    assert refused.status_code == 422 and "has ended" in refused.text
    assert client.post("/calls/x/utterances", json={"speaker": "boss", "text": "喂", "at": at}).status_code == 422
    assert client.post("/calls/x/utterances", json={"speaker": "agent", "text": "喂", "at": "soon"}).status_code == 422
    assert client.get("/calls/no-such-call/qa").status_code == 404


def test_the_qa_page_shows_the_findings_beside_the_utterances(client, finished):
    call_id, _, _ = finished
    page = client.get(f"/calls/{call_id}")
    assert page.status_code == 200 and "数字错误" in page.text and "金卡主卡年费是五百块一年" in page.text
    assert call_id in client.get("/calls").text


def test_a_panel_following_an_ended_call_is_told_so_and_the_stream_closes(client, finished):
    call_id, _, _ = finished
    with client.stream("GET", f"/ui/calls/{call_id}/stream") as stream:
        body = "".join(stream.iter_text())
    assert "event: ended" in body and "通话已结束" in body


def test_each_panel_gets_its_own_calls_events_and_an_ended_call_closes_only_its_streams():
    asyncio.run(_panels())


async def _panels():
    streams = CallStreams()
    a, b = streams.subscribe("a"), streams.subscribe("b")
    event = CallEvent(kind="alert", utterance=1, alert=Alert(code="x", level="warning", message="m"))
    streams.publish("a", [event])
    assert a.get_nowait() == event and b.empty()
    streams.end("b")
    assert b.get_nowait() is None and streams.subscribers("b") == 0 and streams.subscribers("a") == 1


def test_a_panel_that_reconnects_gets_the_events_it_missed_in_order(client, finished):
    call_id, heard, _ = finished
    seen = heard[1]["events"][-1]["seq"]  # the panel saw everything of the customer's question
    with client.stream("GET", f"/ui/calls/{call_id}/stream", params={"after": seen}) as stream:
        body = "".join(stream.iter_text())
    missed = [e["seq"] for h in heard[2:] for e in h["events"]]
    assert missed and [int(line[4:]) for line in body.splitlines() if line.startswith("id: ")] == missed
    assert 'data-utterance="2"' not in body and 'data-utterance="3"' in body
    with client.stream("GET", f"/ui/calls/{call_id}/stream", headers={"Last-Event-ID": str(seen)}) as stream:
        assert "".join(stream.iter_text()).count("id: ") == len(missed)
