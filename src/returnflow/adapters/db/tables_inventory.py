"""Stock on hand: the balance of each (node, SKU, condition bucket), kept with every movement."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from returnflow.adapters.db.tables import Base


class InventoryBalanceRow(Base):
    """Units of a SKU in one bucket at one node: the fold of its movements, updated in their transaction.

    The primary key is also the order `GET /v1/inventory` pages in (node, SKU, bucket).
    """

    __tablename__ = "inventory_balances"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        # `?sku=` across nodes, in node order.
        Index("ix_inventory_balances_tenant_sku", "tenant_id", "sku", "node_code"),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    node_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(20), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
