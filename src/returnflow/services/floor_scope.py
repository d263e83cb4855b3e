"""Who may act where on the floor: node-bound keys work only at their own node."""

from __future__ import annotations

from typing import TYPE_CHECKING

from returnflow.domain.errors import Conflict, NotFound
from returnflow.services.access import Actor, Forbidden

if TYPE_CHECKING:
    from returnflow.adapters.db.tables import ReturnLineRow, ReturnRow
    from returnflow.adapters.db.uow import UnitOfWork

NODE_BOUND_ROLES = ("warehouse", "partner")


def require_node(actor: Actor, node_code: str) -> None:
    """A node-bound key acting at another node is forbidden (the key says where it works)."""
    if actor.role in NODE_BOUND_ROLES and actor.node_code is not None and actor.node_code != node_code:
        raise Forbidden(f"this key works at node {actor.node_code}, not at {node_code}", code="wrong_node")


def sees_node(actor: Actor, node_code: str | None) -> bool:
    """Whether a node-bound key may see an object at `node_code`."""
    return actor.role not in NODE_BOUND_ROLES or actor.node_code is None or actor.node_code == node_code


def received_node(uow: UnitOfWork, row: ReturnRow) -> str | None:
    """The node where the return's parcel was received (its first receipt), or None before."""
    receipts = uow.floor.receipts_of(row.id)
    return receipts[0].node_code if receipts else None


def floor_return(
    uow: UnitOfWork, actor: Actor, return_id: str, *, for_update: bool = False
) -> tuple[ReturnRow, str | None]:
    """A return and the node it was received at; another node's return is reported as absent."""
    row = uow.returns.get(return_id, for_update=for_update)
    if row is None:
        raise NotFound(f"return {return_id} not found", code="not_found")
    node = received_node(uow, row)
    if not sees_node(actor, node or row.destination_node) or not actor.sees_customer(row.customer_email):
        raise NotFound(f"return {return_id} not found", code="not_found")
    return row, node


def floor_line(uow: UnitOfWork, row: ReturnRow, line_id: str) -> ReturnLineRow:
    """One line of the return (404 when it is not one of its lines)."""
    line = next((ln for ln in uow.returns.lines(row.id) if ln.id == line_id), None)
    if line is None:
        raise NotFound(f"return {row.number} has no line {line_id}", code="not_found")
    return line


def require_received(row: ReturnRow, node: str | None) -> str:
    """The node the return was received at; a return not received yet cannot be worked on."""
    if node is None:
        raise Conflict(f"return {row.number} has not been received yet", code="not_received")
    return node
