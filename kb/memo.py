"""A bounded memo for per-text work (canonical forms, tokens, pinyin) in a long-running server."""

from collections.abc import Callable
from typing import Any


class Memo:
    """Remembers computed values by key and forgets them all when full, so that a server answering
    distinct questions for weeks does not grow without bound. Safe to share between threads: the
    worst a race can do is compute a value twice."""

    def __init__(self, limit: int = 50_000):
        self.limit = limit
        self._values: dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: Any, compute: Callable[[Any], Any]) -> Any:
        value = self._values.get(key)
        if value is None:
            if len(self._values) >= self.limit:
                self._values.clear()
            value = self._values[key] = compute(key)
        return value
