"""Inventory use cases: record movements between condition buckets, balances per node/SKU (paged),
export, and the check that the balances table equals the fold of the movements."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from returnflow.domain.errors import NotFound
from returnflow.domain.inventory import BUCKETS, Movement, StockKey, apply
from returnflow.services.access import Actor
from returnflow.services.ids import new_id

if TYPE_CHECKING:
    from returnflow.adapters.db.tables_floor import InventoryMovementRow
    from returnflow.adapters.db.uow import Database, UnitOfWork

# Where a unit goes back to stock after refurbish/repair work, by the grade it reached.
BUCKET_BY_GRADE = {"A": "sellable", "B": "open_box", "C": "open_box", "D": "liquidation", "F": "scrap"}
# Node/SKU items per page of GET /inventory: the default, and the most one page may ask for.
PAGE_SIZE = 500
MAX_PAGE = 5000


def move_in(
    uow: UnitOfWork,
    actor: Actor,
    at: datetime,
    movements: Sequence[Movement],
    *,
    return_id: str | None = None,
    line_id: str | None = None,
    grade: str | None = None,
) -> None:
    """Append movements and adjust the balances with them, in the caller's transaction.

    Refused whole (insufficient_stock) if a bucket would go below zero: the stock drawn from is
    read from the balances table under the SKU's lock (and its own row locks), not folded.
    """
    for sku in sorted({m.sku for m in movements}):
        uow.inventory.lock_sku(sku)
    balances: dict[StockKey, int] = {}
    for node, sku in sorted({(m.node, m.sku) for m in movements if m.from_bucket is not None}):
        for bucket, qty in uow.inventory.stock(node, sku, for_update=True).items():
            balances[StockKey(node, sku, bucket)] = qty
    deltas: dict[tuple[str, str, str], int] = {}
    for m in movements:
        apply(balances, m)
        for key, sign in ((m.source, -1), (m.target, 1)):
            if key is not None:
                k = (key.node, key.sku, key.bucket)
                deltas[k] = deltas.get(k, 0) + sign * m.quantity
    uow.inventory.add(
        [
            {
                "id": new_id("mov"),
                "node_code": m.node,
                "sku": m.sku,
                "from_bucket": m.from_bucket,
                "to_bucket": m.to_bucket,
                "quantity": m.quantity,
                "grade": grade,
                "reason": m.reason,
                "reference": m.reference,
                "return_id": return_id,
                "return_line_id": line_id,
                "at": at,
                "actor": actor.label,
            }
            for m in movements
        ]
    )
    uow.inventory.adjust(deltas)


def line_stock(uow: UnitOfWork, line_id: str) -> dict[tuple[str, str], int]:
    """Where a return line's units are now: units per (node, bucket), from its movements."""
    out: dict[tuple[str, str], int] = {}
    for m in uow.inventory.movements_of_line(line_id):
        if m.from_bucket is not None:
            out[(m.node_code, m.from_bucket)] = out.get((m.node_code, m.from_bucket), 0) - m.quantity
        if m.to_bucket is not None:
            out[(m.node_code, m.to_bucket)] = out.get((m.node_code, m.to_bucket), 0) + m.quantity
    return {k: v for k, v in out.items() if v}


def _node_scope(actor: Actor, node: str | None) -> str | None:
    """Node-bound keys see only their node's stock; another node is reported as absent."""
    if actor.role in ("warehouse", "partner") and actor.node_code is not None:
        if node is not None and node != actor.node_code:
            raise NotFound(f"node {node} not found", code="not_found")
        return actor.node_code
    return node


def _items(pairs: Iterable[tuple[str, str, dict[str, int]]]) -> list[dict[str, Any]]:
    """Balance items as the API shows them: every bucket listed (zeros included), then the total."""
    items = []
    for node, sku, stock in pairs:
        buckets = {b: stock.get(b, 0) for b in BUCKETS}
        items.append({"node_code": node, "sku": sku, "buckets": buckets, "total": sum(buckets.values())})
    return items


def balances(
    db: Database,
    actor: Actor,
    node: str | None = None,
    sku: str | None = None,
    *,
    after: tuple[str, str] | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[dict[str, Any]], tuple[str, str] | None]:
    """GET /inventory: a page of balances per node and SKU, in (node, SKU) order.

    Returns the items (every bucket listed, zeros included) and the (node, SKU) to continue after,
    or None on the last page. Read from the balances table: one index range per page.
    """
    actor.require("inventory.read")
    node = _node_scope(actor, node)
    with db.uow(actor.tenant_id, readonly=True) as uow:
        pairs, more = uow.inventory.page(node, sku, after=after, limit=limit)
    last = (pairs[-1][0], pairs[-1][1]) if more and pairs else None
    return _items(pairs), last


def all_balances(
    db: Database, actor: Actor, node: str | None = None, sku: str | None = None, *, page_size: int = MAX_PAGE
) -> Iterator[list[dict[str, Any]]]:
    """Every balance in scope, one page at a time (each its own short read), for exports.

    Access and the node scope are checked before the first page is asked for, so a refusal is
    raised here and not half-way through a streamed response.
    """
    actor.require("inventory.read")
    node = _node_scope(actor, node)

    def pages() -> Iterator[list[dict[str, Any]]]:
        after: tuple[str, str] | None = None
        while True:
            items, after = balances(db, actor, node, sku, after=after, limit=page_size)
            if items:
                yield items
            if after is None:
                return

    return pages()


def export_csv(
    db: Database,
    actor: Actor,
    node: str | None = None,
    sku: str | None = None,
    *,
    page_size: int = MAX_PAGE,
) -> Iterator[str]:
    """The balances as CSV text, a chunk per page: a row per node and SKU, a column per bucket, total.

    Refusals (role, node scope) are raised by this call, before any chunk is produced.
    """
    pages = all_balances(db, actor, node, sku, page_size=page_size)

    def chunks() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["node_code", "sku", *BUCKETS, "total"])
        for items in pages:
            for r in items:
                writer.writerow([r["node_code"], r["sku"], *(r["buckets"][b] for b in BUCKETS), r["total"]])
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        if out.tell():
            yield out.getvalue()

    return chunks()


def bucket_totals(
    db: Database, actor: Actor, node: str | None = None, sku: str | None = None
) -> dict[str, int]:
    """Units in each bucket over the whole scope (every bucket listed), summed in the database."""
    actor.require("inventory.read")
    node = _node_scope(actor, node)
    with db.uow(actor.tenant_id, readonly=True) as uow:
        totals = uow.inventory.bucket_totals(node, sku)
    return {b: totals.get(b, 0) for b in BUCKETS}


@dataclass(frozen=True)
class InventoryReport:
    """Result of checking one tenant's balances table against its movement ledger."""

    tenant_slug: str
    rows: int
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every stored balance equals the fold of the movements and none is negative."""
        return not self.mismatches


def verify(db: Database, tenant_slugs: list[str] | None = None) -> list[InventoryReport]:
    """Check each tenant (all when none are named): the balances table equals the ledger's fold.

    Folds every movement of the tenant: a maintenance check, not a request path.
    """
    reports = []
    with db.uow(readonly=True) as uow:
        tenants = [t for t in uow.tenants.all() if not tenant_slugs or t.slug in tenant_slugs]
        for tenant in tenants:
            uow.set_tenant(tenant.id)
            problems = [
                f"{n} {s} {b}: table {stored}, movements {folded}"
                for n, s, b, stored, folded in uow.inventory.differences()
            ]
            problems += [f"{n} {s} {b}: negative ({q})" for n, s, b, q in uow.inventory.negative()]
            reports.append(InventoryReport(tenant.slug, uow.inventory.count(), problems))
    return reports


def movement_view(row: InventoryMovementRow) -> dict[str, Any]:
    """A movement as the API shows it."""
    return {
        "id": row.id,
        "node_code": row.node_code,
        "sku": row.sku,
        "from_bucket": row.from_bucket,
        "to_bucket": row.to_bucket,
        "quantity": row.quantity,
        "grade": row.grade,
        "reason": row.reason,
        "reference": row.reference,
        "return_id": row.return_id,
        "return_line_id": row.return_line_id,
        "at": row.at,
        "actor": row.actor,
    }


def movements(
    db: Database, actor: Actor, node: str | None = None, sku: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """The movement ledger, newest first."""
    actor.require("inventory.read")
    node = _node_scope(actor, node)
    with db.uow(actor.tenant_id, readonly=True) as uow:
        return [movement_view(m) for m in uow.inventory.movements(node_code=node, sku=sku, limit=limit)]
