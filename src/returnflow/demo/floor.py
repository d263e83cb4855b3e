"""What happens to an approved demo return after the request, planned: label, carrier scans, receipt,
inspection grades — each at its own time, and only what has happened by the season's "now"."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# Some shoppers never send the parcel back (the return expires); some print the label and stop there.
NEVER_LABELLED = 0.04
NEVER_SHIPPED = 0.04
# Hours between steps, (low, high): a uniform draw, so the season's KPIs have a realistic spread.
LABEL_AFTER = (0.2, 48.0)
PICKUP_AFTER = (2.0, 72.0)
IN_TRANSIT_AFTER = (4.0, 20.0)
DELIVERED_AFTER = (24.0, 96.0)
RECEIVED_AFTER = (1.0, 30.0)
INSPECTED_AFTER = (2.0, 60.0)

# Grades an inspector gives by the shopper's reason: a defect rarely comes back like new, a size
# exchange mostly does.
GRADES: dict[str, tuple[tuple[str, float], ...]] = {
    "defective": (("B", 0.05), ("C", 0.3), ("D", 0.45), ("F", 0.2)),
    "damaged_in_transit": (("B", 0.2), ("C", 0.4), ("D", 0.3), ("F", 0.1)),
    "wrong_item": (("A", 0.8), ("B", 0.2)),
    "not_as_described": (("A", 0.5), ("B", 0.35), ("C", 0.15)),
}
USUAL_GRADES = (("A", 0.55), ("B", 0.35), ("C", 0.1))


@dataclass(frozen=True)
class LineGrade:
    """The grade one returned line gets, and whether the carrier damaged it."""

    grade: str
    transit_damage: bool


@dataclass(frozen=True)
class ParcelPlan:
    """The steps an approved return goes through; None for a step that has not happened by `now`."""

    label_at: datetime | None
    picked_up_at: datetime | None
    in_transit_at: datetime | None
    delivered_at: datetime | None
    received_at: datetime | None
    inspected_at: datetime | None
    grades: tuple[LineGrade, ...]


def _after(
    rng: random.Random, at: datetime | None, hours: tuple[float, float], now: datetime
) -> datetime | None:
    """A step some hours after the previous one, or None when that is later than `now`."""
    if at is None:
        return None
    step = at + timedelta(hours=rng.uniform(*hours))
    return step.replace(microsecond=0) if step <= now else None


def _grade(rng: random.Random, reason: str) -> LineGrade:
    choices = GRADES.get(reason, USUAL_GRADES)
    grade = rng.choices([g for g, _ in choices], weights=[w for _, w in choices])[0]
    return LineGrade(grade, transit_damage=reason == "damaged_in_transit" and grade in ("C", "D", "F"))


def plan_parcel(
    rng: random.Random, approved_at: datetime, reasons: Sequence[str], now: datetime
) -> ParcelPlan:
    """The parcel of a return approved at `approved_at` with one line per reason, as of `now`."""
    if approved_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    grades = tuple(_grade(rng, reason) for reason in reasons)
    drop = rng.random()
    label = None if drop < NEVER_LABELLED else _after(rng, approved_at, LABEL_AFTER, now)
    picked = None if drop < NEVER_LABELLED + NEVER_SHIPPED else _after(rng, label, PICKUP_AFTER, now)
    in_transit = _after(rng, picked, IN_TRANSIT_AFTER, now)
    delivered = _after(rng, in_transit, DELIVERED_AFTER, now)
    received = _after(rng, delivered, RECEIVED_AFTER, now)
    inspected = _after(rng, received, INSPECTED_AFTER, now)
    return ParcelPlan(label, picked, in_transit, delivered, received, inspected, grades)
