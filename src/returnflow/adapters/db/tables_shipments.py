"""Tables of outbound shipments (orders on their way to the customer) and failed-delivery cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from returnflow.adapters.db.tables import Base
from returnflow.adapters.db.types import JSONType


class OutboundShipmentRow(Base):
    """A parcel of an order on its way to the customer, known by its (normalized) tracking number."""

    __tablename__ = "outbound_shipments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "tracking_number", name="uq_outbound_shipments_tenant_tracking"),
        Index("ix_outbound_shipments_tenant_order", "tenant_id", "order_number"),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40))
    order_number: Mapped[str] = mapped_column(String(64))
    tracking_number: Mapped[str] = mapped_column(String(64))
    carrier: Mapped[str | None] = mapped_column(String(40))
    # active → exception (a case is open) → active again (reattempt, new address) or returning.
    status: Mapped[str] = mapped_column(String(20))
    address: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # [{order_line_id, quantity}] of a partial shipment; empty when the parcel holds the whole order.
    lines: Mapped[list[Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DeliveryCaseRow(Base):
    """A failed delivery (NDR) of an outbound shipment, open until someone decides what happens next.

    `open_key` holds the shipment id while the case is open and is emptied when it is resolved: the
    unique key on it allows one open case per shipment, however events race.
    """

    __tablename__ = "delivery_cases"
    __table_args__ = (
        UniqueConstraint("tenant_id", "open_key", name="uq_delivery_cases_tenant_open_key"),
        Index("ix_delivery_cases_tenant_status", "tenant_id", "status", "id"),
        Index("ix_delivery_cases_tenant_shipment", "tenant_id", "shipment_id"),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(40))
    open_key: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    events: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[datetime]
    last_event_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(120))
    action: Mapped[str | None] = mapped_column(String(30))
    action_data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    return_id: Mapped[str | None] = mapped_column(String(40))
