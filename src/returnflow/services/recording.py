"""Record a change: an audit entry and (optionally) an outbox event, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from returnflow.services.access import Actor
from returnflow.services.ids import new_id

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import UnitOfWork


def record(
    uow: UnitOfWork,
    actor: Actor,
    at: datetime,
    action: str,
    entity_type: str,
    entity_id: str,
    data: dict[str, Any],
    *,
    topic: str | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Append to the audit chain; with a topic, also queue the event for the relay."""
    if topic is not None:
        uow.records.add_event(
            event_id=new_id("evt"),
            topic=topic,
            entity_type=entity_type,
            entity_id=entity_id,
            payload=payload if payload is not None else data,
            at=at,
        )
    # Queued: the unit of work chains it to the tenant's head at commit, holding that lock briefly.
    uow.records.append_audit(
        at=at, actor=actor.label, action=action, entity_type=entity_type, entity_id=entity_id, data=data
    )
