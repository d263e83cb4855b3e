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

from returnflow.services.expiring import Expiring

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import Database

TTL_SECONDS = 5.0
Known = tuple[str, tuple[str, ...]]  # (tenant id, active secrets)


class SecretMemory:
    """(tenant id, secrets) by database, tenant slug and provider, each valid for `ttl_seconds`."""

    def __init__(self, ttl_seconds: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        # Weakly keyed by the database object: a disposed database takes its entries with it.
        self._by_db: weakref.WeakKeyDictionary[Database, Expiring[tuple[str, str], Known]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, db: Database, tenant_slug: str, provider: str) -> Known | None:
        """What was read for this tenant and provider, unless unknown or expired."""
        entries = self._by_db.get(db)
        return None if entries is None else entries.get((tenant_slug, provider))

    def put(self, db: Database, tenant_slug: str, provider: str, known: Known) -> None:
        """Remember what was just read from the database."""
        with self._lock:
            entries = self._by_db.get(db)
            if entries is None:
                entries = self._by_db[db] = Expiring(self.ttl_seconds, self._clock)
        entries.put((tenant_slug, provider), known)

    def forget(self) -> None:
        """Drop everything (after a secret change in this process)."""
        with self._lock:
            self._by_db.clear()


memory = SecretMemory()
