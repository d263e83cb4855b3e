"""Scheduled job: approved returns never shipped expire after the policy's days."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from returnflow.domain.errors import DomainError
from returnflow.domain.returns import ReturnStatus
from returnflow.services.access import system_actor
from returnflow.services.clock import Clock
from returnflow.services.returns import change_status

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import Database


def _deadline(decision: dict[str, object]) -> datetime | None:
    # The ship-by date; a policy without one but with a label validity lapses when the label does.
    value = decision.get("ship_by") or decision.get("label_expires_at")
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def expire_overdue(db: Database, clock: Clock, batch: int = 500) -> int:
    """Expire every approved return past its ship-by date (units are released, events written)."""
    now = clock()
    with db.uow("", readonly=True) as uow:
        due = [
            (tenant_id, return_id)
            for tenant_id, return_id, decision in uow.deliveries.approved_returns(batch)
            if (deadline := _deadline(decision or {})) is not None and deadline < now
        ]
    expired = 0
    for tenant_id, return_id in due:
        try:
            change_status(
                db,
                clock,
                system_actor(tenant_id, "expiry"),
                return_id,
                ReturnStatus.EXPIRED,
                "not shipped in time",
            )
            expired += 1
        except DomainError:
            continue  # it moved on (shipped, cancelled) since we looked
    return expired
