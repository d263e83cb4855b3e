"""Products, nodes and customers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select

from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.tables import CustomerRow, NodeRow, ProductRow

# Built once: on the return request's path, constructing it cost more than running it.
_PRODUCTS = select(ProductRow).where(
    ProductRow.tenant_id == bindparam("tenant_id"), ProductRow.sku.in_(bindparam("skus", expanding=True))
)


class CatalogRepository(TenantScoped):
    """Products, nodes and customers."""

    def product(self, sku: str) -> ProductRow | None:
        """One product."""
        return self.s.get(ProductRow, (self.tenant_id, sku))

    def products(self, skus: Sequence[str]) -> dict[str, ProductRow]:
        """Products by SKU (missing SKUs are absent)."""
        if not skus:
            return {}
        rows = self.s.scalars(_PRODUCTS, {"tenant_id": self.tenant_id, "skus": sorted(set(skus))})
        return {r.sku: r for r in rows}

    def add_product(self, **fields: Any) -> ProductRow:
        """Insert a product."""
        row = ProductRow(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        return row

    def add_node(self, **fields: Any) -> NodeRow:
        """Insert a node."""
        row = NodeRow(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        return row

    def add_customer(self, **fields: Any) -> CustomerRow:
        """Insert a customer."""
        row = CustomerRow(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        self.s.flush()
        return row

    def node(self, code: str) -> NodeRow | None:
        """One node."""
        return self.s.get(NodeRow, (self.tenant_id, code))

    def nodes(self) -> Sequence[NodeRow]:
        """Every node, by code."""
        return self.s.scalars(
            select(NodeRow).where(NodeRow.tenant_id == self.tenant_id).order_by(NodeRow.code)
        ).all()

    def customer(self, email: str) -> CustomerRow | None:
        """One customer."""
        return self.s.get(CustomerRow, (self.tenant_id, email))

    def customers(self, emails: Sequence[str]) -> dict[str, CustomerRow]:
        """Customers by email."""
        if not emails:
            return {}
        rows = self.s.scalars(
            select(CustomerRow).where(
                CustomerRow.tenant_id == self.tenant_id, CustomerRow.email.in_(set(emails))
            )
        )
        return {r.email: r for r in rows}
