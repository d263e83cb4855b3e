"""Return requests of a demo season: who sends what back, why, when, and what they want instead."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from returnflow.demo.catalog import is_sized
from returnflow.demo.records import LineRecord, OrderRecord, iso

Body = dict[str, Any]

# Share of units sold that come back, per category (industry-typical for online retail).
RETURN_RATES: dict[str, float] = {
    "apparel": 0.275,
    "footwear": 0.20,
    "electronics": 0.09,
    "home": 0.10,
    "beauty": 0.05,
}
REASONS = (
    "size_too_small",
    "size_too_large",
    "defective",
    "damaged_in_transit",
    "wrong_item",
    "not_as_described",
    "changed_mind",
    "arrived_late",
    "better_price",
    "other",
)
SIZE_REASONS = ("size_too_small", "size_too_large")
# Reason weights per category, in REASONS order: fit dominates soft goods, faults dominate gadgets,
# breakage dominates home goods, and beauty is mostly shade mismatch, leaks and second thoughts.
REASON_MIX: dict[str, tuple[int, ...]] = {
    "apparel": (22, 21, 5, 3, 4, 16, 19, 3, 3, 4),
    "footwear": (28, 19, 8, 3, 4, 12, 17, 2, 3, 4),
    "electronics": (0, 0, 30, 12, 5, 10, 21, 4, 12, 6),
    "home": (0, 0, 15, 25, 7, 20, 20, 3, 5, 5),
    "beauty": (0, 0, 8, 18, 10, 22, 30, 4, 3, 5),
}
# How likely the item comes back out of its sealed packaging, by reason.
OPENED: dict[str, float] = {
    "size_too_small": 0.6,
    "size_too_large": 0.6,
    "defective": 0.95,
    "damaged_in_transit": 0.6,
    "wrong_item": 0.2,
    "not_as_described": 0.75,
    "changed_mind": 0.35,
    "arrived_late": 0.1,
    "better_price": 0.15,
    "other": 0.4,
}
NOTES: dict[str, tuple[str, ...]] = {
    "size_too_small": (
        "Runs small, ordered my usual size.",
        "Too tight across the shoulders.",
        "Toes hit the end.",
    ),
    "size_too_large": (
        "Runs large, need one size down.",
        "Too loose at the waist.",
        "Heel slips when walking.",
    ),
    "defective": (
        "Stopped charging after a week.",
        "Left earbud has no sound.",
        "Won't power on.",
        "Seam came apart.",
    ),
    "damaged_in_transit": ("Box was crushed, item cracked.", "Arrived leaking.", "Chipped on arrival."),
    "wrong_item": ("Received a different colour.", "Got the wrong size in the box.", "Not what I ordered."),
    "not_as_described": ("Colour is much darker than the photos.", "Fabric feels thinner than described."),
    "changed_mind": ("No longer needed.", "Bought as a gift, they already had one.", "Didn't suit me."),
    "arrived_late": ("Needed it for an event, came too late.", "Took over a week to arrive."),
    "better_price": ("Found it cheaper elsewhere.", "Went on sale right after I bought it."),
    "other": ("Ordered by mistake.", "Duplicate order."),
}
LATE_SHARE = 0.07  # requests made after day 30, which a 30-day window rejects
HEAVY_LATE_SHARE = 0.25
HEAVY_WEIGHT = 10.0


@dataclass(frozen=True)
class QualityIssue:
    """A SKU stem that returns far more than its peers, for one dominant reason, from a given moment."""

    sku_prefix: str
    reason: str
    since: datetime
    boost: float


@dataclass
class ReturnPick:
    """A line chosen to come back, and how many of its units."""

    order: OrderRecord
    index: int
    quantity: int


def _maturity(days_available: float) -> float:
    """Share of a line's eventual returns already requested this many days after delivery."""
    if days_available < 2:
        return 0.0
    within_month = 1.0 - math.exp(-(days_available - 2) / 6.0)  # most come back within two weeks
    late = min(max((days_available - 30) / 10.0, 0.0), 1.0)
    return (1 - LATE_SHARE) * within_month + LATE_SHARE * late


def _issue(line: LineRecord, order: OrderRecord, issues: list[QualityIssue]) -> QualityIssue | None:
    for issue in issues:
        if line.sku.startswith(issue.sku_prefix) and order.placed_at >= issue.since:
            return issue
    return None


def _weight(
    order: OrderRecord, index: int, end: datetime, heavy: frozenset[str], issues: list[QualityIssue]
) -> float:
    """Relative propensity of one line to be sent back, given what we know about it."""
    line = order.lines[index]
    if order.delivered_at is None or "gift_card" in line.product["tags"]:
        return 0.0
    weight = _maturity((end - order.delivered_at).total_seconds() / 86400)
    if not line.product["returnable"]:
        weight *= 0.25  # people still try; the policy is what says no
    if line.final_sale:
        weight *= 0.4
    if line.unit_price * 2 <= line.list_price:
        weight *= 0.6  # bargains come back less often
    if order.email in heavy:
        weight *= HEAVY_WEIGHT
    if order.bracket and order.bracket[0] == index:
        weight *= 8.0
    issue = _issue(line, order, issues)
    if issue:
        weight *= issue.boost
    return weight


def select_returns(
    rng: random.Random,
    records: list[OrderRecord],
    end: datetime,
    heavy: frozenset[str],
    issues: list[QualityIssue],
) -> list[ReturnPick]:
    """Choose returned lines so each category's returned units hit its target share of units sold."""
    # A quota per category rather than a coin flip per line: the rates the demo promises hold for any
    # seed or size, while the per-line weights still decide *which* lines come back (heavy returners,
    # brackets, bad batches, lines delivered too recently to have come back yet).
    picks: list[ReturnPick] = []
    for category, rate in RETURN_RATES.items():
        lines = [(o, i) for o in records for i, line in enumerate(o.lines) if line.category == category]
        sold = sum(o.lines[i].quantity for o, i in lines)
        # A little season-to-season wobble (±5 %) so the rates are not suspiciously exact.
        target = round(sold * rate * rng.uniform(0.95, 1.05))
        keyed: list[tuple[float, int, OrderRecord, int]] = []
        for n, (order, index) in enumerate(lines):
            weight = _weight(order, index, end, heavy, issues)
            if weight > 0:
                # Efraimidis-Spirakis keys: sorting by u ** (1/w) is weighted sampling without replacement.
                keyed.append((rng.random() ** (1.0 / weight), -n, order, index))
        keyed.sort(key=lambda k: (k[0], k[1]), reverse=True)
        returned = 0
        for _, _, order, index in keyed:
            if returned >= target:
                break
            bought = order.lines[index].quantity
            quantity = bought if bought == 1 or rng.random() < 0.55 else rng.randint(1, bought - 1)
            quantity = min(quantity, target - returned)
            picks.append(ReturnPick(order, index, quantity))
            returned += quantity
    return picks


def _reason(
    rng: random.Random, order: OrderRecord, index: int, heavy: bool, issues: list[QualityIssue]
) -> str:
    line = order.lines[index]
    if order.bracket and order.bracket[0] == index:
        return order.bracket[1]
    issue = _issue(line, order, issues)
    if issue and rng.random() < 0.65:
        return issue.reason
    weights = {r: float(w) for r, w in zip(REASONS, REASON_MIX[line.category], strict=True)}
    if not is_sized(line.product):
        weights.update(size_too_small=0.0, size_too_large=0.0)
    assert order.delivered_at is not None
    if order.channel == "store":
        weights.update(
            damaged_in_transit=0.0, arrived_late=0.0, wrong_item=0.0
        )  # carried home by the shopper
    elif order.delivered_at - order.placed_at < timedelta(days=5):
        weights["arrived_late"] = 0.0
    if line.unit_price < line.list_price:
        weights["better_price"] *= 0.3  # already bought on a discount
    if heavy:
        # Serial returners favour reasons that waive fees or need no proof.
        weights["changed_mind"] *= 2.0
        weights["not_as_described"] *= 1.5
        weights["defective"] *= 1.5
    return rng.choices(list(weights), list(weights.values()))[0]


def _resolution(rng: random.Random, reason: str, loyalty: bool) -> str:
    """Refund, store credit or exchange: fit problems lean to exchanges, loyalty members to credit."""
    if reason in SIZE_REASONS:
        weights = [52.0, 13.0, 35.0]
    elif reason in ("defective", "damaged_in_transit", "wrong_item"):
        weights = [64.0, 8.0, 28.0]
    else:
        weights = [70.0, 25.0, 5.0]
    if loyalty:
        weights[1] *= 1.6  # the loyalty programme pays a bonus on store credit
    return rng.choices(("refund", "store_credit", "exchange"), weights)[0]


def _method(rng: random.Random, order: OrderRecord, lines: list[LineRecord]) -> str:
    if order.channel == "store":
        return rng.choices(("in_store", "drop_off"), (80, 20))[0]
    if any(line.product["weight_grams"] > 8000 or "bulky" in line.product["tags"] for line in lines):
        return rng.choices(("pickup", "drop_off"), (70, 30))[0]
    return rng.choices(("drop_off", "in_store", "pickup"), (75, 13, 12))[0]


def _delay_days(rng: random.Random, heavy: bool, available: float) -> float:
    """Days from delivery to the request: mostly within two weeks, a minority past day 30."""
    late_share = HEAVY_LATE_SHARE if heavy else LATE_SHARE
    upper = min(available, 40.0)
    for _ in range(12):
        days = rng.uniform(30.2, 40.0) if rng.random() < late_share else 2.0 + rng.gammavariate(1.6, 4.0)
        if days <= upper:
            return days
    return rng.uniform(2.0, upper)  # a line delivered just before "now": whatever time there was


def build_requests(
    rng: random.Random,
    picks: list[ReturnPick],
    end: datetime,
    heavy: frozenset[str],
    issues: list[QualityIssue],
) -> list[Body]:
    """Group picked lines into return requests (one per order, sometimes two) as API bodies."""
    by_order: dict[str, list[ReturnPick]] = {}
    for pick in picks:
        by_order.setdefault(pick.order.number, []).append(pick)
    requests: list[Body] = []
    for group in by_order.values():
        group.sort(key=lambda p: p.index)
        batches = [group]
        if len(group) > 1 and rng.random() < 0.2:
            batches = [group[:1], group[1:]]  # the second thought comes a few days later
        for batch in batches:
            requests.append(_request(rng, batch, end, heavy, issues))
    requests.sort(key=lambda r: (r["requested_at"], r["order_number"]))
    return requests


def _request(
    rng: random.Random,
    batch: list[ReturnPick],
    end: datetime,
    heavy: frozenset[str],
    issues: list[QualityIssue],
) -> Body:
    order = batch[0].order
    assert order.delivered_at is not None
    is_heavy = order.email in heavy
    lines: list[Body] = []
    for pick in batch:
        reason = _reason(rng, order, pick.index, is_heavy, issues)
        opened = rng.random() < (0.85 if is_heavy else OPENED[reason])
        line: Body = {"line_index": pick.index, "quantity": pick.quantity, "reason": reason, "opened": opened}
        if rng.random() < 0.3:
            line["note"] = rng.choice(NOTES[reason])
        lines.append(line)
    available = (end - order.delivered_at).total_seconds() / 86400
    requested_at = order.delivered_at + timedelta(days=_delay_days(rng, is_heavy, available))
    requested_at = min(requested_at.replace(microsecond=0), end)
    return {
        "order_number": order.number,
        "lines": lines,
        "resolution": _resolution(rng, lines[0]["reason"], "loyalty" in order.customer.get("tags", [])),
        "method": _method(rng, order, [order.lines[p.index] for p in batch]),
        "requested_at": iso(requested_at),
    }
