"""Route returns: choose node and carrier service when a return is approved, explain it, resolve keep-its."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from returnflow.adapters.geo import locate
from returnflow.domain.errors import Conflict, DomainError, NotFound
from returnflow.domain.geography import Coordinates
from returnflow.domain.policy import ReturnRequest
from returnflow.domain.returns import ReturnStatus, transition
from returnflow.domain.routing import Parcel, ParcelItem, RoutingDecision, route
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.network import Network, load_network
from returnflow.services.recording import record
from returnflow.services.return_views import return_view

if TYPE_CHECKING:
    from returnflow.adapters.db.records import ProductRecord
    from returnflow.adapters.db.tables import ReturnRow
    from returnflow.adapters.db.uow import Database, UnitOfWork


def parcel_of(
    items: Iterable[tuple[str, int]],
    products: Mapping[str, ProductRecord],
    origin: Coordinates,
    required_checks: Iterable[str] = (),
) -> Parcel:
    """The parcel for (sku, quantity) pairs: weight, categories, unit costs and hazmat classes."""
    lines = [
        ParcelItem(sku, products[sku].category, products[sku].unit_cost, qty, products[sku].hazmat_class)
        for sku, qty in items
    ]
    weight = sum(products[i.sku].weight_grams * i.quantity for i in lines)
    # Items the policy wants checked need a node that can inspect them.
    needs = frozenset({"inspect"}) if any(True for _ in required_checks) else frozenset()
    return Parcel(tuple(lines), max(weight, 1), origin, needs)


def decide(parcel: Parcel, net: Network) -> RoutingDecision:
    """The routing decision for a parcel over a loaded network (NoRoute when nothing fits)."""
    decision = route(parcel, net.destinations, net.services, net.rates, sla_days=net.sla_days)
    if net.unlocated:
        return RoutingDecision(
            decision.chosen,
            decision.runners_up,
            decision.excluded + net.unlocated,
            decision.considered + len(net.unlocated),
        )
    return decision


def quote_return_cost(uow: UnitOfWork, request: ReturnRequest) -> int | None:
    """What bringing these items back would cost (shipping + handling), or None when not routable."""
    try:
        net = load_network(uow, request.order.currency, request.requested_at)
        if not net.destinations:
            return None
        customer = request.order.customer
        origin = locate(customer.postal_code, customer.country)
        items = [
            ParcelItem(
                r.product.sku, r.product.category, r.product.unit_cost, r.quantity, r.product.hazmat_class
            )
            for r in request.lines
        ]
        weight = sum(r.product.weight_grams * r.quantity for r in request.lines)
        chosen = decide(Parcel(tuple(items), max(weight, 1), origin), net).chosen
    except DomainError:
        return None  # the policy's own estimate applies; routing reports the gap at approval
    return chosen.return_cost


def parcel_for_row(uow: UnitOfWork, row: ReturnRow) -> Parcel:
    """The parcel a stored return makes: its lines, products and the customer's location."""
    lines = uow.returns.lines(row.id)
    products = uow.catalog.products([line.sku for line in lines])
    customer = uow.catalog.customer(row.customer_email)
    if customer is None:  # pragma: no cover - returns always have their customer
        raise NotFound("customer not found", code="not_found")
    origin = locate(customer.postal_code, customer.country)
    checks = (row.decision or {}).get("required_checks") or []
    return parcel_of([(line.sku, line.quantity) for line in lines], products, origin, checks)


def route_row(
    uow: UnitOfWork, actor: Actor, row: ReturnRow, now: datetime, *, strict: bool = False
) -> RoutingDecision | None:
    """Route a stored return and record it; a missing input is stored and audited, never guessed.

    With `strict`, a routing failure is raised to the caller instead (and nothing is stored).
    """
    net = load_network(uow, row.currency, now)
    if not net.destinations and not net.unlocated and not strict:
        return None  # no network loaded yet: nothing to decide
    try:
        decision = decide(parcel_for_row(uow, row), net)
    except DomainError as err:
        if strict:
            raise
        problems = [{"field": p.field, "code": p.code, "message": p.message} for p in err.problems]
        row.routing = {"error": {"code": err.code, "message": err.message, "problems": problems}}
        row.updated_at = now
        record(
            uow,
            actor,
            now,
            "return.routing_failed",
            "return",
            row.id,
            {"code": err.code, "message": err.message},
            topic="return.routing_failed",
        )
        return None
    chosen = decision.chosen
    row.destination_node = chosen.node
    row.carrier_service = chosen.service
    row.routing_cost = chosen.total
    row.routed_at = now
    row.updated_at = now
    row.routing = {
        **decision.explanation(),
        "currency": row.currency,
        "rate_source": net.rate_source,
        "sla_days": net.sla_days,
        "routed_at": now.isoformat(),
    }
    record(
        uow,
        actor,
        now,
        "return.routed",
        "return",
        row.id,
        {
            "node_code": chosen.node,
            "service": chosen.service,
            "total": chosen.total,
            "runners_up": [
                {"node_code": o.node, "service": o.service, "total": o.total} for o in decision.runners_up
            ],
        },
        topic="return.routed",
    )
    return decision


def resolve_keep_it(uow: UnitOfWork, actor: Actor, row: ReturnRow, now: datetime) -> None:
    """A keep-it return is resolved without shipping: completed, with the economics that justified it."""
    quote = None
    try:
        net = load_network(uow, row.currency, now)
        if net.destinations:
            quote = decide(parcel_for_row(uow, row), net).chosen
    except DomainError:
        quote = None
    economics: dict[str, Any] = {"keep_it": True, "currency": row.currency}
    if quote is not None:
        economics.update(
            source="routing", return_cost=quote.return_cost, recovery=quote.recovery, node_code=quote.node
        )
    else:
        economics["source"] = "policy_estimate"
    previous = row.status
    row.status = transition(row.status, ReturnStatus.COMPLETED).value
    for line in uow.returns.lines(row.id):
        line.status = row.status
    row.routing = economics
    row.routed_at = now
    row.updated_at = now
    record(
        uow,
        actor,
        now,
        "return.completed",
        "return",
        row.id,
        {"from": previous, "to": row.status, "note": "kept by the customer (returnless refund)", **economics},
        topic="return.kept",
    )


def on_approved(uow: UnitOfWork, actor: Actor, row: ReturnRow, now: datetime) -> None:
    """Hook for an approved return: resolve a keep-it, otherwise route it."""
    if row.method == "keep_it" and (row.decision or {}).get("keep_it"):
        resolve_keep_it(uow, actor, row, now)
    elif row.status == ReturnStatus.APPROVED.value:
        route_row(uow, actor, row, now)


def reroute(db: Database, clock: Clock, actor: Actor, return_id: str) -> dict[str, Any]:
    """POST /returns/{id}/route: route an approved return again (e.g. after loading the network)."""
    actor.require("returns.decide")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        row = uow.returns.get(return_id, for_update=True)
        if row is None or not actor.sees_customer(row.customer_email):
            raise NotFound(f"return {return_id} not found", code="not_found")
        if row.status != ReturnStatus.APPROVED.value or row.tracking_number:
            raise Conflict(
                f"return {row.number} is {row.status}{' with a label' if row.tracking_number else ''}; "
                "only approved returns without a label are routed",
                code="not_routable",
            )
        route_row(uow, actor, row, now, strict=True)
        view = return_view(row, uow.returns.lines(row.id))
        uow.commit()
    return view
