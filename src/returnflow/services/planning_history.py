"""Inputs of network design: historical return origins per year, today's nodes, transport cost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from returnflow.domain.errors import DomainError, ValidationFailed
from returnflow.domain.geography import Coordinates

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import UnitOfWork
    from returnflow.adapters.optimization.network_design import Origin, Site

HISTORY_LIMIT = 5_000_000
# Returns that never travelled (or never will) do not shape the network.
NOT_SHIPPED = frozenset({"rejected", "cancelled", "requested", "pending_review", "expired"})
DAYS_PER_YEAR = 365
# Without a rate card, transport is costed per km (minor units): stated as the cost basis.
PER_KM_FALLBACK = 1


@dataclass(frozen=True)
class History:
    """Return origins grouped by 3-digit ZIP area, with volumes scaled to one year."""

    origins: list[Origin]
    returns: int
    unlocated: int
    days: int
    currency: str

    @property
    def factor(self) -> float:
        """Multiplier from the history's span to a year."""
        return DAYS_PER_YEAR / self.days


def annual_origins(uow: UnitOfWork) -> History:
    """The tenant's returns that travelled, by origin area, annualised; unknown codes are counted."""
    from returnflow.adapters.geo import locate
    from returnflow.adapters.optimization.network_design import Origin

    rows = [
        r
        for r in uow.returns.search(limit=HISTORY_LIMIT)
        if r.status not in NOT_SHIPPED and r.method != "keep_it"
    ]
    if not rows:
        raise ValidationFailed(
            "the tenant has no shipped returns to design a network from", code="no_history"
        )
    customers = uow.catalog.customers(sorted({r.customer_email for r in rows}))
    areas: dict[str, list[float]] = {}  # area -> [sum lat, sum lon, count]
    unlocated = 0
    currencies: dict[str, int] = {}
    for r in rows:
        currencies[r.currency] = currencies.get(r.currency, 0) + 1
        c = customers.get(r.customer_email)
        try:
            if c is None:
                raise ValidationFailed("customer not found", code="not_found")
            p = locate(c.postal_code, c.country)
        except DomainError:
            unlocated += 1
            continue
        key = f"{c.country}-{c.postal_code[:3]}"
        acc = areas.setdefault(key, [0.0, 0.0, 0.0])
        acc[0] += p.lat
        acc[1] += p.lon
        acc[2] += 1
    first = min(r.created_at for r in rows)
    last = max(r.created_at for r in rows)
    days = max(1, (last - first).days + 1)
    factor = DAYS_PER_YEAR / days
    origins = [
        Origin(key, Coordinates(a[0] / a[2], a[1] / a[2]), max(1, round(a[2] * factor)))
        for key, a in sorted(areas.items())
    ]
    if not origins:
        raise ValidationFailed("no return origin could be located", code="no_history")
    currency = max(currencies, key=lambda k: currencies[k])
    return History(origins, len(rows) - unlocated, unlocated, days, currency)


def existing_sites(uow: UnitOfWork) -> list[Site]:
    """Today's receiving nodes (not drop-off points) with yearly capacity; unlocatable ones are left out."""
    from returnflow.adapters.optimization.network_design import Site
    from returnflow.services.network import node_point

    sites: list[Site] = []
    for row in uow.catalog.nodes():
        if row.kind == "drop_off":
            continue
        try:
            point = node_point(row)
        except DomainError:
            continue
        cap = None if row.daily_capacity is None else row.daily_capacity * DAYS_PER_YEAR
        sites.append(Site(row.code, point, 0, cap))
    return sites


def transport_cost(uow: UnitOfWork, currency: str, parcel_grams: int) -> tuple[Callable[[float], int], str]:
    """Cost of carrying one typical parcel a distance: the cheapest ground rate, else per km."""
    from returnflow.domain.rates import RateMissing
    from returnflow.services.network import carrier_services

    services, rates, source = carrier_services(uow, currency)
    cards = [rates[s.code] for s in services if s.mode == "ground" and s.code in rates]
    if not cards:
        return (
            lambda km: round(km * PER_KM_FALLBACK)
        ), f"{PER_KM_FALLBACK} minor unit per km (no ground rate card)"

    def cost(km: float) -> int:
        prices = []
        for card in cards:
            try:
                prices.append(card.quote(km, parcel_grams).price)
            except RateMissing:
                continue
        if not prices:
            raise ValidationFailed(
                f"no ground rate covers {km:.0f} km for a {parcel_grams} g parcel", code="rate_missing"
            )
        return min(prices)

    return cost, f"cheapest {source} ground rate for a {parcel_grams} g parcel"
