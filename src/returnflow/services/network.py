"""The tenant's reverse network as routing sees it: destinations, carrier services, rate cards, SLA."""

from __future__ import annotations

from dataclasses import dataclass
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


def destinations(uow: UnitOfWork, now: datetime) -> tuple[list[Destination], list[Exclusion]]:
    """Every node with today's remaining capacity; nodes that cannot be located are set aside."""
    midnight = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    used = uow.routing.routed_since(midnight)
    out: list[Destination] = []
    unlocated: list[Exclusion] = []
    for row in uow.catalog.nodes():
        try:
            point = node_point(row)
        except PostalCodeUnknown as err:
            unlocated.append(Exclusion(row.code, None, err.code, f"node {row.code}: {err.message}"))
            continue
        remaining = None if row.daily_capacity is None else row.daily_capacity - used.get(row.code, 0)
        out.append(
            Destination(
                code=row.code,
                kind=row.kind,
                capabilities=frozenset(row.capabilities or ()),
                location=point,
                handling_cost=row.handling_cost or 0,
                remaining_capacity=remaining,
                recovery_overrides={str(k): int(v) for k, v in (row.recovery_percent or {}).items()} or None,
            )
        )
    return out, unlocated


def load_network(uow: UnitOfWork, currency: str, now: datetime) -> Network:
    """The network for routing a return in `currency` today."""
    services, rates, source = carrier_services(uow, currency)
    nodes, unlocated = destinations(uow, now)
    settings = uow.routing.settings()
    return Network(
        destinations=tuple(nodes),
        services=services,
        rates=rates,
        rate_source=source,
        sla_days=settings.max_transit_days if settings is not None else None,
        unlocated=tuple(unlocated),
    )
