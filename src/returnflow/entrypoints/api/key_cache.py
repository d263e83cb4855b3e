"""A short-lived, per-process memory of authenticated API keys.

Every API request authenticates its bearer key; looking the key up costs a database round trip
(and a transaction) per request. Keys are remembered by their hash for a few seconds, so a busy
client pays that once per interval, while a key created, revoked or rebound in the database takes
effect in every server process within `ttl_seconds`. Unknown keys are never remembered, so a
just-created key works at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from returnflow.services.access import Actor
from returnflow.services.expiring import Expiring

DEFAULT_TTL_SECONDS = 5.0
MAX_KEYS = 10_000


class KeyCache(Expiring[str, Actor]):
    """Actors by key hash, each valid for `ttl_seconds` after it was read from the database."""

    def __init__(self, ttl_seconds: float = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        super().__init__(ttl_seconds, clock, MAX_KEYS)
