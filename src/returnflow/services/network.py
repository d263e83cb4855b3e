"""The tenant's reverse network as routing sees it: destinations, carrier services, rate cards, SLA."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from returnflow.adapters.geo import PostalCodeUnknown, locate
from returnflow.adapters.rate_cards import default_network
from returnflow.domain.rates import RateCard, RateRow, build_rate_card
from returnflow.domain.routing import Destination, Exclusion, Service

if TYPE_CHECKING:
    from returnflow.adapters.db.tables import NodeRow
    from returnflow.adapters.db.tables_routing import CarrierServiceRow
    from returnflow.adapters.db.uow import UnitOfWork


@dataclass(frozen=True)
class Network:
    """Everything one routing decision reads, loaded once per unit of work."""

    destinations: tuple[Destination, ...]
    services: tuple[Service, ...]
    rates: dict[str, RateCard]
    # "tenant" when the tenant has loaded carrier services, "default" for the shipped network.
    rate_source: str
    sla_days: int | None
    unlocated: tuple[Exclusion, ...] = ()


def to_service(row: CarrierServiceRow) -> Service:
    """The domain's view of a stored carrier service."""
    return Service(
        code=row.code,
        carrier=row.carrier_code,
        name=row.name,
        mode=row.mode,
        pickup=row.pickup,
        pickup_fee=row.pickup_fee,
        max_weight_grams=row.max_weight_grams,
        accepts_hazmat=row.accepts_hazmat,
    )


def rate_card_of(row: CarrierServiceRow) -> RateCard | None:
    """The service's stored rate card, or None before one is uploaded."""
    if not row.rate_card or row.currency is None:
        return None
    rows = [RateRow(**r) for r in row.rate_card]
    return build_rate_card(row.code, row.currency, rows)


def rate_rows_json(card: RateCard) -> list[dict[str, Any]]:
    """A rate card as stored (JSON rows)."""
    return [
        {
            "zone": r.zone,
            "max_km": r.max_km,
            "max_grams": r.max_grams,
            "price": r.price,
            "transit_days": r.transit_days,
        }
        for r in card.rows()
    ]


def carrier_services(uow: UnitOfWork, currency: str) -> tuple[tuple[Service, ...], dict[str, RateCard], str]:
    """The tenant's active services and rate cards in `currency`, or the default network's."""
    rows = uow.routing.services(active_only=True)
    if not rows:
        net = default_network()
        if net.currency != currency:
            return (), {}, "default"
        return net.services, net.rates, "default"
    services, rates = [], {}
    for row in rows:
        services.append(to_service(row))
        card = rate_card_of(row)
        if card is not None and card.currency == currency:
            rates[row.code] = card
    return tuple(services), rates, "tenant"


def node_point(row: NodeRow) -> Any:
    """Where a node is: its explicit coordinates, else its postal-code centroid (may raise)."""
    return locate(row.postal_code, row.country, row.latitude, row.longitude)


def _destination(row: NodeRow) -> Destination:
    """A node as routing sees it, with its whole daily capacity still free."""
    return Destination(
        code=row.code,
        kind=row.kind,
        capabilities=frozenset(row.capabilities or ()),
        location=node_point(row),
        handling_cost=row.handling_cost or 0,
        remaining_capacity=row.daily_capacity,
        recovery_overrides={str(k): int(v) for k, v in (row.recovery_percent or {}).items()} or None,
    )


def _located(uow: UnitOfWork) -> tuple[tuple[Destination, ...], tuple[Exclusion, ...]]:
    """Every node located; nodes that cannot be located are set aside."""
    out: list[Destination] = []
    unlocated: list[Exclusion] = []
    for row in uow.catalog.nodes():
        try:
            out.append(_destination(row))
        except PostalCodeUnknown as err:
            unlocated.append(Exclusion(row.code, None, err.code, f"node {row.code}: {err.message}"))
    return tuple(out), tuple(unlocated)


def _with_capacity_used(nodes: tuple[Destination, ...], used: dict[str, int]) -> list[Destination]:
    return [
        n
        if n.remaining_capacity is None
        else replace(n, remaining_capacity=n.remaining_capacity - used.get(n.code, 0))
        for n in nodes
    ]


def destinations(uow: UnitOfWork, now: datetime) -> tuple[list[Destination], list[Exclusion]]:
    """Every node with today's remaining capacity; nodes that cannot be located are set aside."""
    nodes, unlocated = _located(uow)
    return _with_capacity_used(nodes, uow.routing.routed_since(_midnight(now))), list(unlocated)


def _midnight(now: datetime) -> datetime:
    return datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)


def _load_static(uow: UnitOfWork, currency: str) -> Network:
    """The network without today's capacity use: what changes only when the network is edited."""
    services, rates, source = carrier_services(uow, currency)
    nodes, unlocated = _located(uow)
    settings = uow.routing.settings()
    return Network(
        destinations=nodes,
        services=services,
        rates=rates,
        rate_source=source,
        sla_days=settings.max_transit_days if settings is not None else None,
        unlocated=unlocated,
    )


class _NetworkCache:
    """Static networks per (tenant, currency), reused while the tenant's network fingerprint holds.

    Routing runs on every return request; reading nodes, services, rate cards and settings each time
    cost four queries and the rate-card build. The fingerprint (one query) covers edits from any
    process; a unit of work reuses what it read first unless this process wrote to the network since.
    """

    MAX_ENTRIES = 2_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[tuple[Any, ...], Network]] = {}

    def get(self, uow: UnitOfWork, currency: str) -> Network:
        memo: dict[tuple[str, str], tuple[int, Network]] = uow.session.info.setdefault("network", {})
        key = (uow.tenant_id, currency)
        seen = memo.get(key)
        if seen is not None and seen[0] == uow.routing.network_generation():
            return seen[1]
        fingerprint = uow.routing.network_fingerprint()
        cached = self._entries.get(key)
        if cached is not None and cached[0] == fingerprint:
            net = cached[1]
        else:
            net = _load_static(uow, currency)
            with self._lock:
                if len(self._entries) >= self.MAX_ENTRIES:
                    self._entries.clear()
                self._entries[key] = (fingerprint, net)
        memo[key] = (fingerprint[0], net)
        return net


_cache = _NetworkCache()


def load_network(uow: UnitOfWork, currency: str, now: datetime) -> Network:
    """The network for routing a return in `currency` today (capacity used so far is always live)."""
    static = _cache.get(uow, currency)
    if not any(n.remaining_capacity is not None for n in static.destinations):
        return static
    used = uow.routing.routed_since(_midnight(now))
    return replace(static, destinations=tuple(_with_capacity_used(static.destinations, used)))
