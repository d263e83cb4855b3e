"""A small, thread-safe, per-process memory whose entries expire a fixed time after they were put."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
MAX_ENTRIES = 10_000


class Expiring(Generic[K, V]):
    """Values by key, each valid for `ttl_seconds` after it was put (0 or less remembers nothing)."""

    def __init__(
        self,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._max = max_entries
        self._lock = threading.Lock()
        self._entries: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> V | None:
        """The remembered value, or None when unknown or expired."""
        found = self._entries.get(key)
        if found is None or found[0] <= self._clock():
            return None
        return found[1]

    def put(self, key: K, value: V) -> None:
        """Remember a value just read from its source; the oldest are dropped past `max_entries`."""
        if self.ttl_seconds <= 0:
            return
        with self._lock:
            if len(self._entries) >= self._max:
                now = self._clock()
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                if len(self._entries) >= self._max:
                    self._entries.clear()
            self._entries[key] = (self._clock() + self.ttl_seconds, value)

    def forget(self) -> None:
        """Drop everything."""
        with self._lock:
            self._entries.clear()
