"""SQLAlchemy 2 tables: every row carries tenant_id, and keys and indexes lead with it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from returnflow.adapters.db.types import JSONType, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (migrations depend on them)."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONType, list[Any]: JSONType}


class Tenant(Base):
    """A brand or merchant; the unit of isolation."""

    __tablename__ = "tenants"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class ApiKey(Base):
    """An API key, stored only as its SHA-256; one tenant, one role, optional binding."""

    __tablename__ = "api_keys"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(20))
    node_code: Mapped[str | None] = mapped_column(String(64))
    customer_email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class PolicyVersion(Base):
    """One saved version of a tenant's return policy; the highest version is in force."""

    __tablename__ = "policy_versions"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))


class ReturnReason(Base):
    """The tenant's reason catalogue."""

    __tablename__ = "return_reasons"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ProductRow(Base):
    """A SKU of the tenant's catalogue."""

    __tablename__ = "products"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(40))
    brand: Mapped[str | None] = mapped_column(String(120))
    unit_cost: Mapped[int] = mapped_column(BigInteger)
    weight_grams: Mapped[int] = mapped_column(Integer)
    hazmat_class: Mapped[str | None] = mapped_column(String(40))
    serialized: Mapped[bool] = mapped_column(Boolean, default=False)
    returnable: Mapped[bool] = mapped_column(Boolean, default=True)
    warranty_months: Mapped[int | None] = mapped_column(Integer)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class NodeRow(Base):
    """A node of the reverse network."""

    __tablename__ = "nodes"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    capabilities: Mapped[list[Any]] = mapped_column(default=list)
    daily_capacity: Mapped[int | None] = mapped_column(Integer)
    # Routing inputs: cost to handle one unit, explicit coordinates (else the postal-code centroid),
    # and per-category recovery percent overriding the default for the node's kind.
    handling_cost: Mapped[int] = mapped_column(BigInteger, default=0)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    recovery_percent: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CustomerRow(Base):
    """A shopper, known by email within a tenant."""

    __tablename__ = "customers"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]


class OrderRow(Base):
    """A forward order."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number", name="uq_orders_tenant_number"),
        ForeignKeyConstraint(["tenant_id", "customer_email"], ["customers.tenant_id", "customers.email"]),
        Index("ix_orders_tenant_customer", "tenant_id", "customer_email", "placed_at"),
        Index("ix_orders_tenant_placed", "tenant_id", "placed_at"),  # orders of a period (analytics)
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    customer_email: Mapped[str] = mapped_column(String(320))
    ship_country: Mapped[str | None] = mapped_column(String(2))
    placed_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    # Units over all lines, kept on the order so a customer's purchases are one index scan.
    units: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]


class OrderLineRow(Base):
    """One line of an order; returned_quantity is what live returns claim."""

    __tablename__ = "order_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "order_id"], ["orders.tenant_id", "orders.id"]),
        ForeignKeyConstraint(["tenant_id", "sku"], ["products.tenant_id", "products.sku"]),
        Index("ix_order_lines_tenant_order", "tenant_id", "order_id", "position"),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    list_price: Mapped[int | None] = mapped_column(BigInteger)
    final_sale: Mapped[bool] = mapped_column(Boolean, default=False)
    serials: Mapped[list[Any]] = mapped_column(default=list)
    returned_quantity: Mapped[int] = mapped_column(Integer, default=0)


class ReturnRow(Base):
    """A return (RMA): its status, decision, risk and destination."""

    __tablename__ = "returns"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number", name="uq_returns_tenant_number"),
        ForeignKeyConstraint(["tenant_id", "order_id"], ["orders.tenant_id", "orders.id"]),
        Index("ix_returns_tenant_status", "tenant_id", "status", "id"),
        Index("ix_returns_tenant_order", "tenant_id", "order_number"),
        Index("ix_returns_tenant_customer", "tenant_id", "customer_email", "created_at"),
        Index("ix_returns_tenant_destination", "tenant_id", "destination_node", "routed_at"),
        Index("ix_returns_tenant_tracking", "tenant_id", "tracking_number"),
        Index("ix_returns_tenant_created", "tenant_id", "created_at"),  # returns of a period (analytics)
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[str] = mapped_column(String(40))
    order_number: Mapped[str] = mapped_column(String(64))
    customer_email: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20))
    resolution: Mapped[str] = mapped_column(String(20))
    method: Mapped[str | None] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    items_total: Mapped[int] = mapped_column(BigInteger)
    # Units over all lines, kept on the return so customer history is one index scan.
    units: Mapped[int] = mapped_column(Integer, default=0)
    refund_total: Mapped[int] = mapped_column(BigInteger)
    policy_version: Mapped[int] = mapped_column(Integer)
    credit_trigger: Mapped[str] = mapped_column(String(20))
    decision: Mapped[dict[str, Any]]
    risk: Mapped[dict[str, Any]]
    destination_node: Mapped[str | None] = mapped_column(String(64))
    # Routing: the chosen carrier service, its expected total cost, label kind (qr / printed) and
    # the explanation (chosen option, runners-up with their costs, what was ruled out).
    carrier_service: Mapped[str | None] = mapped_column(String(64))
    routing_cost: Mapped[int | None] = mapped_column(BigInteger)
    label_type: Mapped[str | None] = mapped_column(String(10))
    routing: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    routed_at: Mapped[datetime | None]
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    status_note: Mapped[str | None] = mapped_column(Text)
    # `customer` (asked for by the customer) or `failed_delivery` (an outbound parcel sent back).
    type: Mapped[str] = mapped_column(String(20), default="customer", server_default="customer")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ReturnLineRow(Base):
    """One line of a return."""

    __tablename__ = "return_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "return_id"], ["returns.tenant_id", "returns.id"]),
        ForeignKeyConstraint(["tenant_id", "order_line_id"], ["order_lines.tenant_id", "order_lines.id"]),
        Index("ix_return_lines_tenant_return", "tenant_id", "return_id", "position"),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    return_id: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    order_line_id: Mapped[str] = mapped_column(String(40))
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    opened: Mapped[bool] = mapped_column(Boolean, default=False)
    serial: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    grade: Mapped[str | None] = mapped_column(String(1))
    disposition: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class AuditEntry(Base):
    """Append-only, hash-chained record of every state change (chain per tenant)."""

    __tablename__ = "audit_log"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The tip of a tenant's audit chain; locked by each appending transaction."""

    __tablename__ = "audit_heads"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class OutboxMessage(Base):
    """An event written in the same transaction as the change it reports; relayed later."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_unpublished", "published_at", "id"),)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    topic: Mapped[str] = mapped_column(String(80))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class IdempotencyRecord(Base):
    """The first response to a POST with an Idempotency-Key, replayed for repeats."""

    __tablename__ = "idempotency_keys"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
