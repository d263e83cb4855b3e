"""Orders: create (one or many, all-or-nothing), read, and map to the domain model."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from returnflow.domain.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from returnflow.domain.orders import Customer, Order, OrderLine
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.ids import new_id
from returnflow.services.inputs import OrderInput
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.records import CustomerRecord, OrderLineRecord, OrderRecord
    from returnflow.adapters.db.tables import CustomerRow, OrderRow
    from returnflow.adapters.db.uow import Database, UnitOfWork


def order_view(
    order: OrderRow, lines: Sequence[OrderLineRecord], customer: CustomerRow | None
) -> dict[str, Any]:
    """An order as the API shows it, with what is still returnable per line."""
    return {
        "number": order.number,
        "channel": order.channel,
        "currency": order.currency,
        "placed_at": order.placed_at,
        "delivered_at": order.delivered_at,
        "ship_country": order.ship_country,
        "customer": {
            "email": order.customer_email,
            "name": customer.name if customer else None,
            "postal_code": customer.postal_code if customer else None,
            "country": customer.country if customer else None,
            "tags": list(customer.tags or []) if customer else [],
        },
        "lines": [
            {
                "id": line.id,
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "list_price": line.list_price,
                "final_sale": line.final_sale,
                "serials": list(line.serials or []),
                "returned_quantity": line.returned_quantity,
                "returnable_quantity": max(line.quantity - line.returned_quantity, 0),
            }
            for line in lines
        ],
        "total": sum(line.unit_price * line.quantity for line in lines),
        "created_at": order.created_at,
    }


def to_domain_order(order: OrderRecord, lines: Sequence[OrderLineRecord], customer: CustomerRecord) -> Order:
    """The domain's view of a stored order."""
    return Order(
        number=order.number,
        channel=order.channel,
        currency=order.currency,
        placed_at=order.placed_at,
        delivered_at=order.delivered_at,
        ship_country=order.ship_country,
        customer=Customer(
            email=customer.email,
            name=customer.name,
            postal_code=customer.postal_code,
            country=customer.country,
            tags=tuple(customer.tags or ()),
        ),
        lines=tuple(
            OrderLine(
                id=line.id,
                sku=line.sku,
                quantity=line.quantity,
                unit_price=line.unit_price,
                list_price=line.list_price,
                final_sale=line.final_sale,
                serials=tuple(line.serials or ()),
                returned_quantity=line.returned_quantity,
            )
            for line in lines
        ),
    )


def check_orders(uow: UnitOfWork, orders: Sequence[OrderInput], labels: Sequence[str]) -> list[FieldProblem]:
    """Every problem that would stop these orders, each named by its label (field or row)."""
    problems: list[FieldProblem] = []
    skus = {line.sku for o in orders for line in o.lines}
    known = uow.catalog.products(sorted(skus))
    existing = uow.orders.existing_numbers([o.number for o in orders])
    seen: set[str] = set()
    for order, label in zip(orders, labels, strict=True):
        if order.number in existing:
            problems.append(
                FieldProblem(f"{label}number", "order_exists", f"order {order.number} already exists")
            )
        if order.number in seen:
            problems.append(
                FieldProblem(f"{label}number", "duplicate", f"order {order.number} appears twice")
            )
        seen.add(order.number)
        for i, line in enumerate(order.lines):
            if line.sku not in known:
                problems.append(
                    FieldProblem(f"{label}lines[{i}].sku", "unknown_sku", f"unknown SKU {line.sku}")
                )
    return problems


def add_orders(uow: UnitOfWork, actor: Actor, orders: Sequence[OrderInput], now: datetime) -> list[str]:
    """Insert already-checked orders (and new customers) in the open unit of work."""
    customers = uow.catalog.customers([o.customer.email.lower() for o in orders])
    numbers = []
    for order in orders:
        email = order.customer.email.lower()
        customer = customers.get(email)
        if customer is None:
            customer = uow.catalog.add_customer(
                email=email,
                name=order.customer.name,
                postal_code=order.customer.postal_code,
                country=order.customer.country,
                tags=order.customer.tags,
                created_at=now,
            )
            customers[email] = customer
        else:
            customer.tags = sorted(set(customer.tags or []) | set(order.customer.tags))
        order_id = new_id("ord")
        uow.orders.add(
            {
                "id": order_id,
                "number": order.number,
                "channel": order.channel,
                "currency": order.currency,
                "customer_email": email,
                "ship_country": order.ship_country,
                "placed_at": order.placed_at,
                "delivered_at": order.delivered_at,
                "created_at": now,
            },
            [
                {
                    "id": new_id("orl"),
                    "order_id": order_id,
                    "position": i,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "list_price": line.list_price,
                    "final_sale": line.final_sale,
                    "serials": line.serials,
                    "returned_quantity": 0,
                }
                for i, line in enumerate(order.lines)
            ],
        )
        record(
            uow,
            actor,
            now,
            "order.created",
            "order",
            order_id,
            {"number": order.number, "lines": len(order.lines), "currency": order.currency},
            topic="order.created",
        )
        numbers.append(order.number)
    return numbers


def create_order(db: Database, clock: Clock, actor: Actor, data: OrderInput) -> dict[str, Any]:
    """POST /orders: one order; unknown SKUs → 422, an existing number → 409."""
    actor.require("orders.write")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        problems = check_orders(uow, [data], [""])
        if any(p.code == "order_exists" for p in problems):
            raise Conflict(f"order {data.number} already exists", code="order_exists")
        if problems:
            raise ValidationFailed(
                "the order refers to unknown products", code="invalid_order", problems=problems
            )
        add_orders(uow, actor, [data], now)
        uow.flush()
        view = load_order_view(uow, data.number)
        uow.commit()
    return view


def import_orders(
    db: Database, clock: Clock, actor: Actor, orders: Sequence[OrderInput], labels: Sequence[str]
) -> int:
    """Insert many orders in one transaction, or none: every problem is reported with its label."""
    actor.require("orders.write")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        problems = check_orders(uow, orders, labels)
        if problems:
            raise ValidationFailed(
                f"{len(problems)} problem(s); nothing was imported", code="import_rejected", problems=problems
            )
        add_orders(uow, actor, orders, now)
        uow.commit()
    return len(orders)


def load_order_view(uow: UnitOfWork, number: str, actor: Actor | None = None) -> dict[str, Any]:
    """An order view from an open unit of work (NotFound also for another customer's order)."""
    order = uow.orders.by_number(number)
    if order is None or (actor is not None and not actor.sees_customer(order.customer_email)):
        raise NotFound(f"order {number} not found", code="not_found")
    return order_view(order, uow.orders.lines(order.id), uow.catalog.customer(order.customer_email))


def get_order(db: Database, actor: Actor, number: str) -> dict[str, Any]:
    """GET /orders/{number}."""
    actor.require("orders.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        return load_order_view(uow, number, actor)


def find_order_for_customer(db: Database, tenant_id: str, number: str, email: str) -> dict[str, Any]:
    """The portal's lookup: order number + email must both match (else NotFound, saying nothing more)."""
    with db.uow(tenant_id, readonly=True) as uow:
        order = uow.orders.by_number(number.strip())
        if order is None or order.customer_email != email.strip().lower():
            raise NotFound("no order with that number and email", code="not_found")
        return load_order_view(uow, order.number)
