"""Each live call's events, pushed to the panels that follow it (server-sent events). A panel
subscribes to one call; the process that heard an utterance publishes its events to that call's
subscribers here, each of which has its own queue, so a slow panel delays no other; with
PostgreSQL, the relay hands on to this process's panels what other processes heard."""

import asyncio
import logging
import threading
from collections import defaultdict

import psycopg

from kb.calls.events import CHANNEL, CallEventLog, announced
from kb.calls.models import CallEvent

log = logging.getLogger(__name__)

QUEUE_SIZE = 256  # events a panel may fall behind by before its stream is ended


class CallStreams:
    def __init__(self) -> None:
        self._queues: defaultdict[str, set[asyncio.Queue[CallEvent | None]]] = defaultdict(set)

    def subscribe(self, call_id: str) -> asyncio.Queue[CallEvent | None]:
        queue: asyncio.Queue[CallEvent | None] = asyncio.Queue(QUEUE_SIZE)
        self._queues[call_id].add(queue)
        return queue

    def unsubscribe(self, call_id: str, queue: asyncio.Queue[CallEvent | None]) -> None:
        self._queues[call_id].discard(queue)
        if not self._queues[call_id]:
            del self._queues[call_id]

    def publish(self, call_id: str, events: list[CallEvent]) -> None:
        """Hand the events to every panel of the call; one that fell too far behind is ended
        (it reconnects and the panel reloads what it missed)."""
        for queue in list(self._queues.get(call_id, ())):
            for event in events:
                if queue.full():
                    self._end(call_id, queue)
                    break
                queue.put_nowait(event)

    def close_all(self) -> None:
        """Every stream closes (the process is stopping)."""
        for call_id in list(self._queues):
            self.end(call_id)

    def end(self, call_id: str) -> None:
        """The call ended: each of its streams closes."""
        for queue in list(self._queues.get(call_id, ())):
            self._end(call_id, queue)

    def _end(self, call_id: str, queue: asyncio.Queue[CallEvent | None]) -> None:
        while queue.full():
            queue.get_nowait()
        queue.put_nowait(None)
        self.unsubscribe(call_id, queue)

    def following(self) -> bool:
        """Whether any panel follows a call here."""
        return bool(self._queues)

    def subscribers(self, call_id: str) -> int:
        return len(self._queues.get(call_id, ()))


class PostgresRelay:
    """Hands on the events other processes heard: LISTENs on the app database's channel and,
    for each announced event of another process, publishes it to this process's panels (on the
    event loop that owns their queues). Reconnects after a dropped connection."""

    def __init__(self, url: str, log: CallEventLog, origin: str, streams: CallStreams,
                 loop: asyncio.AbstractEventLoop):
        self.url, self.log, self.origin, self.streams, self.loop = url, log, origin, streams, loop
        self.stop = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True, name="kb-call-events").start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    while not self.stop.is_set():
                        for notice in connection.notifies(timeout=1.0):
                            self._hand_on(notice.payload)
            except psycopg.Error:
                log.warning("lost the call events channel; reconnecting", exc_info=True)
                self.stop.wait(1.0)

    def _hand_on(self, payload: str) -> None:
        origin, ids = announced(payload)
        if origin == self.origin or not ids:
            return
        for call_id, event in self.log.by_ids(ids):
            if self.streams.subscribers(call_id):
                self.loop.call_soon_threadsafe(self.streams.publish, call_id, [event])


class PollingRelay:
    """The same on SQLite (`kb serve --workers N` on one machine, which has no NOTIFY): while this
    process has panels, it reads the events the others wrote since it last looked."""

    def __init__(self, log: CallEventLog, origin: str, streams: CallStreams, loop: asyncio.AbstractEventLoop,
                 seconds: float):
        self.log, self.origin, self.streams, self.loop, self.seconds = log, origin, streams, loop, seconds
        self.stop = threading.Event()
        self.seen = log.last_seq()

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True, name="kb-call-events").start()

    def _run(self) -> None:
        while not self.stop.wait(self.seconds):
            if not self.streams.following():
                self.seen = self.log.last_seq()
                continue
            for call_id, origin, event in self.log.since(self.seen):
                self.seen = max(self.seen, event.seq or 0)
                if origin != self.origin and self.streams.subscribers(call_id):
                    self.loop.call_soon_threadsafe(self.streams.publish, call_id, [event])
