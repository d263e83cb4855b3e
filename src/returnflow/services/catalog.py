"""Products and nodes: upserts that record what changed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from returnflow.adapters.geo import locate
from returnflow.domain.catalog import Product
from returnflow.domain.errors import NotFound
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.inputs import NodeInput, ProductInput
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.records import ProductRecord
    from returnflow.adapters.db.tables import NodeRow, ProductRow
    from returnflow.adapters.db.uow import Database, UnitOfWork


def product_view(row: ProductRow) -> dict[str, Any]:
    """A product as the API shows it."""
    return {
        "sku": row.sku,
        "name": row.name,
        "category": row.category,
        "brand": row.brand,
        "unit_cost": row.unit_cost,
        "weight_grams": row.weight_grams,
        "hazmat_class": row.hazmat_class,
        "serialized": row.serialized,
        "returnable": row.returnable,
        "warranty_months": row.warranty_months,
        "tags": list(row.tags or []),
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def node_view(row: NodeRow) -> dict[str, Any]:
    """A node as the API shows it."""
    return {
        "code": row.code,
        "kind": row.kind,
        "name": row.name,
        "postal_code": row.postal_code,
        "country": row.country,
        "capabilities": list(row.capabilities or []),
        "daily_capacity": row.daily_capacity,
        "handling_cost": row.handling_cost,
        "latitude": row.latitude,
        "longitude": row.longitude,
        "recovery_percent": row.recovery_percent,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def upsert_product_in(uow: UnitOfWork, actor: Actor, sku: str, data: ProductInput, now: Any) -> ProductRow:
    """Create or update a product inside an open unit of work."""
    fields = data.model_dump()
    row = uow.catalog.product(sku)
    if row is None:
        row = uow.catalog.add_product(sku=sku, created_at=now, updated_at=now, **fields)
        action = "product.created"
    else:
        for name, value in fields.items():
            setattr(row, name, value)
        row.updated_at = now
        action = "product.updated"
    record(uow, actor, now, action, "product", sku, fields)
    return row


def upsert_product(db: Database, clock: Clock, actor: Actor, sku: str, data: ProductInput) -> dict[str, Any]:
    """PUT /products/{sku}: create or replace a product."""
    actor.require("catalog.write")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        row = upsert_product_in(uow, actor, sku, data, now)
        view = product_view(row)
        uow.commit()
    return view


def get_product(db: Database, actor: Actor, sku: str) -> dict[str, Any]:
    """One product."""
    actor.require("catalog.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        row = uow.catalog.product(sku)
        if row is None:
            raise NotFound(f"product {sku} not found", code="not_found")
        return product_view(row)


def upsert_node(db: Database, clock: Clock, actor: Actor, code: str, data: NodeInput) -> dict[str, Any]:
    """PUT /nodes/{code}: create or replace a node."""
    actor.require("catalog.write")
    now = clock()
    fields = data.model_dump()
    fields["capabilities"] = sorted(set(fields["capabilities"]))
    # A node routing cannot place is refused now, naming its postal code, not guessed later.
    locate(data.postal_code, data.country, data.latitude, data.longitude)
    with db.uow(actor.tenant_id) as uow:
        row = uow.catalog.node(code)
        if row is None:
            row = uow.catalog.add_node(code=code, created_at=now, updated_at=now, **fields)
            action = "node.created"
        else:
            for name, value in fields.items():
                setattr(row, name, value)
            row.updated_at = now
            action = "node.updated"
        record(uow, actor, now, action, "node", code, fields)
        view = node_view(row)
        uow.commit()
    return view


def list_nodes(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """Every node of the tenant."""
    actor.require("catalog.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        return [node_view(n) for n in uow.catalog.nodes()]


def to_domain_product(row: ProductRecord) -> Product:
    """The domain's view of a stored product."""
    return Product(
        sku=row.sku,
        name=row.name,
        category=row.category,
        unit_cost=row.unit_cost,
        weight_grams=row.weight_grams,
        hazmat_class=row.hazmat_class,
        serialized=row.serialized,
        returnable=row.returnable,
        warranty_months=row.warranty_months,
        brand=row.brand,
        tags=tuple(row.tags or ()),
    )
