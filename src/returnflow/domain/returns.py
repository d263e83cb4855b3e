"""The Return (RMA) status machine: an explicit transition table; illegal moves raise."""

from __future__ import annotations

from enum import StrEnum

from returnflow.domain.errors import IllegalTransition


class ReturnStatus(StrEnum):
    """Every status a return can be in (API.md)."""

    REQUESTED = "requested"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    RECEIVED = "received"
    INSPECTED = "inspected"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


S = ReturnStatus

# A return only moves forward. Each status lists where it may go next; terminal ones go nowhere.
TRANSITIONS: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    S.REQUESTED: frozenset({S.PENDING_REVIEW, S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.PENDING_REVIEW: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    # Approved returns ship back, are handed in at a store/node (received), are resolved
    # without shipping (keep-it → completed), or lapse.
    S.APPROVED: frozenset({S.IN_TRANSIT, S.DELIVERED, S.RECEIVED, S.COMPLETED, S.CANCELLED, S.EXPIRED}),
    S.IN_TRANSIT: frozenset({S.DELIVERED, S.RECEIVED}),
    S.DELIVERED: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.INSPECTED}),
    S.INSPECTED: frozenset({S.COMPLETED}),
    S.REJECTED: frozenset(),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}

TERMINAL = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)
# Statuses in which a return still claims the units it names (they cannot be returned twice).
CLAIMING = frozenset(set(ReturnStatus) - {S.REJECTED, S.CANCELLED, S.EXPIRED})


def can_transition(current: ReturnStatus | str, target: ReturnStatus | str) -> bool:
    """Whether the table allows `current` → `target`."""
    return ReturnStatus(target) in TRANSITIONS[ReturnStatus(current)]


def transition(current: ReturnStatus | str, target: ReturnStatus | str) -> ReturnStatus:
    """The new status, or IllegalTransition naming both ends."""
    cur, tgt = ReturnStatus(current), ReturnStatus(target)
    if tgt not in TRANSITIONS[cur]:
        allowed = ", ".join(sorted(TRANSITIONS[cur])) or "nothing (terminal)"
        raise IllegalTransition(
            f"a return that is {cur} cannot become {tgt}; it may become: {allowed}",
            code="illegal_transition",
        )
    return tgt


def releases_units(target: ReturnStatus | str) -> bool:
    """Whether moving to `target` gives the claimed units back to the order line."""
    return ReturnStatus(target) not in CLAIMING
