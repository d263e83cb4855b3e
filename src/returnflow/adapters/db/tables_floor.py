"""Tables of the returns-center floor: receipts, inspections, photos, dispositions, stock, work, claims."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from returnflow.adapters.db.tables import Base
from returnflow.adapters.db.types import JSONType


class FloorDocumentRow(Base):
    """A saved version of a tenant's inspection checklists or disposition tables (YAML)."""

    __tablename__ = "floor_documents"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


class ReceiptRow(Base):
    """A parcel scanned in at a node: matched to a return, or blind until matched."""

    __tablename__ = "receipts"
    __table_args__ = (
        Index("ix_receipts_tenant_return", "tenant_id", "return_id"),
        Index("ix_receipts_tenant_node", "tenant_id", "node_code", "received_at"),
        Index("ix_receipts_tenant_kind", "tenant_id", "kind", "received_at"),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    scan: Mapped[str] = mapped_column(String(500))
    node_code: Mapped[str] = mapped_column(String(64))
    return_id: Mapped[str | None] = mapped_column(String(40))
    # matched | blind | partial | short | wrong_item
    kind: Mapped[str] = mapped_column(String(20))
    # What the scan matched on: tracking_number | rma_number | label_payload | manual
    matched_by: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    matched_at: Mapped[datetime | None]
    received_by: Mapped[str] = mapped_column(String(120))
    matched_actor: Mapped[str | None] = mapped_column(String(120))


class ReceiptLineRow(Base):
    """What one receipt brought of one return line (or an unexpected item, without a line)."""

    __tablename__ = "receipt_lines"
    __table_args__ = (Index("ix_receipt_lines_tenant_receipt", "tenant_id", "receipt_id"),)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    receipt_id: Mapped[str] = mapped_column(String(40))
    return_line_id: Mapped[str | None] = mapped_column(String(40))
    sku: Mapped[str | None] = mapped_column(String(64))
    expected_quantity: Mapped[int] = mapped_column(Integer)
    received_quantity: Mapped[int] = mapped_column(Integer)
    # received | short | missing | wrong_item
    kind: Mapped[str] = mapped_column(String(20))


class InspectionRow(Base):
    """The inspection of one return line: answers, grade, serial and weight checks, QC flags, timing."""

    __tablename__ = "inspections"
    __table_args__ = (
        UniqueConstraint("tenant_id", "return_line_id", name="uq_inspections_line"),
        Index("ix_inspections_tenant_return", "tenant_id", "return_id"),
        Index("ix_inspections_tenant_node", "tenant_id", "node_code", "finished_at"),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    return_id: Mapped[str] = mapped_column(String(40))
    return_line_id: Mapped[str] = mapped_column(String(40))
    node_code: Mapped[str] = mapped_column(String(64))
    sku: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(40))
    grade: Mapped[str] = mapped_column(String(1))
    max_grade: Mapped[str] = mapped_column(String(1))
    answers: Mapped[dict[str, Any]]
    items: Mapped[list[Any]]
    serials: Mapped[list[Any]]
    serial_check: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    weight_check: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    flags: Mapped[list[Any]]
    notes: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    inspection_seconds: Mapped[int] = mapped_column(Integer)
    # From the parcel's receipt to the start of inspection.
    dwell_seconds: Mapped[int | None] = mapped_column(Integer)
    inspector: Mapped[str] = mapped_column(String(120))


class InspectionPhotoRow(Base):
    """A photo of a return line, stored behind the photo store; the row keeps its checksum and key."""

    __tablename__ = "inspection_photos"
    __table_args__ = (
        Index("ix_inspection_photos_tenant_line", "tenant_id", "return_line_id", "uploaded_at"),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    return_id: Mapped[str] = mapped_column(String(40))
    return_line_id: Mapped[str] = mapped_column(String(40))
    code: Mapped[str | None] = mapped_column(String(40))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[str] = mapped_column(String(120))


class DispositionRow(Base):
    """The path chosen for an inspected line, what the rules recommended and every alternative valued."""

    __tablename__ = "dispositions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "return_line_id", name="uq_dispositions_line"),
        Index("ix_dispositions_tenant_return", "tenant_id", "return_id"),
        Index("ix_dispositions_tenant_path", "tenant_id", "path", "decided_at"),
        Index("ix_dispositions_tenant_decided", "tenant_id", "decided_at"),  # a period's (analytics)
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    return_id: Mapped[str] = mapped_column(String(40))
    return_line_id: Mapped[str] = mapped_column(String(40))
    inspection_id: Mapped[str] = mapped_column(String(40))
    origin_node: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(30))
    node_code: Mapped[str | None] = mapped_column(String(64))
    expected_recovery: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    recommended_path: Mapped[str] = mapped_column(String(30))
    recommended_node: Mapped[str | None] = mapped_column(String(64))
    recommended_recovery: Mapped[int] = mapped_column(BigInteger)
    alternatives: Mapped[list[Any]]
    flags: Mapped[list[Any]]
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_actor: Mapped[str | None] = mapped_column(String(120))
    overridden_at: Mapped[datetime | None]
    decided_at: Mapped[datetime]
    decided_by: Mapped[str] = mapped_column(String(120))
    # From the parcel's receipt to the unit landing in its bucket.
    dock_to_stock_seconds: Mapped[int | None] = mapped_column(Integer)


class InventoryMovementRow(Base):
    """Append-only: `quantity` units of a SKU at a node moved between buckets (None = outside)."""

    __tablename__ = "inventory_movements"
    __table_args__ = (
        # Balance per (tenant, node, sku): an index-only scan on PostgreSQL.
        Index(
            "ix_inventory_movements_balance",
            "tenant_id",
            "node_code",
            "sku",
            "from_bucket",
            "to_bucket",
            "quantity",
        ),
        Index("ix_inventory_movements_tenant_sku", "tenant_id", "sku", "node_code"),
        Index("ix_inventory_movements_tenant_line", "tenant_id", "return_line_id", "at"),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    node_code: Mapped[str] = mapped_column(String(64))
    sku: Mapped[str] = mapped_column(String(64))
    from_bucket: Mapped[str | None] = mapped_column(String(20))
    to_bucket: Mapped[str | None] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str | None] = mapped_column(String(1))
    reason: Mapped[str] = mapped_column(String(60))
    reference: Mapped[str] = mapped_column(String(64))
    return_id: Mapped[str | None] = mapped_column(String(40))
    return_line_id: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(120))


class WorkOrderRow(Base):
    """Refurbish or repair work on one unit: parts, labor, cost, outcome, expected vs achieved recovery."""

    __tablename__ = "work_orders"
    __table_args__ = (
        Index("ix_work_orders_tenant_status", "tenant_id", "status", "opened_at"),
        Index("ix_work_orders_tenant_line", "tenant_id", "return_line_id"),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    return_id: Mapped[str] = mapped_column(String(40))
    return_line_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    node_code: Mapped[str] = mapped_column(String(64))
    sku: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    from_grade: Mapped[str] = mapped_column(String(1))
    parts: Mapped[list[Any]]
    labor_minutes: Mapped[int] = mapped_column(Integer)
    cost: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    outcome: Mapped[str | None] = mapped_column(String(20))
    new_grade: Mapped[str | None] = mapped_column(String(1))
    expected_recovery: Mapped[int] = mapped_column(BigInteger)
    achieved_recovery: Mapped[int | None] = mapped_column(BigInteger)
    notes: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(120))
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(120))


class CarrierClaimRow(Base):
    """A claim against the carrier for a line damaged in transit, with its evidence and status."""

    __tablename__ = "carrier_claims"
    __table_args__ = (
        UniqueConstraint("tenant_id", "return_line_id", name="uq_carrier_claims_line"),
        Index("ix_carrier_claims_tenant_status", "tenant_id", "status", "opened_at"),
        Index("ix_carrier_claims_tenant_return", "tenant_id", "return_id"),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    return_id: Mapped[str] = mapped_column(String(40))
    return_line_id: Mapped[str] = mapped_column(String(40))
    inspection_id: Mapped[str] = mapped_column(String(40))
    carrier: Mapped[str | None] = mapped_column(String(64))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    evidence: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))
    paid_amount: Mapped[int | None] = mapped_column(BigInteger)
    carrier_reference: Mapped[str | None] = mapped_column(String(100))
    status_note: Mapped[str | None] = mapped_column(Text)
    history: Mapped[list[Any]]
    opened_at: Mapped[datetime]
    updated_at: Mapped[datetime]
