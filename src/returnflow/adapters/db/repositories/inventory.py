"""Inventory: the append-only movement ledger and the balances table kept with it.

`inventory_balances` holds one row per (node, SKU, bucket) ever moved into or out of; every
movement adjusts it in the movement's own transaction, so reads never fold the ledger.
`folded` and `differences` still fold the ledger in SQL, for the consistency check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Subquery, case, func, literal, select, tuple_, union_all, update
from sqlalchemy.dialects import postgresql, sqlite

from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.tables import ProductRow
from returnflow.adapters.db.tables_floor import InventoryMovementRow
from returnflow.adapters.db.tables_inventory import InventoryBalanceRow
from returnflow.domain.inventory import BUCKETS

M = InventoryMovementRow
B = InventoryBalanceRow
# (node, sku, bucket) → units.
Totals = dict[tuple[str, str, str], int]
# One (node, SKU) of a page and its units per bucket.
PairStock = tuple[str, str, dict[str, int]]


class InventoryRepository(TenantScoped):
    """Movements of one tenant's units between condition buckets, and the balances they leave."""

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

    def stock(self, node_code: str, sku: str, *, for_update: bool = False) -> dict[str, int]:
        """Units per bucket of one SKU at one node (buckets never moved into are absent).

        `for_update` locks the rows, so a concurrent mover of the same stock waits and then reads
        what this transaction leaves (also when the SKU has no product row to lock).
        """
        stmt = select(B.bucket, B.quantity).where(
            B.tenant_id == self.tenant_id, B.node_code == node_code, B.sku == sku
        )
        if for_update:
            stmt = stmt.with_for_update()
        return {str(bucket): int(qty) for bucket, qty in self.s.execute(stmt)}

    def adjust(self, deltas: Mapping[tuple[str, str, str], int]) -> None:
        """Add each delta to its (node, sku, bucket) balance, creating the row on first use.

        Increments are one upsert (`ON CONFLICT … DO UPDATE quantity = quantity + excluded`);
        decrements update rows that exist (the caller checked the stock is there), because an
        upsert's insert half would have to pass the non-negative check with the bare delta.
        Keys are written in order, so movers of different SKUs never wait on each other in a cycle.
        """
        ups = [
            {"tenant_id": self.tenant_id, "node_code": n, "sku": s, "bucket": b, "quantity": d}
            for (n, s, b), d in sorted(deltas.items())
            if d >= 0
        ]
        if ups:
            dialect = self.s.get_bind().dialect.name
            ins = postgresql.insert(B) if dialect == "postgresql" else sqlite.insert(B)
            self.s.execute(
                ins.values(ups).on_conflict_do_update(
                    index_elements=[B.tenant_id, B.node_code, B.sku, B.bucket],
                    set_={"quantity": B.quantity + ins.excluded.quantity},
                )
            )
        for (n, s, b), d in sorted(deltas.items()):
            if d < 0:
                self.s.execute(
                    update(B)
                    .where(B.tenant_id == self.tenant_id, B.node_code == n, B.sku == s, B.bucket == b)
                    .values(quantity=B.quantity + d)
                    .execution_options(synchronize_session=False)
                )

    def page(
        self,
        node_code: str | None = None,
        sku: str | None = None,
        *,
        after: tuple[str, str] | None = None,
        limit: int = 500,
    ) -> tuple[list[PairStock], bool]:
        """Up to `limit` (node, SKU) pairs after `after`, in (node, SKU) order; and whether more follow.

        One row per pair, its buckets as columns, summed over a range of the primary key (or of
        the SKU index for `?sku=`) that the database walks in order and stops at `limit + 1` pairs.
        """
        per_bucket = [func.sum(case((B.bucket == b, B.quantity), else_=0)) for b in BUCKETS]
        stmt = select(B.node_code, B.sku, *per_bucket).where(B.tenant_id == self.tenant_id)
        if node_code is not None:
            stmt = stmt.where(B.node_code == node_code)
        if sku is not None:
            stmt = stmt.where(B.sku == sku)
        if after is not None:
            stmt = stmt.where(self._after(node_code, sku, after))
        elif node_code is None and sku is None:
            # From the first node on. A range on the key's second column makes SQLite walk the
            # primary key in order; with `tenant_id = ?` alone it sorts the tenant out of the SKU index.
            stmt = stmt.where(B.node_code >= "")
        stmt = stmt.group_by(B.node_code, B.sku).order_by(B.node_code, B.sku).limit(limit + 1)
        pairs: list[PairStock] = [
            (str(node), str(item), dict(zip(BUCKETS, map(int, qty), strict=True)))
            for node, item, *qty in self.s.execute(stmt)
        ]
        return pairs[:limit], len(pairs) > limit

    @staticmethod
    def _after(node_code: str | None, sku: str | None, after: tuple[str, str]) -> ColumnElement[bool]:
        """The keyset condition past `after`, in the simplest form the scope allows (index-friendly)."""
        if node_code is not None:
            return B.sku > after[1] if node_code == after[0] else B.node_code > after[0]
        if sku is not None:
            return B.node_code > after[0] if sku == after[1] else B.sku > after[1]
        return tuple_(B.node_code, B.sku) > tuple_(after[0], after[1])

    def bucket_totals(self, node_code: str | None = None, sku: str | None = None) -> dict[str, int]:
        """Units per bucket over the scope (buckets never moved into are absent)."""
        stmt = select(B.bucket, func.sum(B.quantity)).where(B.tenant_id == self.tenant_id)
        if node_code is not None:
            stmt = stmt.where(B.node_code == node_code)
        if sku is not None:
            stmt = stmt.where(B.sku == sku)
        return {str(bucket): int(qty or 0) for bucket, qty in self.s.execute(stmt.group_by(B.bucket))}

    def count(self) -> int:
        """How many balance rows the tenant has."""
        return int(self.s.scalar(select(func.count()).where(B.tenant_id == self.tenant_id)) or 0)

    def differences(self) -> list[tuple[str, str, str, int, int]]:
        """(node, sku, bucket, stored, folded) wherever the table and the ledger's fold disagree.

        One statement, so one snapshot: movements committed meanwhile cannot show as a difference.
        """
        stored = select(
            B.node_code, B.sku, B.bucket, B.quantity.label("stored"), literal(0).label("folded")
        ).where(B.tenant_id == self.tenant_id)
        signed = self._signed(None, None)
        ledger = select(signed.c.node_code, signed.c.sku, signed.c.bucket, literal(0), signed.c.qty)
        both = union_all(stored, ledger).subquery()
        stmt = (
            select(
                both.c.node_code, both.c.sku, both.c.bucket, func.sum(both.c.stored), func.sum(both.c.folded)
            )
            .group_by(both.c.node_code, both.c.sku, both.c.bucket)
            .having(func.sum(both.c.stored) != func.sum(both.c.folded))
            .order_by(both.c.node_code, both.c.sku, both.c.bucket)
        )
        return [(str(n), str(s), str(b), int(t or 0), int(f or 0)) for n, s, b, t, f in self.s.execute(stmt)]

    def negative(self) -> list[tuple[str, str, str, int]]:
        """Balance rows below zero (the table's check constraint should make this empty)."""
        stmt = select(B.node_code, B.sku, B.bucket, B.quantity).where(
            B.tenant_id == self.tenant_id, B.quantity < 0
        )
        return [(str(n), str(s), str(b), int(q)) for n, s, b, q in self.s.execute(stmt)]

    def _signed(self, node_code: str | None, sku: str | None) -> Subquery:
        """Both sides of every movement in scope, signed: (node_code, sku, bucket, qty)."""
        into = select(M.node_code, M.sku, M.to_bucket.label("bucket"), M.quantity.label("qty"))
        out = select(M.node_code, M.sku, M.from_bucket.label("bucket"), (-M.quantity).label("qty"))
        into = into.where(M.tenant_id == self.tenant_id, M.to_bucket.is_not(None))
        out = out.where(M.tenant_id == self.tenant_id, M.from_bucket.is_not(None))
        if node_code is not None:
            into, out = into.where(M.node_code == node_code), out.where(M.node_code == node_code)
        if sku is not None:
            into, out = into.where(M.sku == sku), out.where(M.sku == sku)
        return union_all(into, out).subquery()

    def folded(self, node_code: str | None = None, sku: str | None = None) -> Totals:
        """Quantity per (node, sku, bucket) folded from the ledger: units moved in minus units moved out.

        One aggregate over both sides of each movement (signed), so a (node, sku, bucket) comes
        back as one row. Reads every movement in scope: for checks, not for answering requests.
        """
        both = self._signed(node_code, sku)
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
