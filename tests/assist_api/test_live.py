"""Panels on one process get the events another process heard: the SQLite relay polls the events
the others wrote (PostgreSQL's relay is proved in tests/test_scale_out.py)."""

import asyncio

from assist_api.live import CallStreams, PollingRelay
from kb.calls.events import CallEventLog
from kb.calls.models import CallEvent
from kb.database import make_engine
from kb.models import Alert


def _event(code: str) -> CallEvent:
    return CallEvent(kind="alert", utterance=1, alert=Alert(code=code, level="warning", message="m"))


def test_events_another_worker_wrote_reach_this_workers_panels_once_and_its_own_are_not_repeated(tmp_path):
    asyncio.run(_relayed(tmp_path))


async def _relayed(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    here, there = CallEventLog(make_engine(url)), CallEventLog(make_engine(url))
    streams = CallStreams()
    relay = PollingRelay(here, "this-process", streams, asyncio.get_running_loop(), seconds=0.02)
    queue = streams.subscribe("call-1")
    relay.start()
    try:
        there.append("call-1", [_event("from-there")], origin="other-process")
        there.append("call-2", [_event("nobody-follows")], origin="other-process")
        here.append("call-1", [_event("from-here")], origin="this-process")  # published here already
        got = await asyncio.wait_for(queue.get(), 5)
        await asyncio.sleep(0.2)
        assert got.alert.code == "from-there" and got.seq is not None and queue.empty()
    finally:
        relay.stop.set()
