"""Inventory use cases: record movements between condition buckets, balances per node/SKU, export."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
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
    """Append movements; refused whole (insufficient_stock) if a bucket would go below zero."""
    for sku in sorted({m.sku for m in movements}):
        uow.inventory.lock_sku(sku)
    balances: dict[StockKey, int] = {}
    for node, sku in {(m.node, m.sku) for m in movements if m.from_bucket is not None}:
        for (n, s, bucket), qty in uow.inventory.balances(node, sku).items():
            balances[StockKey(n, s, bucket)] = qty
    for m in movements:
        apply(balances, m)
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


def balances(
    db: Database, actor: Actor, node: str | None = None, sku: str | None = None
) -> list[dict[str, Any]]:
    """GET /inventory: quantity per bucket for each node and SKU (every bucket listed, zeros included)."""
    actor.require("inventory.read")
    node = _node_scope(actor, node)
    with db.uow(actor.tenant_id, readonly=True) as uow:
        totals = uow.inventory.balances(node, sku)
    grouped: dict[tuple[str, str], dict[str, int]] = {}
    for (n, s, bucket), qty in totals.items():
        grouped.setdefault((n, s), dict.fromkeys(BUCKETS, 0))[bucket] = qty
    return [
        {"node_code": n, "sku": s, "buckets": buckets, "total": sum(buckets.values())}
        for (n, s), buckets in sorted(grouped.items())
    ]


def export_csv(db: Database, actor: Actor, node: str | None = None, sku: str | None = None) -> str:
    """The balances as CSV: one row per node and SKU, one column per bucket, then the total."""
    rows = balances(db, actor, node, sku)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["node_code", "sku", *BUCKETS, "total"])
    for r in rows:
        writer.writerow([r["node_code"], r["sku"], *(r["buckets"][b] for b in BUCKETS), r["total"]])
    return out.getvalue()


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
