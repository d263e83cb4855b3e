"""Carrier claims: a claim for transit damage moves opened → submitted → paid or denied."""

from __future__ import annotations

from returnflow.domain.errors import IllegalTransition

STATUSES = ("opened", "submitted", "paid", "denied")
TRANSITIONS: dict[str, frozenset[str]] = {
    "opened": frozenset({"submitted", "denied"}),
    "submitted": frozenset({"paid", "denied"}),
    "paid": frozenset(),
    "denied": frozenset(),
}


def transition(current: str, target: str) -> str:
    """The new status, or IllegalTransition naming both ends."""
    if target not in TRANSITIONS.get(current, frozenset()):
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "nothing (closed)"
        raise IllegalTransition(
            f"a claim that is {current} cannot become {target}; it may become: {allowed}",
            code="illegal_transition",
        )
    return target


def claim_amount(line_value: int, expected_recovery: int) -> int:
    """What transit damage cost: the line's value less what the damaged unit still recovers."""
    return max(line_value - max(expected_recovery, 0), 0)
