"""Forward orders of a demo season: daily volume, channels, baskets, discounts, serials and delivery."""

from __future__ import annotations

import bisect
import itertools
import random
from datetime import date, datetime, timedelta
from typing import Any

from returnflow.demo.catalog import size_neighbours
from returnflow.demo.records import LineRecord, OrderRecord

Body = dict[str, Any]

# Mon..Sun: online retail runs a little hotter at weekends (and stores much hotter, see below).
WEEKDAY_FACTOR = (1.02, 0.96, 0.95, 0.95, 0.97, 1.10, 1.15)
# UTC hours 00..23. US shoppers peak in the evening, which is 00:00-04:00 UTC; nights are quiet.
HOUR_WEIGHTS = (16, 17, 16, 13, 9, 5, 3, 2, 2, 2, 2, 3, 5, 8, 10, 11, 12, 12, 12, 12, 12, 13, 14, 15)
STORE_HOURS = tuple(10 if h >= 14 or h < 2 else 0 for h in range(24))  # ~10:00-21:00 US Eastern
CHANNELS = ("web", "app", "store", "marketplace")
CHANNEL_WEIGHTS = (76.5, 13.5, 6.5, 3.5)  # web ends up ~75 % once weekend store traffic is added
LINE_COUNT_WEIGHTS = ((1, 2, 3, 4), (55, 27, 12, 6))
CATEGORY_MIX: dict[str, float] = {
    "apparel": 34,
    "footwear": 13,
    "electronics": 17,
    "home": 17,
    "beauty": 16,
    "other": 3,
}
QUANTITIES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "apparel": ((1, 2, 3), (86, 11, 3)),
    "footwear": ((1, 2), (97, 3)),
    "electronics": ((1, 2), (95, 5)),
    "home": ((1, 2, 3, 4), (80, 14, 4, 2)),
    "beauty": ((1, 2, 3), (70, 22, 8)),
    "other": ((1, 2, 3), (75, 18, 7)),
}
BRACKET_SHARE = 0.08  # sized purchases where a second size is bought "to be safe"
LOST_IN_TRANSIT = 0.004
SERIAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I/O/0/1: serials get read aloud and retyped


def black_friday(year: int) -> date:
    """The day after US Thanksgiving (the fourth Thursday of November)."""
    first = date(year, 11, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(days=22)


def season_phase(day: date) -> str:
    """Which part of the retail calendar a day falls in: it drives volume, mix and discounts."""
    offset = (day - black_friday(day.year)).days
    if -7 <= offset <= 10:
        return "peak"  # the Black Friday - Cyber Monday fortnight
    if day.month == 12 and day.day <= 24:
        return "holiday"
    if day.month == 1:
        return "january"
    return "regular"


def day_weight(day: date) -> float:
    """Relative order volume of a calendar day."""
    offset = (day - black_friday(day.year)).days
    factor = {0: 3.6, 1: 2.4, 2: 2.2, 3: 3.2}.get(offset)
    if factor is None:
        factor = 1.5 if -7 <= offset <= 10 else 1.0
        if day.month == 12:
            # Gifting runs until the shipping cut-off, then falls off a cliff until Boxing Day sales.
            factor = 1.45 if day.day <= 17 else 0.9 if day.day <= 24 else 0.4 if day.day == 25 else 1.15
        elif day.month == 1:
            factor = 0.85
    return factor * WEEKDAY_FACTOR[day.weekday()]


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` orders over days by weight (largest remainder), so the count is exact."""
    scale = sum(weights) or 1.0
    exact = [total * w / scale for w in weights]
    counts = [int(x) for x in exact]
    for i in sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))[: total - sum(counts)]:
        counts[i] += 1
    return counts


class _Picker:
    """Weighted choice via cumulative weights (bisect): fast for thousands of draws."""

    def __init__(self, items: list[Body], weights: list[float]) -> None:
        self.items = items
        self.cumulative = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random) -> Body:
        """One item, drawn proportionally to its weight."""
        point = rng.random() * self.cumulative[-1]
        return self.items[min(bisect.bisect_right(self.cumulative, point), len(self.items) - 1)]


class OrderFactory:
    """Builds the season's orders from a catalogue and a customer base."""

    def __init__(
        self, rng: random.Random, catalog: list[Body], customers: list[Body], heavy: frozenset[str]
    ) -> None:
        self.rng = rng
        self.by_sku = {str(p["sku"]): p for p in catalog}
        self.neighbours = size_neighbours(catalog)
        self.serials: set[str] = set()  # membership only, never iterated
        # Some customers buy far more often than others; heavy returners are all frequent buyers
        # (they buy to try), so their pattern shows up within one season.
        activity = [
            rng.uniform(2.0, 3.5) if c["email"] in heavy else rng.lognormvariate(0.0, 0.6) for c in customers
        ]
        self.customers = _Picker(customers, activity)
        self.skus: dict[str, _Picker] = {}
        for category in CATEGORY_MIX:
            products = [p for p in catalog if p["category"] == category]
            rng.shuffle(products)
            if products:
                # Long-tail popularity (a few bestsellers), with middle sizes outselling the extremes.
                weights = [self._appeal(p) / (rank + 1) ** 0.6 for rank, p in enumerate(products)]
                self.skus[category] = _Picker(products, weights)

    def _appeal(self, product: Body) -> float:
        """1.0 for the middle of a size run, down to ~0.35 at its ends; niche items sell less."""
        niche = 0.4 if {"final_sale", "personalised"} & set(product["tags"]) else 1.0
        down, up = 0, 0
        sku = str(product["sku"])
        below, above = self.neighbours.get(sku, (None, None))
        while below:
            down, below = down + 1, self.neighbours[below][0]
        while above:
            up, above = up + 1, self.neighbours[above][1]
        if down + up == 0:
            return niche
        return niche * (1.0 - 0.65 * abs(down - up) / (down + up))

    def orders(self, start: datetime, days: int, count: int) -> list[OrderRecord]:
        """`count` orders placed over `days` days from `start`, in placing order."""
        rng = self.rng
        weights = [
            day_weight((start + timedelta(days=i)).date()) * rng.uniform(0.9, 1.1) for i in range(days)
        ]
        records: list[OrderRecord] = []
        for i, n in enumerate(_allocate(count, weights)):
            day_start = start + timedelta(days=i)
            day_records = [self._order(day_start) for _ in range(n)]
            records.extend(sorted(day_records, key=lambda r: r.placed_at))
        return records

    def _order(self, day_start: datetime) -> OrderRecord:
        rng = self.rng
        day = day_start.date()
        phase = season_phase(day)
        weekend = day.weekday() >= 5
        channel_weights = [
            w * (1.7 if ch == "store" and weekend else 1.0)
            for ch, w in zip(CHANNELS, CHANNEL_WEIGHTS, strict=True)
        ]
        channel = rng.choices(CHANNELS, channel_weights)[0]
        hours = STORE_HOURS if channel == "store" else HOUR_WEIGHTS
        # Hours are counted from day_start, which need not be midnight; weights follow the UTC clock.
        offset = rng.choices(range(24), [hours[(day_start.hour + h) % 24] for h in range(24)])[0]
        placed_at = day_start + timedelta(seconds=offset * 3600 + rng.randrange(3600))
        record = OrderRecord(
            channel=channel, placed_at=placed_at, customer=self.customers.pick(rng), lines=[]
        )
        mix = _category_mix(phase)
        categories = [c for c in mix if c in self.skus]
        n_lines = rng.choices(*LINE_COUNT_WEIGHTS)[0]
        for _ in range(n_lines):
            category = rng.choices(categories, [mix[c] for c in categories])[0]
            product = self.skus[category].pick(rng)
            if any(line.sku == product["sku"] for line in record.lines):
                continue  # a repeat pick would be the same line: keep baskets to distinct SKUs
            record.lines.append(self._line(product, phase, placed_at))
        self._maybe_bracket(record)
        record.delivered_at = self._delivery(channel, placed_at, phase)
        return record

    def _line(self, product: Body, phase: str, placed_at: datetime) -> LineRecord:
        rng = self.rng
        values, weights = QUANTITIES[str(product["category"])]
        quantity = rng.choices(values, weights)[0]
        unit_price, final_sale = price_for(rng, product, phase)
        serials = [self._serial(product, placed_at) for _ in range(quantity)] if product["serialized"] else []
        return LineRecord(
            product=product, quantity=quantity, unit_price=unit_price, final_sale=final_sale, serials=serials
        )

    def _maybe_bracket(self, record: OrderRecord) -> None:
        """Sometimes add the next size of a sized line; the shopper will send one of the two back."""
        rng = self.rng
        for index, line in enumerate(record.lines):
            down, up = self.neighbours.get(line.sku, (None, None))
            if (down or up) and len(record.lines) < 4 and rng.random() < BRACKET_SHARE:
                other = rng.choice([s for s in (down, up) if s])
                if any(existing.sku == other for existing in record.lines):
                    return
                extra = LineRecord(
                    product=self.by_sku[other],
                    quantity=1,
                    unit_price=line.unit_price,
                    final_sale=line.final_sale,
                )
                record.lines.append(extra)
                extra_index = len(record.lines) - 1
                back = rng.choice((index, extra_index))
                back_is_larger = (back == extra_index) == (other == up)
                record.bracket = (back, "size_too_large" if back_is_larger else "size_too_small")
                return

    def _serial(self, product: Body, placed_at: datetime) -> str:
        """A unique serial: brand code, build year and week, then a random body."""
        rng = self.rng
        built = placed_at - timedelta(weeks=rng.randint(2, 26))
        year, week, _ = built.isocalendar()
        prefix = "".join(w[0] for w in str(product.get("brand") or "XX").split()[:2]).upper().ljust(2, "X")
        while True:
            body = "".join(rng.choice(SERIAL_ALPHABET) for _ in range(7))
            serial = f"{prefix}{year % 100:02d}{week:02d}{body}"
            if serial not in self.serials:
                self.serials.add(serial)
                return serial

    def _delivery(self, channel: str, placed_at: datetime, phase: str) -> datetime | None:
        """When the parcel reached the shopper: store purchases leave with them, parcels take 2-6 days."""
        rng = self.rng
        if channel == "store":
            return placed_at
        days = rng.choices((2, 3, 4, 5, 6), (15, 30, 25, 18, 12))[0]
        if phase == "peak" and days < 6 and rng.random() < 0.4:
            days += 1  # carrier networks congest around Black Friday
        lost = rng.random() < LOST_IN_TRANSIT  # feeds the "item not received" / carrier-claim paths
        delivered = placed_at + timedelta(days=days, minutes=rng.randint(-240, 240))
        delivered = min(max(delivered, placed_at + timedelta(days=2)), placed_at + timedelta(days=6))
        return None if lost else delivered


def _category_mix(phase: str) -> dict[str, float]:
    """Category weights of a basket line: gadgets and gift cards surge in the peak and holidays."""
    mix = dict(CATEGORY_MIX)
    if phase == "peak":
        mix["electronics"] *= 1.6
        mix["other"] *= 1.5
    elif phase == "holiday":
        mix["electronics"] *= 1.25
        mix["beauty"] *= 1.2
        mix["other"] *= 2.5
    return mix


def price_for(rng: random.Random, product: Body, phase: str) -> tuple[int, bool]:
    """Selling price in cents and the line's final-sale flag (promotions, clearance, archive sale)."""
    list_price = int(product["list_price"])
    tags = product["tags"]
    if "gift_card" in tags:
        return list_price, True
    final_sale = "final_sale" in tags or "personalised" in tags
    electronics = product["category"] == "electronics"
    clearance = {"january": 0.09, "peak": 0.03}.get(phase, 0.05) * (0.4 if electronics else 1.0)
    promo = {"peak": 0.65, "holiday": 0.40}.get(phase, 0.22)
    if "final_sale" in tags:
        pct = rng.choice((40, 50, 60))  # the archive sale is why these are final sale at all
    else:
        draw = rng.random()
        if draw < clearance:
            pct = rng.choice((50, 55, 60, 65, 70))
            final_sale = final_sale or rng.random() < 0.35  # deep clearance is often "final sale"
        elif draw < clearance + promo:
            steps = (10, 15, 20) if electronics else (10, 15, 20, 25, 30)
            pct = rng.choice(tuple(s + 10 for s in steps) if phase == "peak" else steps)
        else:
            pct = 0
    return (list_price * (100 - pct) + 50) // 100, final_sale
