"""The per-process memory of carrier secrets: expiry, scoping by database, forgetting."""

from __future__ import annotations

import gc

from returnflow.services.secret_memory import SecretMemory


class FakeDb:
    """Stands in for a Database: any object that can be weakly referenced."""


def test_secrets_are_remembered_per_database_until_they_expire() -> None:
    now = [0.0]
    memory = SecretMemory(5.0, clock=lambda: now[0])
    a, b = FakeDb(), FakeDb()
    memory.put(a, "acme", "generic", ("ten_1", ("s1",)))  # type: ignore[arg-type]
    assert memory.get(a, "acme", "generic") == ("ten_1", ("s1",))  # type: ignore[arg-type]
    assert memory.get(b, "acme", "generic") is None  # type: ignore[arg-type]
    assert memory.get(a, "acme", "shippo") is None  # type: ignore[arg-type]
    now[0] = 5.0
    assert memory.get(a, "acme", "generic") is None  # type: ignore[arg-type]


def test_forget_and_a_zero_ttl_remember_nothing() -> None:
    memory = SecretMemory(5.0)
    db = FakeDb()
    memory.put(db, "acme", "generic", ("ten_1", ("s1",)))  # type: ignore[arg-type]
    memory.forget()
    assert memory.get(db, "acme", "generic") is None  # type: ignore[arg-type]
    off = SecretMemory(0)
    off.put(db, "acme", "generic", ("ten_1", ("s1",)))  # type: ignore[arg-type]
    assert off.get(db, "acme", "generic") is None  # type: ignore[arg-type]


def test_a_discarded_database_takes_its_entries_with_it() -> None:
    memory = SecretMemory(5.0)
    db = FakeDb()
    memory.put(db, "acme", "generic", ("ten_1", ("s1",)))  # type: ignore[arg-type]
    del db
    gc.collect()
    assert len(memory._by_db) == 0
