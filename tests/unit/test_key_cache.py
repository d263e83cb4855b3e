"""The API key memory: remembered for its time to live, then read from the database again."""

from __future__ import annotations

from returnflow.entrypoints.api.key_cache import MAX_KEYS, KeyCache
from returnflow.services.access import Actor


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


ADA = Actor(tenant_id="t1", role="admin", label="key:rf_abc")


def test_a_key_is_remembered_until_its_time_to_live_ends() -> None:
    clock = Clock()
    cache = KeyCache(5.0, clock)
    cache.put("h1", ADA)
    clock.now += 4.9
    assert cache.get("h1") == ADA
    clock.now += 0.2
    assert cache.get("h1") is None  # a revoked or rebound key takes effect within the TTL


def test_a_zero_ttl_remembers_nothing_and_unknown_keys_are_never_remembered() -> None:
    cache = KeyCache(0.0)
    cache.put("h1", ADA)
    assert cache.get("h1") is None
    assert KeyCache().get("never-seen") is None


def test_the_memory_stays_bounded() -> None:
    clock = Clock()
    cache = KeyCache(5.0, clock)
    for i in range(MAX_KEYS + 10):
        cache.put(f"h{i}", ADA)
    assert len(cache._entries) <= MAX_KEYS
    assert cache.get(f"h{MAX_KEYS + 9}") == ADA
