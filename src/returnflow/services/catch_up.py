"""The worker's catch-up jobs across tenants: pay out due refunds, apply kept tracking events.

Each job first asks one cheap question of every tenant at once (an indexed lookup that finds
nothing on an idle system) and only then does per-tenant work, so an idle cycle costs two queries.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from returnflow.services.access import system_actor
from returnflow.services.clock import Clock
from returnflow.services.payment_port import PaymentGateway
from returnflow.services.refunds import due_now, execute_refunds
from returnflow.services.tracking import match_unmatched

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import Database


def pay_due_refunds(
    db: Database, clock: Clock, gateway: PaymentGateway, rng: random.Random | None = None
) -> int:
    """Hand every tenant's due refund instructions to the gateway; how many were instructed."""
    with db.uow(readonly=True) as uow:
        tenants = uow.ledger.tenants_with_refunds(due_now(gateway.name, clock()))
    return sum(
        execute_refunds(db, clock, system_actor(tenant_id, "worker:refunds"), gateway, rng=rng)
        for tenant_id in tenants
    )


def apply_kept_events(db: Database, clock: Clock) -> int:
    """Apply stored events whose tracking number a return has been given since; how many were applied."""
    with db.uow(readonly=True) as uow:
        tenants = uow.tracking.tenants_with_matchable_events()
    return sum(match_unmatched(db, clock, tenant_id) for tenant_id in tenants)
