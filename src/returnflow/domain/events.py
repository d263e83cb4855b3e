"""Domain events: what happened, as frozen facts the outbox carries to the outside world."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened to an entity; `topic` is the outgoing event type."""

    topic: str
    entity_type: str
    entity_id: str
    data: dict[str, Any] = field(default_factory=dict)
