"""Reads the workstation needs beside the floor services: receiving nodes, the return a scan names,
a return's lines with what arrived of them, and the checklist of a product category.

Nothing here writes; visibility follows the floor services (node-bound keys see their node only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from returnflow.bootstrap import Container
from returnflow.domain.inspection import Checklist
from returnflow.domain.receipts import scan_keys
from returnflow.services import catalog
from returnflow.services.access import Actor
from returnflow.services.floor_documents import checklists_in_force
from returnflow.services.floor_scope import NODE_BOUND_ROLES, floor_return, received_node, sees_node
from returnflow.services.receiving import FOLLOW_UP, RECEIVABLE

DONE_LINES = frozenset({"inspected", "missing"})


@dataclass(frozen=True)
class FloorLine:
    """One return line as the workstation lists it."""

    id: str
    sku: str
    quantity: int
    received: int
    status: str
    grade: str | None
    path: str | None

    @property
    def outstanding(self) -> int:
        """Units not received yet."""
        return max(self.quantity - self.received, 0)

    @property
    def to_inspect(self) -> bool:
        """Received and waiting for its inspection."""
        return self.received > 0 and self.status not in DONE_LINES


@dataclass(frozen=True)
class FloorReturn:
    """A return on the floor: its number, status, node and lines."""

    id: str
    number: str
    status: str
    order_number: str
    currency: str
    node_code: str | None
    lines: tuple[FloorLine, ...]

    def line(self, line_id: str) -> FloorLine | None:
        """The line with this id."""
        return next((ln for ln in self.lines if ln.id == line_id), None)

    @property
    def next_line(self) -> FloorLine | None:
        """The first line waiting for inspection."""
        return next((ln for ln in self.lines if ln.to_inspect), None)


def bound_node(actor: Actor) -> str | None:
    """The node a node-bound key works at (None: the key may pick any node)."""
    return actor.node_code if actor.role in NODE_BOUND_ROLES else None


def receiving_nodes(c: Container, actor: Actor) -> list[dict[str, Any]]:
    """Nodes that receive returns, the key's own node only when it is bound to one."""
    nodes = [n for n in catalog.list_nodes(c.db, actor) if "receive" in n["capabilities"]]
    fixed = bound_node(actor)
    return [n for n in nodes if n["code"] == fixed] if fixed else nodes


def return_for_scan(c: Container, actor: Actor, scan: str) -> str | None:
    """The id of the return a scan names (as receiving would match it), without recording anything."""
    actor.require("floor.read")
    keys = scan_keys(scan)
    with c.db.uow(actor.tenant_id, readonly=True) as uow:
        for key in keys:
            if key.field == "number":
                row = uow.floor.return_by_number(key.value)
                rows = [row] if row is not None else []
            else:
                found = uow.floor.returns_by_tracking(key.value)
                rows = [r for r in found if r.status in RECEIVABLE | FOLLOW_UP] or found
            for row in rows:
                # Like receiving: any node may take a parcel in; once in, it belongs to that node.
                node = received_node(uow, row)
                if node is None or sees_node(actor, node):
                    return row.id
    return None


def floor_view(c: Container, actor: Actor, return_id: str) -> FloorReturn:
    """A return with its lines and what arrived of each (NotFound when the key may not see it)."""
    actor.require("floor.read")
    with c.db.uow(actor.tenant_id, readonly=True) as uow:
        row, node = floor_return(uow, actor, return_id)
        got = uow.floor.received_quantities(row.id)
        lines = tuple(
            FloorLine(
                id=ln.id,
                sku=ln.sku,
                quantity=ln.quantity,
                received=min(got.get(ln.id, 0), ln.quantity),
                status=ln.status,
                grade=ln.grade,
                path=(ln.disposition or {}).get("path"),
            )
            for ln in uow.returns.lines(row.id)
        )
        return FloorReturn(row.id, row.number, row.status, row.order_number, row.currency, node, lines)


def checklist_for(c: Container, actor: Actor, category: str) -> Checklist:
    """The tenant's inspection checklist for a product category (the `other` one when it has none)."""
    actor.require("floor.read")
    with c.db.uow(actor.tenant_id, readonly=True) as uow:
        return checklists_in_force(uow).for_category(category)
