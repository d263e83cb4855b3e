"""Route a return: value every (node, service) option, keep the compliant ones, pick the cheapest.

Expected total cost of an option = shipping (rate card) + handling (node, per unit) − recovery (what
that node can get back for these items). Options are filtered by node capability and capacity,
hazmat compliance (mode and node), the service's weight limit, rate-card coverage and the SLA.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from returnflow.domain import hazmat
from returnflow.domain.errors import FieldProblem, ValidationFailed
from returnflow.domain.geography import Coordinates, great_circle_km
from returnflow.domain.rates import RateCard, RateMissing
from returnflow.domain.recovery import recovery_percent

MODES = ("ground", "air")
RUNNERS_UP = 3


@dataclass(frozen=True, slots=True)
class Violation:
    """A hazmat rule a (mode, node) choice breaks."""

    code: str
    message: str


def hazmat_violations(hazmat_class: str, mode: str, capabilities: frozenset[str]) -> list[Violation]:
    """What the hazmat decision table forbids for this class on this mode at this node."""
    return [Violation(v.code, v.message) for v in hazmat.violations(hazmat_class, mode, capabilities)]


class NoRoute(ValidationFailed):
    """No node and service can take this return; the problems say why each was ruled out."""


@dataclass(frozen=True, slots=True)
class ParcelItem:
    """One returned product line inside the parcel."""

    sku: str
    category: str
    unit_cost: int
    quantity: int
    hazmat_class: str | None = None


@dataclass(frozen=True)
class Parcel:
    """What travels: its items, weight, where it starts and what the destination must be able to do."""

    items: tuple[ParcelItem, ...]
    weight_grams: int
    origin: Coordinates
    required_capabilities: frozenset[str] = frozenset()

    @property
    def units(self) -> int:
        """Units in the parcel (handling is charged per unit)."""
        return sum(i.quantity for i in self.items)

    @property
    def hazmat_classes(self) -> tuple[str, ...]:
        """The distinct hazmat classes aboard, sorted."""
        return tuple(sorted({i.hazmat_class for i in self.items if i.hazmat_class}))


@dataclass(frozen=True)
class Destination:
    """A node as routing sees it; `remaining_capacity` (returns it can still take today) None = unlimited."""

    code: str
    kind: str
    capabilities: frozenset[str]
    location: Coordinates
    handling_cost: int = 0
    remaining_capacity: int | None = None
    recovery_overrides: Mapping[str, int] | None = None


@dataclass(frozen=True)
class Service:
    """A carrier service: its mode, whether it picks up, its weight limit and hazmat acceptance."""

    code: str
    carrier: str
    name: str
    mode: str = "ground"
    pickup: bool = False
    pickup_fee: int = 0
    max_weight_grams: int | None = None
    accepts_hazmat: bool = True


@dataclass(frozen=True, slots=True)
class Option:
    """One valued (node, service) choice, money in minor units."""

    node: str
    service: str
    carrier: str
    mode: str
    distance_km: float
    zone: str
    transit_days: int
    shipping: int
    handling: int
    recovery: int

    @property
    def total(self) -> int:
        """Expected total cost: shipping + handling − recovery (negative means it pays to return)."""
        return self.shipping + self.handling - self.recovery

    @property
    def return_cost(self) -> int:
        """What bringing the item back costs before anything is recovered."""
        return self.shipping + self.handling

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for the routing explanation."""
        return {
            "node_code": self.node,
            "service": self.service,
            "carrier": self.carrier,
            "mode": self.mode,
            "distance_km": round(self.distance_km, 1),
            "zone": self.zone,
            "transit_days": self.transit_days,
            "shipping": self.shipping,
            "handling": self.handling,
            "recovery": self.recovery,
            "total": self.total,
        }


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Why a node (or one of its services) was ruled out."""

    node: str
    service: str | None
    code: str
    message: str


@dataclass(frozen=True)
class RoutingDecision:
    """The chosen option, the runners-up with their costs, and what was ruled out."""

    chosen: Option
    runners_up: tuple[Option, ...]
    excluded: tuple[Exclusion, ...] = field(default_factory=tuple)
    considered: int = 0

    def explanation(self) -> dict[str, Any]:
        """The decision as stored on the return and shown to people."""
        counts: dict[str, int] = {}
        for e in self.excluded:
            counts[e.code] = counts.get(e.code, 0) + 1
        return {
            "chosen": self.chosen.as_dict(),
            "runners_up": [o.as_dict() for o in self.runners_up],
            "considered": self.considered,
            "excluded": counts,
            "excluded_examples": [
                {"node_code": e.node, "service": e.service, "code": e.code, "message": e.message}
                for e in _one_per_code(self.excluded)
            ],
        }


def _one_per_code(excluded: Iterable[Exclusion]) -> list[Exclusion]:
    seen: dict[str, Exclusion] = {}
    for e in excluded:
        seen.setdefault(e.code, e)
    return list(seen.values())


def _node_recovery(node: Destination, items: Sequence[ParcelItem]) -> int:
    # Integer maths on minor units: percent of unit cost, rounded down per line.
    return sum(
        i.unit_cost * i.quantity * recovery_percent(node.kind, i.category, node.recovery_overrides) // 100
        for i in items
    )


def evaluate(
    parcel: Parcel,
    nodes: Sequence[Destination],
    services: Sequence[Service],
    rates: Mapping[str, RateCard],
    *,
    sla_days: int | None = None,
    respect_capacity: bool = True,
) -> tuple[list[Option], list[Exclusion]]:
    """Every compliant option (unsorted) and every exclusion with its reason."""
    options: list[Option] = []
    excluded: list[Exclusion] = []
    classes = parcel.hazmat_classes
    units = parcel.units
    usable: list[Service] = []
    for s in services:
        if s.max_weight_grams is not None and parcel.weight_grams > s.max_weight_grams:
            excluded.append(
                Exclusion("*", s.code, "too_heavy", f"{s.code} carries up to {s.max_weight_grams:,} g")
            )
        elif classes and not s.accepts_hazmat:
            excluded.append(
                Exclusion("*", s.code, "hazmat_service", f"{s.code} does not accept dangerous goods")
            )
        elif s.code not in rates:
            excluded.append(Exclusion("*", s.code, "rate_missing", f"service {s.code} has no rate card"))
        else:
            usable.append(s)
    # Compliance depends only on (mode, node capabilities): decide each combination once.
    verdicts: dict[tuple[str, frozenset[str]], list[Violation]] = {}
    for node in nodes:
        if node.kind == "drop_off":
            excluded.append(Exclusion(node.code, None, "not_a_destination", "drop-off points only collect"))
            continue
        missing = parcel.required_capabilities - node.capabilities
        if missing:
            excluded.append(
                Exclusion(
                    node.code, None, "missing_capability", f"{node.code} cannot {', '.join(sorted(missing))}"
                )
            )
            continue
        if respect_capacity and node.remaining_capacity is not None and node.remaining_capacity <= 0:
            excluded.append(Exclusion(node.code, None, "no_capacity", f"{node.code} is full today"))
            continue
        km = great_circle_km(parcel.origin, node.location)
        handling = node.handling_cost * units
        recovery = _node_recovery(node, parcel.items)
        for s in usable:
            if classes:
                key = (s.mode, node.capabilities)
                found = verdicts.get(key)
                if found is None:
                    found = [v for c in classes for v in hazmat_violations(c, s.mode, node.capabilities)]
                    verdicts[key] = found
                if found:
                    v = found[0]
                    excluded.append(Exclusion(node.code, s.code, v.code, v.message))
                    continue
            try:
                quote = rates[s.code].quote(km, parcel.weight_grams)
            except RateMissing as err:
                excluded.append(Exclusion(node.code, s.code, "rate_missing", err.message))
                continue
            if sla_days is not None and quote.transit_days > sla_days:
                excluded.append(
                    Exclusion(
                        node.code,
                        s.code,
                        "sla",
                        f"{s.code} to {node.code} takes {quote.transit_days} days (SLA {sla_days})",
                    )
                )
                continue
            options.append(
                Option(
                    node.code,
                    s.code,
                    s.carrier,
                    s.mode,
                    km,
                    quote.zone,
                    quote.transit_days,
                    quote.price,
                    handling,
                    recovery,
                )
            )
    return options, excluded


def _rank(o: Option) -> tuple[int, int, str, str]:
    return (o.total, o.transit_days, o.node, o.service)


def option_costs(
    parcel: Parcel,
    nodes: Sequence[Destination],
    services: Sequence[Service],
    rates: Mapping[str, RateCard],
    *,
    sla_days: int | None = None,
) -> list[Option]:
    """Compliant options ignoring capacity (for batch routing's cost matrix), cheapest first."""
    options, _ = evaluate(parcel, nodes, services, rates, sla_days=sla_days, respect_capacity=False)
    options.sort(key=_rank)
    return options


def cheapest_per_node(options: Iterable[Option]) -> dict[str, Option]:
    """The cheapest option of each node (one arc per node in a cost matrix)."""
    best: dict[str, Option] = {}
    for o in options:
        current = best.get(o.node)
        if current is None or _rank(o) < _rank(current):
            best[o.node] = o
    return best


def route(
    parcel: Parcel,
    nodes: Sequence[Destination],
    services: Sequence[Service],
    rates: Mapping[str, RateCard],
    *,
    sla_days: int | None = None,
    runners_up: int = RUNNERS_UP,
) -> RoutingDecision:
    """The lowest expected total cost option and its runners-up, or NoRoute explaining why none."""
    options, excluded = evaluate(parcel, nodes, services, rates, sla_days=sla_days)
    if not options:
        raise no_route(excluded, nodes, services)
    options.sort(key=_rank)
    return RoutingDecision(
        chosen=options[0],
        runners_up=tuple(options[1 : 1 + runners_up]),
        excluded=tuple(excluded),
        considered=len(options) + len(excluded),
    )


def no_route(
    excluded: Sequence[Exclusion], nodes: Sequence[Destination], services: Sequence[Service]
) -> NoRoute:
    """The error for a return nothing can take, naming the reasons (one example per reason)."""
    if not nodes:
        return NoRoute("no node can receive returns: load the network first", code="no_nodes")
    if not services:
        return NoRoute("no carrier service is available", code="no_services")
    problems = [
        FieldProblem(f"{e.node}/{e.service}" if e.service else e.node, e.code, e.message)
        for e in _one_per_code(excluded)
    ]
    codes = sorted({e.code for e in excluded})
    code = "rate_missing" if codes == ["rate_missing"] else "no_route"
    return NoRoute(
        f"no node and service can take this return ({', '.join(codes)})", code=code, problems=problems
    )
