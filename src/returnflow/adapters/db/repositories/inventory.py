"""Inventory: the append-only movement ledger and the balances folded from it in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, union_all

from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.tables import ProductRow
from returnflow.adapters.db.tables_floor import InventoryMovementRow

M = InventoryMovementRow


class InventoryRepository(TenantScoped):
    """Movements of one tenant's units between condition buckets."""

    def lock_sku(self, sku: str) -> None:
        """Serialize movements of one SKU (the product row is the lock), so no bucket goes below zero."""
        self.s.execute(
            select(ProductRow.sku)
            .where(ProductRow.tenant_id == self.tenant_id, ProductRow.sku == sku)
            .with_for_update()
        )

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        """Append movements (never updated or deleted)."""
        self.s.add_all([M(tenant_id=self.tenant_id, **r) for r in rows])

    def balances(
        self, node_code: str | None = None, sku: str | None = None
    ) -> dict[tuple[str, str, str], int]:
        """Quantity per (node, sku, bucket): units moved in minus units moved out.

        Folded in one aggregate over both sides of each movement, so a (node, sku, bucket) comes
        back as one row (about half the rows of summing each side apart) and nothing is added up here.
        """
        into = select(M.node_code, M.sku, M.to_bucket.label("bucket"), M.quantity.label("qty"))
        out = select(M.node_code, M.sku, M.from_bucket.label("bucket"), (-M.quantity).label("qty"))
        into = into.where(M.tenant_id == self.tenant_id, M.to_bucket.is_not(None))
        out = out.where(M.tenant_id == self.tenant_id, M.from_bucket.is_not(None))
        if node_code is not None:
            into, out = into.where(M.node_code == node_code), out.where(M.node_code == node_code)
        if sku is not None:
            into, out = into.where(M.sku == sku), out.where(M.sku == sku)
        both = union_all(into, out).subquery()
        stmt = select(both.c.node_code, both.c.sku, both.c.bucket, func.sum(both.c.qty)).group_by(
            both.c.node_code, both.c.sku, both.c.bucket
        )
        return {
            (str(node), str(item), str(bucket)): int(qty or 0)
            for node, item, bucket, qty in self.s.execute(stmt)
        }

    def movements(
        self, *, node_code: str | None = None, sku: str | None = None, limit: int = 200
    ) -> list[InventoryMovementRow]:
        """Movements, newest first."""
        stmt = select(M).where(M.tenant_id == self.tenant_id)
        if node_code is not None:
            stmt = stmt.where(M.node_code == node_code)
        if sku is not None:
            stmt = stmt.where(M.sku == sku)
        return list(self.s.scalars(stmt.order_by(M.at.desc(), M.id.desc()).limit(limit)))

    def movements_of_line(self, line_id: str) -> list[InventoryMovementRow]:
        """Where one return line's units went, oldest first."""
        return list(
            self.s.scalars(
                select(M)
                .where(M.tenant_id == self.tenant_id, M.return_line_id == line_id)
                .order_by(M.at, M.id)
            )
        )
