"""The demo's returns-center plan: steps in order, nothing after "now", grades that follow the reason."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from returnflow.demo.floor import NEVER_LABELLED, NEVER_SHIPPED, LineGrade, plan_parcel

APPROVED = datetime(2026, 3, 1, 12, tzinfo=UTC)
LONG_AFTER = APPROVED + timedelta(days=60)


def _steps(plan) -> list[datetime | None]:  # type: ignore[no-untyped-def]
    return [
        plan.label_at,
        plan.picked_up_at,
        plan.in_transit_at,
        plan.delivered_at,
        plan.received_at,
        plan.inspected_at,
    ]


def test_steps_come_in_order_and_stop_at_the_first_missing_one() -> None:
    rng = random.Random(3)
    for _ in range(500):
        steps = _steps(plan_parcel(rng, APPROVED, ["size_too_small"], LONG_AFTER))
        reached = [s for s in steps if s is not None]
        assert steps[: len(reached)] == reached  # no step without the one before it
        assert all(a < b for a, b in zip([APPROVED, *reached], reached, strict=False))


def test_nothing_is_planned_after_now() -> None:
    rng = random.Random(4)
    now = APPROVED + timedelta(days=4)
    plans = [plan_parcel(rng, APPROVED, ["defective"], now) for _ in range(500)]
    assert all(s <= now for p in plans for s in _steps(p) if s is not None)
    # Four days in, parcels are at every stage: some labelled only, some delivered, none inspected yet
    # unless the whole chain was quick.
    stages = Counter(sum(s is not None for s in _steps(p)) for p in plans)
    assert len(stages) >= 4


def test_some_shoppers_never_label_or_never_ship() -> None:
    rng = random.Random(5)
    plans = [plan_parcel(rng, APPROVED, ["changed_mind"], LONG_AFTER) for _ in range(4000)]
    unlabelled = sum(p.label_at is None for p in plans) / len(plans)
    unshipped = sum(p.label_at is not None and p.picked_up_at is None for p in plans) / len(plans)
    assert unlabelled == pytest.approx(NEVER_LABELLED, abs=0.015)
    assert unshipped == pytest.approx(NEVER_SHIPPED, abs=0.015)
    # Long after approval, every shipped parcel has been inspected.
    assert all(p.inspected_at is not None for p in plans if p.picked_up_at is not None)


def _first_grades(rng: random.Random, reason: str, n: int) -> list[LineGrade]:
    return [plan_parcel(rng, APPROVED, [reason], LONG_AFTER).grades[0] for _ in range(n)]


def test_grades_follow_the_reason() -> None:
    rng = random.Random(6)
    defective = Counter(g.grade for g in _first_grades(rng, "defective", 2000))
    sizing = Counter(g.grade for g in _first_grades(rng, "size_too_large", 2000))
    assert defective["A"] == 0 and defective["D"] > defective["B"]
    assert sizing["A"] > sizing["B"] > sizing["C"] and sizing["D"] == sizing["F"] == 0
    damaged = _first_grades(rng, "damaged_in_transit", 500)
    assert all(g.transit_damage == (g.grade in "CDF") for g in damaged)
    assert not any(g.transit_damage for g in _first_grades(rng, "defective", 200))


def test_one_grade_per_line_and_the_same_seed_gives_the_same_plan() -> None:
    reasons = ["defective", "size_too_small", "wrong_item"]
    first = plan_parcel(random.Random(9), APPROVED, reasons, LONG_AFTER)
    assert len(first.grades) == 3
    assert first == plan_parcel(random.Random(9), APPROVED, reasons, LONG_AFTER)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        plan_parcel(random.Random(1), datetime(2026, 3, 1), ["defective"], LONG_AFTER)
