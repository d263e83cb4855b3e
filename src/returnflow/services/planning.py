"""Planning: route a day's open returns under node capacities (min-cost flow); design the network."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from returnflow.domain.errors import DomainError, FieldProblem, ValidationFailed
from returnflow.domain.returns import ReturnStatus
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.tables import ReturnRow
    from returnflow.adapters.db.uow import Database, UnitOfWork
    from returnflow.adapters.optimization.network_design import Design, Site
    from returnflow.domain.routing import Option

# Far more than a day's returns for one tenant; the repository has no unbounded list.
BATCH_LIMIT = 1_000_000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class NodeLoad:
    """How many returns a node gets from the batch, and the capacity it had for them."""

    code: str
    returns: int
    capacity: int | None
    greedy_returns: int


@dataclass(frozen=True)
class DayPlan:
    """The outcome of routing one day's open returns together."""

    day: date
    currency: str | None
    returns: int
    total_cost: int
    greedy_cost: int
    greedy_unplaced: int
    moved: int
    nodes: tuple[NodeLoad, ...] = field(default_factory=tuple)

    @property
    def saving(self) -> int:
        """What the optimum saves over the greedy per-return choice."""
        return self.greedy_cost - self.total_cost


def _open_returns(uow: UnitOfWork, day: date) -> list[ReturnRow]:
    """Approved returns without a label, requested by the end of `day`, oldest first."""
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
    rows = uow.returns.search(status=ReturnStatus.APPROVED.value, limit=BATCH_LIMIT)
    return sorted((r for r in rows if r.tracking_number is None and r.created_at < end), key=lambda r: r.id)


def _capacities(
    uow: UnitOfWork, codes: Sequence[str], day: date, batch: Sequence[ReturnRow]
) -> list[int | None]:
    """Each node's daily capacity less what returns outside this batch already took that day."""
    midnight = datetime.combine(day, time(0), tzinfo=UTC)
    used = dict(uow.routing.routed_since(midnight))
    for r in batch:  # this batch is re-planned: its earlier assignments free their places
        if r.destination_node and r.routed_at is not None and r.routed_at >= midnight:
            used[r.destination_node] = used.get(r.destination_node, 0) - 1
    out: list[int | None] = []
    for code in codes:
        node = uow.catalog.node(code)
        cap = None if node is None or node.daily_capacity is None else node.daily_capacity
        out.append(None if cap is None else max(0, cap - max(0, used.get(code, 0))))
    return out


def _cost_rows(
    uow: UnitOfWork, rows: Sequence[ReturnRow], now: datetime, progress: Progress | None
) -> tuple[list[str], dict[str, tuple[int | None, ...]], dict[str, dict[str, Option]]]:
    """Per return, the cheapest compliant option at each node (the routing domain's costs)."""
    from returnflow.adapters.geo import locate
    from returnflow.domain.routing import cheapest_per_node, option_costs
    from returnflow.services.network import load_network
    from returnflow.services.routing import parcel_of

    currency = rows[0].currency
    net = load_network(uow, currency, now)
    codes = [d.code for d in net.destinations if d.kind != "drop_off"]
    lines = uow.returns.lines_of([r.id for r in rows])
    products = uow.catalog.products(sorted({ln.sku for ls in lines.values() for ln in ls}))
    customers = uow.catalog.customers(sorted({r.customer_email for r in rows}))
    cache: dict[tuple[Any, ...], tuple[tuple[int | None, ...], dict[str, Option]]] = {}
    costs: dict[str, tuple[int | None, ...]] = {}
    options: dict[str, dict[str, Option]] = {}
    problems: list[FieldProblem] = []
    for n, r in enumerate(rows, start=1):
        cust = customers.get(r.customer_email)
        items = tuple((ln.sku, ln.quantity) for ln in lines[r.id])
        checks = bool((r.decision or {}).get("required_checks"))
        key = (cust.postal_code[:5], cust.country, items, checks) if cust else None
        found = cache.get(key) if key else None
        if found is None:
            try:
                if cust is None:
                    raise ValidationFailed("customer not found", code="not_found")
                origin = locate(cust.postal_code, cust.country)
                parcel = parcel_of(items, products, origin, ["inspect"] if checks else [])
                best = cheapest_per_node(
                    option_costs(parcel, net.destinations, net.services, net.rates, sla_days=net.sla_days)
                )
            except DomainError as err:
                problems.append(FieldProblem(r.number, err.code, err.message))
                continue
            found = (tuple(best[c].total if c in best else None for c in codes), best)
            if key:
                cache[key] = found
        costs[r.id], options[r.id] = found
        if progress is not None and n % 1000 == 0:
            progress(n, len(rows))
    if problems:
        raise ValidationFailed(
            f"{len(problems)} return(s) cannot be costed: {', '.join(p.field for p in problems[:5])}",
            code="routing_input_missing",
            problems=problems,
        )
    return codes, costs, options


def _runners_up(best: dict[str, Option], chosen: str, n: int = 3) -> list[Option]:
    """The next cheapest nodes for a return (what the batch weighed the chosen node against)."""
    return sorted((o for c, o in best.items() if c != chosen), key=lambda o: (o.total, o.node))[:n]


def route_day(
    db: Database, clock: Clock, actor: Actor, day: date, *, progress: Progress | None = None
) -> DayPlan:
    """Assign the day's open returns to nodes at least total cost within daily capacities."""
    from returnflow.adapters.optimization.batch_routing import BatchReturn, assign_batch

    actor.require("returns.decide")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        rows = _open_returns(uow, day)
        if not rows:
            return DayPlan(day, None, 0, 0, 0, 0, 0)
        currencies = sorted({r.currency for r in rows})
        if len(currencies) > 1:
            raise ValidationFailed(
                f"the day's returns are in {', '.join(currencies)}; costs in different currencies "
                "cannot be compared in one batch",
                code="mixed_currencies",
            )
        codes, costs, options = _cost_rows(uow, rows, now, progress)
        capacities = _capacities(uow, codes, day, rows)
        index = {c: j for j, c in enumerate(codes)}
        batch = [BatchReturn(r.id, costs[r.id], index.get(r.destination_node or "")) for r in rows]
        result = assign_batch(batch, codes, capacities)
        moved = 0
        for r in rows:
            code = result.assignment[r.id]
            chosen = options[r.id][code]
            previous = r.destination_node
            moved += previous is not None and previous != code
            r.destination_node, r.carrier_service, r.routing_cost = code, chosen.service, chosen.total
            r.routed_at = r.updated_at = now
            r.routing = {
                "chosen": chosen.as_dict(),
                "runners_up": [o.as_dict() for o in _runners_up(options[r.id], code)],
                "currency": r.currency,
                "batch": {"day": day.isoformat(), "greedy_node": result.greedy_assignment.get(r.id)},
                "routed_at": now.isoformat(),
            }
            record(
                uow,
                actor,
                now,
                "return.routed",
                "return",
                r.id,
                {
                    "node_code": code,
                    "service": chosen.service,
                    "total": chosen.total,
                    "batch_day": day.isoformat(),
                    "previous_node": previous,
                },
                topic="return.routed",
            )
        uow.commit()
    loads = tuple(
        NodeLoad(c, result.per_node.get(c, 0), cap, result.greedy_per_node.get(c, 0))
        for c, cap in zip(codes, capacities, strict=True)
    )
    return DayPlan(
        day,
        currencies[0],
        len(rows),
        result.total_cost,
        result.greedy_cost,
        result.greedy_unplaced,
        moved,
        loads,
    )


@dataclass(frozen=True)
class NetworkReport:
    """A network design with the figures it was made from."""

    design: Design
    currency: str
    origins: int
    returns: int
    unlocated: int
    days: int
    cost_basis: str
    points: dict[str, tuple[float, float]] = field(default_factory=dict)
    origin_points: tuple[tuple[float, float, int], ...] = ()


def design_network(
    db: Database, actor: Actor, candidates: Sequence[Site], open_k: int, *, parcel_grams: int = 1000
) -> NetworkReport:
    """Open `open_k` candidate sites for the tenant's historical return origins (costs per year)."""
    from returnflow.adapters.optimization.network_design import Site as SiteOf
    from returnflow.adapters.optimization.network_design import design_network as solve
    from returnflow.services.planning_history import (
        DAYS_PER_YEAR,
        annual_origins,
        existing_sites,
        transport_cost,
    )

    actor.require("returns.decide")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        history = annual_origins(uow)
        existing = existing_sites(uow)
        cost, basis = transport_cost(uow, history.currency, parcel_grams)
    scaled = [
        SiteOf(s.code, s.point, s.fixed_cost, None if s.capacity is None else s.capacity * DAYS_PER_YEAR)
        for s in candidates
    ]
    design = solve(history.origins, existing, scaled, open_k, cost)
    points = {s.code: (s.point.lat, s.point.lon) for s in [*existing, *candidates]}
    return NetworkReport(
        design=design,
        currency=history.currency,
        origins=len(history.origins),
        returns=history.returns,
        unlocated=history.unlocated,
        days=history.days,
        cost_basis=basis,
        points=points,
        origin_points=tuple((o.point.lat, o.point.lon, o.volume) for o in history.origins),
    )
