"""Products, nodes and customers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, select

from returnflow.adapters.db.compiled import OneOf
from returnflow.adapters.db.records import ProductRecord, columns_of
from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.row_queue import fetch_all
from returnflow.adapters.db.tables import CustomerRow, NodeRow, ProductRow

PRODUCTS: Table = ProductRow.__table__  # type: ignore[assignment]
# Built once and run through `compiled`: on the return request's path, SQLAlchemy's work around a
# statement cost more than running it.
_PRODUCTS = select(*columns_of(PRODUCTS, ProductRecord)).where(
    PRODUCTS.c.tenant_id == bindparam("tenant_id"), OneOf(PRODUCTS.c.sku, "skus")
)


class CatalogRepository(TenantScoped):
    """Products, nodes and customers."""

    def product(self, sku: str) -> ProductRow | None:
        """One product."""
        return self.s.get(ProductRow, (self.tenant_id, sku))

    def products(self, skus: Sequence[str]) -> dict[str, ProductRecord]:
        """Products by SKU (missing SKUs are absent)."""
        if not skus:
            return {}
        rows = fetch_all(self.s, _PRODUCTS, {"tenant_id": self.tenant_id, "skus": sorted(set(skus))})
        return {r[0]: ProductRecord._make(r) for r in rows}

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
