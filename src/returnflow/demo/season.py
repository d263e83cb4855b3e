"""A demo season: orders and the return requests they lead to, with a summary to check it against."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from returnflow.demo.orders import OrderFactory
from returnflow.demo.records import OrderRecord, iso
from returnflow.demo.returns import RETURN_RATES, QualityIssue, build_requests, select_returns

Body = dict[str, Any]

HEAVY_RETURNER_SHARE = 0.015
LATE_AFTER_DAYS = 30


@dataclass(frozen=True)
class Season:
    """Generated `POST /v1/orders` and return-request bodies, oldest first, plus what was planted in them."""

    orders: list[Body]
    returns: list[Body]
    start: datetime
    end: datetime  # "now" for the season: nothing is placed, delivered or requested after it
    categories: dict[str, str] = field(repr=False)  # sku -> category, to read the bodies back
    heavy_returners: tuple[str, ...] = ()  # emails of the planted serial returners
    quality_issues: dict[str, str] = field(default_factory=dict)  # SKU prefix -> dominant return reason

    def summary(self) -> dict[str, Any]:
        """Counts per category and channel, return rates by units (actual and expected), reasons, outcomes."""
        by_number = {o["number"]: o for o in self.orders}
        sold: Counter[str] = Counter()
        lines: Counter[str] = Counter()
        orders_with: Counter[str] = Counter()
        for order in self.orders:
            seen: list[str] = []
            for line in order["lines"]:
                category = self.categories[line["sku"]]
                sold[category] += line["quantity"]
                lines[category] += 1
                if category not in seen:
                    seen.append(category)
            orders_with.update(seen)
        returned: Counter[str] = Counter()
        reasons: dict[str, Counter[str]] = {}
        late = 0
        for request in self.returns:
            order = by_number[request["order_number"]]
            delivered = datetime.fromisoformat(order["delivered_at"])
            if datetime.fromisoformat(request["requested_at"]) - delivered > timedelta(days=LATE_AFTER_DAYS):
                late += 1
            for line in request["lines"]:
                category = self.categories[order["lines"][line["line_index"]]["sku"]]
                returned[category] += line["quantity"]
                reasons.setdefault(category, Counter())[line["reason"]] += line["quantity"]
        categories = {
            category: {
                "orders": orders_with[category],
                "lines": lines[category],
                "units_sold": sold[category],
                "units_returned": returned[category],
                "return_rate": round(returned[category] / sold[category], 4) if sold[category] else 0.0,
                "expected_return_rate": RETURN_RATES.get(category, 0.0),
                "reasons": dict(reasons.get(category, Counter()).most_common()),
            }
            for category in sorted(sold)
        }
        return {
            "from": iso(self.start),
            "to": iso(self.end),
            "orders": len(self.orders),
            "undelivered_orders": sum(1 for o in self.orders if o["delivered_at"] is None),
            "units_sold": sum(sold.values()),
            "returns": len(self.returns),
            "units_returned": sum(returned.values()),
            "late_returns": late,
            "channels": dict(Counter(o["channel"] for o in self.orders).most_common()),
            "resolutions": dict(Counter(r["resolution"] for r in self.returns).most_common()),
            "methods": dict(Counter(r["method"] for r in self.returns).most_common()),
            "categories": categories,
            "heavy_returners": list(self.heavy_returners),
            "quality_issues": dict(self.quality_issues),
        }


def _heavy_returners(rng: random.Random, customers: list[Body]) -> tuple[str, ...]:
    """A handful of serial returners (~1.5 % of customers) for the risk and review paths."""
    count = round(len(customers) * HEAVY_RETURNER_SHARE) if len(customers) >= 20 else 0
    return tuple(str(c["email"]) for c in rng.sample(customers, count))


def _quality_issues(
    rng: random.Random, records: list[OrderRecord], start: datetime, end: datetime
) -> list[QualityIssue]:
    """Plant a bad batch, a style that runs small and a colour unlike its photos (for early warnings)."""

    def best_sellers(prefix: str, stem_parts: int, predicate: str | None = None) -> list[str]:
        stems: Counter[str] = Counter()
        for record in records:
            for line in record.lines:
                if line.sku.startswith(prefix) and (predicate is None or line.product.get(predicate)):
                    stems["-".join(line.sku.split("-")[:stem_parts])] += line.quantity
        return [stem for stem, _ in sorted(stems.items(), key=lambda kv: (-kv[1], kv[0]))[:4]]

    issues: list[QualityIssue] = []
    middle = start + (end - start) / 2
    # A bad batch of one gadget model lands mid-season, so its "defective" returns spike from then on;
    # a footwear style runs small all season; one apparel colourway looks nothing like its photos.
    for prefix, parts, predicate, reason, since, boost in (
        ("EL-", 2, "serialized", "defective", middle, 4.0),
        ("FW-", 2, None, "size_too_small", start, 2.5),
        ("AP-", 3, None, "not_as_described", start, 2.5),
    ):
        candidates = best_sellers(prefix, parts, predicate)
        if candidates:
            issues.append(QualityIssue(rng.choice(candidates) + "-", reason, since, boost))
    return issues


def generate_season(
    rng: random.Random,
    catalog: list[Body],
    customers: list[Body],
    start: datetime,
    days: int = 90,
    orders: int = 3000,
) -> Season:
    """`orders` orders placed over `days` days from `start` (tz-aware) and the returns requested by then."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be timezone-aware")
    if days < 1 or orders < 0:
        raise ValueError("days must be at least 1 and orders not negative")
    if orders and (not catalog or not customers):
        raise ValueError("a season with orders needs a catalogue and customers")
    # Whole seconds in UTC: bodies carry second precision, and "2 days after" must survive rounding.
    start = start.astimezone(UTC).replace(microsecond=0)
    end = start + timedelta(days=days)
    heavy = _heavy_returners(rng, customers)
    heavy_set = frozenset(heavy)
    records = OrderFactory(rng, catalog, customers, heavy_set).orders(start, days, orders)
    for number, record in enumerate(records, start=100001):
        record.number = f"RF-{number}"
        if record.delivered_at is not None and record.delivered_at > end:
            record.delivered_at = None  # still with the carrier when the season's "now" arrives
    issues = _quality_issues(rng, records, start, end)
    picks = select_returns(rng, records, end, heavy_set, issues)
    returns = build_requests(rng, picks, end, heavy_set, issues)
    return Season(
        orders=[record.body() for record in records],
        returns=returns,
        start=start,
        end=end,
        categories={str(p["sku"]): str(p["category"]) for p in catalog},
        heavy_returners=heavy,
        quality_issues={issue.sku_prefix: issue.reason for issue in issues},
    )
