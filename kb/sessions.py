"""Call context: what product the earlier turns of a live call were about.

Kept in memory only (a call's questions are not worth persisting, and may hold personal data)
and forgotten after a quiet spell.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class CallContext:
    product: str | None = None
    turns: list[str] = field(default_factory=list)
    touched: float = 0.0


class CallContexts:
    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl_seconds
        self.clock = clock
        self._contexts: dict[str, CallContext] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._contexts)

    def get(self, session_id: str) -> CallContext:
        """The context of `session_id`, new if it never existed or has expired."""
        now = self.clock()
        with self._lock:
            self._expire(now)
            context = self._contexts.setdefault(session_id, CallContext())
            context.touched = now
            return context

    def _expire(self, now: float) -> None:
        stale = [sid for sid, c in self._contexts.items() if now - c.touched > self.ttl]
        for sid in stale:
            del self._contexts[sid]
