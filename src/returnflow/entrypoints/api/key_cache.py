"""A short-lived, per-process memory of authenticated API keys.

Every API request authenticates its bearer key; looking the key up costs a database round trip
(and a transaction) per request. Keys are remembered by their hash for a few seconds, so a busy
client pays that once per interval, while a key created, revoked or rebound in the database takes
effect in every server process within `ttl_seconds`. Unknown keys are never remembered, so a
just-created key works at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from returnflow.services.access import Actor

DEFAULT_TTL_SECONDS = 5.0
MAX_KEYS = 10_000


class KeyCache:
    """Actors by key hash, each valid for `ttl_seconds` after it was read from the database."""

    def __init__(self, ttl_seconds: float = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._actors: dict[str, tuple[float, Actor]] = {}

    def get(self, key_hash: str) -> Actor | None:
        """The remembered actor, or None when unknown or expired."""
        found = self._actors.get(key_hash)
        if found is None or found[0] <= self._clock():
            return None
        return found[1]

    def put(self, key_hash: str, actor: Actor) -> None:
        """Remember an actor just read from the database."""
        if self.ttl_seconds <= 0:
            return
        with self._lock:
            if len(self._actors) >= MAX_KEYS:
                now = self._clock()
                self._actors = {h: v for h, v in self._actors.items() if v[0] > now}
                if len(self._actors) >= MAX_KEYS:
                    self._actors.clear()
            self._actors[key_hash] = (self._clock() + self.ttl_seconds, actor)

    def forget(self) -> None:
        """Drop everything (after a key change in this process)."""
        with self._lock:
            self._actors.clear()
