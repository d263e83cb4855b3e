"""Rate cards: distance bands → zones, weight breaks → price in minor units, zones → transit days."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from returnflow.domain.errors import FieldProblem, ValidationFailed


class RateMissing(ValidationFailed):
    """The rate card has no price for this distance or weight; the message names what is missing."""


@dataclass(frozen=True, slots=True)
class RateRow:
    """One cell of a rate card: zone (up to `max_km`), weight break (up to `max_grams`), price."""

    zone: str
    max_km: float
    max_grams: int
    price: int
    transit_days: int


@dataclass(frozen=True, slots=True)
class Quote:
    """What one parcel costs on one service over one distance."""

    zone: str
    price: int
    transit_days: int


@dataclass(frozen=True)
class RateCard:
    """A service's prices: zones by distance band (km) × weight breaks (grams)."""

    service: str
    currency: str
    zone_codes: tuple[str, ...]
    zone_max_km: tuple[float, ...]
    zone_transit_days: tuple[int, ...]
    weight_breaks: tuple[int, ...]
    # prices[zone index][weight break index]; None where the card has no cell.
    prices: tuple[tuple[int | None, ...], ...]

    def quote(self, km: float, grams: int) -> Quote:
        """The zone, price and transit days for a parcel, or RateMissing naming the gap."""
        zi = bisect_left(self.zone_max_km, km)
        if zi == len(self.zone_max_km):
            raise RateMissing(
                f"service {self.service} has no zone for {km:,.0f} km "
                f"(its zones reach {self.zone_max_km[-1]:,.0f} km)",
                code="rate_missing",
            )
        wi = bisect_left(self.weight_breaks, grams)
        zone = self.zone_codes[zi]
        if wi == len(self.weight_breaks):
            raise RateMissing(
                f"service {self.service} has no weight break for {grams:,} g in zone {zone} "
                f"(its heaviest is {self.weight_breaks[-1]:,} g)",
                code="rate_missing",
            )
        price = self.prices[zi][wi]
        if price is None:
            raise RateMissing(
                f"service {self.service} has no rate for zone {zone} up to {self.weight_breaks[wi]:,} g",
                code="rate_missing",
            )
        return Quote(zone, price, self.zone_transit_days[zi])

    def rows(self) -> list[RateRow]:
        """The card back as rows (for storage and display)."""
        out = []
        for zi, zone in enumerate(self.zone_codes):
            for wi, grams in enumerate(self.weight_breaks):
                price = self.prices[zi][wi]
                if price is not None:
                    out.append(RateRow(zone, self.zone_max_km[zi], grams, price, self.zone_transit_days[zi]))
        return out


def build_rate_card(
    service: str, currency: str, rows: Sequence[RateRow], labels: Sequence[str] | None = None
) -> RateCard:
    """Assemble and check a card; every inconsistent row is reported (by its label), none applied."""
    names = list(labels) if labels is not None else [f"rows[{i}]" for i in range(len(rows))]
    problems: list[FieldProblem] = []
    zones: dict[str, tuple[float, int]] = {}
    cells: dict[tuple[str, int], int] = {}
    for label, row in zip(names, rows, strict=True):
        if row.max_km <= 0 or row.max_grams <= 0:
            problems.append(FieldProblem(label, "invalid_band", "max_km and max_grams must be positive"))
            continue
        if row.price < 0 or row.transit_days < 0:
            problems.append(FieldProblem(label, "invalid_rate", "price and transit_days cannot be negative"))
            continue
        known = zones.setdefault(row.zone, (row.max_km, row.transit_days))
        if known != (row.max_km, row.transit_days):
            problems.append(
                FieldProblem(
                    label,
                    "inconsistent_zone",
                    f"zone {row.zone} was given max_km {known[0]:g} and transit_days {known[1]} before",
                )
            )
        if (row.zone, row.max_grams) in cells:
            problems.append(
                FieldProblem(label, "duplicate_rate", f"zone {row.zone} up to {row.max_grams} g given twice")
            )
        cells[(row.zone, row.max_grams)] = row.price
    ordered = sorted(zones.items(), key=lambda z: z[1][0])
    if len({km for _, (km, _) in ordered}) != len(ordered):
        problems.append(FieldProblem("zones", "overlapping_zones", "two zones end at the same distance"))
    if not rows:
        problems.append(FieldProblem("rows", "empty_rate_card", f"rate card for {service} has no rates"))
    if problems:
        raise ValidationFailed(
            f"rate card for {service}: {len(problems)} problem(s); nothing was saved",
            code="invalid_rate_card",
            problems=problems,
        )
    breaks = tuple(sorted({g for _, g in cells}))
    return RateCard(
        service=service,
        currency=currency,
        zone_codes=tuple(code for code, _ in ordered),
        zone_max_km=tuple(km for _, (km, _) in ordered),
        zone_transit_days=tuple(days for _, (_, days) in ordered),
        weight_breaks=breaks,
        prices=tuple(tuple(cells.get((code, g)) for g in breaks) for code, _ in ordered),
    )
