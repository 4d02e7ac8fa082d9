"""Each live call's events, pushed to the panels that follow it (server-sent events). A panel
subscribes to one call; the process that heard an utterance publishes its events to that call's
subscribers, each of which has its own queue, so a slow panel delays no other."""

import asyncio
from collections import defaultdict

from kb.calls.models import CallEvent

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

    def end(self, call_id: str) -> None:
        """The call ended: each of its streams closes."""
        for queue in list(self._queues.get(call_id, ())):
            self._end(call_id, queue)

    def _end(self, call_id: str, queue: asyncio.Queue[CallEvent | None]) -> None:
        while queue.full():
            queue.get_nowait()
        queue.put_nowait(None)
        self.unsubscribe(call_id, queue)

    def subscribers(self, call_id: str) -> int:
        return len(self._queues.get(call_id, ()))
