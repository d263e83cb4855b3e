"""A short-lived, per-process memory of carrier webhook secrets (and the tenant they belong to).

Verifying a webhook needs the tenant's active secrets; reading them costs a transaction of its
own before the write. They are remembered for a few seconds per (database, tenant slug,
provider). A delivery that does not verify against remembered secrets is checked again against
freshly read ones, so a secret set in any process works at once. A secret retired in another
process stops verifying here within `TTL_SECONDS`; one set or retired in this process is
forgotten immediately.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import Database

TTL_SECONDS = 5.0
MAX_ENTRIES = 10_000
Known = tuple[str, tuple[str, ...]]  # (tenant id, active secrets)


class SecretMemory:
    """(tenant id, secrets) by database, tenant slug and provider, each valid for `ttl_seconds`."""

    def __init__(self, ttl_seconds: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        # Weakly keyed by the database object: a disposed database takes its entries with it.
        self._by_db: weakref.WeakKeyDictionary[Database, dict[tuple[str, str], tuple[float, Known]]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, db: Database, tenant_slug: str, provider: str) -> Known | None:
        """What was read for this tenant and provider, unless unknown or expired."""
        found = self._by_db.get(db, {}).get((tenant_slug, provider))
        if found is None or found[0] <= self._clock():
            return None
        return found[1]

    def put(self, db: Database, tenant_slug: str, provider: str, known: Known) -> None:
        """Remember what was just read from the database."""
        if self.ttl_seconds <= 0:
            return
        with self._lock:
            entries = self._by_db.setdefault(db, {})
            if len(entries) >= MAX_ENTRIES:
                entries.clear()
            entries[(tenant_slug, provider)] = (self._clock() + self.ttl_seconds, known)

    def forget(self) -> None:
        """Drop everything (after a secret change in this process)."""
        with self._lock:
            self._by_db.clear()


memory = SecretMemory()
