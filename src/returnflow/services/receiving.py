"""Receiving: a scanned parcel is matched to its return and marked received at the node, or kept blind.

The scan is a tracking number, an RMA number or a label's QR payload. A matched parcel moves its
return to `received` (and releases a credit waiting for delivery); what came is counted per line
(partial, short-shipped and wrong-item parcels are recorded as such). An unknown parcel becomes a
blind receipt that is matched later, keeping the time it physically arrived (dock-to-stock and
dwell are measured from it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from returnflow.domain.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from returnflow.domain.receipts import ArrivedItem, ExpectedLine, ScanKey, count, scan_keys
from returnflow.domain.returns import ReturnStatus, transition
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.credits import fire_trigger
from returnflow.services.floor_inputs import ReceivedLineInput
from returnflow.services.floor_scope import require_node, sees_node
from returnflow.services.ids import new_id
from returnflow.services.inspection import finish_if_done
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.tables import ReturnRow
    from returnflow.adapters.db.tables_floor import ReceiptLineRow, ReceiptRow
    from returnflow.adapters.db.uow import Database, UnitOfWork

# Statuses a parcel moves to `received`; later parcels of a received return add what they bring.
RECEIVABLE = frozenset({"approved", "in_transit", "delivered"})
FOLLOW_UP = frozenset({"received"})


def receive(
    db: Database,
    clock: Clock,
    actor: Actor,
    scan: str,
    node_code: str,
    *,
    lines: Sequence[ReceivedLineInput] | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """POST /receipts: match the scan and mark its return received at `node_code`, or keep it blind."""
    actor.require("floor.receive")
    require_node(actor, node_code)
    keys = scan_keys(scan)
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        _receiving_node(uow, node_code)
        found = _match(uow, keys)
        receipt = uow.floor.add_receipt(
            id=new_id("rcp"),
            scan=scan.strip(),
            node_code=node_code,
            kind="blind",
            note=note,
            received_at=now,
            received_by=actor.label,
        )
        if found is None:
            counted = uow.floor.add_receipt_lines(
                [
                    {
                        "id": new_id("rcl"),
                        "receipt_id": receipt.id,
                        "sku": item.sku,
                        "expected_quantity": 0,
                        "received_quantity": item.quantity,
                        "kind": "received",
                    }
                    for item in lines or ()
                ]
            )
            record(
                uow,
                actor,
                now,
                "receipt.blind",
                "receipt",
                receipt.id,
                {"scan": receipt.scan, "node_code": node_code},
                topic="receipt.blind",
            )
            view = receipt_view(receipt, counted, None)
        else:
            row = uow.returns.get(found[0].id, for_update=True)
            assert row is not None
            view = _apply(uow, actor, now, row, receipt, found[1], _arrived(lines))
        uow.commit()
    return view


def match_receipt(
    db: Database,
    clock: Clock,
    actor: Actor,
    receipt_id: str,
    *,
    scan: str | None = None,
    return_id: str | None = None,
    lines: Sequence[ReceivedLineInput] | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """POST /receipts/{id}/match: a blind receipt is matched to its return (by scan or id) after all."""
    actor.require("floor.receive")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        receipt = uow.floor.receipt(receipt_id, for_update=True)
        if receipt is None or not sees_node(actor, receipt.node_code):
            raise NotFound(f"receipt {receipt_id} not found", code="not_found")
        if receipt.kind != "blind":
            raise Conflict(f"receipt {receipt_id} is already matched", code="already_matched")
        if return_id is not None:
            target = uow.returns.get(return_id, for_update=True)
            via = "manual"
        else:
            found = _match(uow, scan_keys(scan or ""))
            target = uow.returns.get(found[0].id, for_update=True) if found else None
            via = found[1] if found else "manual"
        if target is None:
            raise NotFound("no return matches", code="not_found")
        arrived = _arrived(lines)
        if arrived is None:
            provisional = uow.floor.receipt_lines([receipt.id])
            if provisional:
                arrived = [ArrivedItem(None, ln.sku, ln.received_quantity) for ln in provisional]
        uow.floor.delete_receipt_lines(receipt.id)
        if note:
            receipt.note = f"{receipt.note}\n{note}" if receipt.note else note
        view = _apply(uow, actor, now, target, receipt, via, arrived)
        uow.commit()
    return view


def blind_receipts(db: Database, actor: Actor, node_code: str | None = None) -> list[dict[str, Any]]:
    """Receipts waiting to be matched, newest first (a node-bound key sees its node's)."""
    actor.require("floor.read")
    if actor.role in ("warehouse", "partner") and actor.node_code is not None:
        node_code = actor.node_code
    with db.uow(actor.tenant_id, readonly=True) as uow:
        rows = uow.floor.blind_receipts(node_code)
        lines = uow.floor.receipt_lines([r.id for r in rows])
        return [receipt_view(r, [ln for ln in lines if ln.receipt_id == r.id], None) for r in rows]


def get_receipt(db: Database, actor: Actor, receipt_id: str) -> dict[str, Any]:
    """One receipt with its counted lines."""
    actor.require("floor.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        row = uow.floor.receipt(receipt_id)
        if row is None or not sees_node(actor, row.node_code):
            raise NotFound(f"receipt {receipt_id} not found", code="not_found")
        ret = uow.returns.get(row.return_id) if row.return_id else None
        return receipt_view(row, uow.floor.receipt_lines([row.id]), ret)


def _receiving_node(uow: UnitOfWork, node_code: str) -> None:
    node = uow.catalog.node(node_code)
    if node is None:
        raise ValidationFailed(
            f"unknown node {node_code}",
            code="unknown_node",
            problems=[FieldProblem("node_code", "unknown_node", f"no node {node_code}")],
        )
    if "receive" not in (node.capabilities or []):
        raise ValidationFailed(
            f"node {node_code} does not receive returns",
            code="node_cannot_receive",
            problems=[
                FieldProblem("node_code", "node_cannot_receive", "the node lacks the receive capability")
            ],
        )


def _match(uow: UnitOfWork, keys: Sequence[ScanKey]) -> tuple[ReturnRow, str] | None:
    """The return a scan names (an open one preferred when a tracking number was reused) and how."""
    for key in keys:
        if key.field == "number":
            row = uow.floor.return_by_number(key.value)
            if row is not None:
                return row, key.via
            continue
        rows = uow.floor.returns_by_tracking(key.value)
        if rows:
            open_ones = [r for r in rows if r.status in RECEIVABLE | FOLLOW_UP]
            return (open_ones or rows)[0], key.via
    return None


def _arrived(lines: Sequence[ReceivedLineInput] | None) -> list[ArrivedItem] | None:
    if lines is None:
        return None
    return [ArrivedItem(ln.return_line_id, ln.sku, ln.quantity) for ln in lines]


def _apply(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    row: ReturnRow,
    receipt: ReceiptRow,
    via: str,
    arrived: Sequence[ArrivedItem] | None,
) -> dict[str, Any]:
    """Count what came against the return, record it and move the return to `received`."""
    if row.status not in RECEIVABLE | FOLLOW_UP:
        raise Conflict(f"return {row.number} is {row.status}; it cannot be received", code="not_receivable")
    lines = uow.returns.lines(row.id)
    got = uow.floor.received_quantities(row.id)
    expected = [ExpectedLine(ln.id, ln.sku, max(ln.quantity - got.get(ln.id, 0), 0)) for ln in lines]
    if not any(e.outstanding for e in expected):
        raise Conflict(f"every item of return {row.number} was already received", code="already_received")
    kind, counted = count(expected, arrived)
    receipt.kind = kind
    receipt.return_id = row.id
    receipt.matched_by = via
    receipt.matched_at = now
    receipt.matched_actor = actor.label
    counted_rows = uow.floor.add_receipt_lines(
        [
            {
                "id": new_id("rcl"),
                "receipt_id": receipt.id,
                "return_line_id": c.line_id,
                "sku": c.sku,
                "expected_quantity": c.expected,
                "received_quantity": c.received,
                "kind": c.kind,
            }
            for c in counted
        ]
    )
    by_id = {ln.id: ln for ln in lines}
    for c in counted:
        line = by_id.get(c.line_id or "")
        if line is None or line.status == "inspected":
            continue
        if c.received > 0 or c.kind == "wrong_item":
            line.status = "received"
        elif c.kind == "missing" and not got.get(line.id):
            line.status = "missing"
    data = {
        "receipt_id": receipt.id,
        "node_code": receipt.node_code,
        "kind": kind,
        "matched_by": via,
        "received_at": receipt.received_at.isoformat(),
        "lines": [
            {"return_line_id": c.line_id, "sku": c.sku, "received": c.received, "kind": c.kind}
            for c in counted
        ],
    }
    if row.status in RECEIVABLE:
        previous = row.status
        row.status = transition(row.status, ReturnStatus.RECEIVED).value
        payload = {"number": row.number, "from": previous, **data}
        record(uow, actor, now, "return.received", "return", row.id, payload, topic="return.received")
        # A parcel in hand is delivered, whether or not the carrier said so.
        fire_trigger(uow, actor, now, row, "delivered")
    else:
        record(uow, actor, now, "return.parcel_received", "return", row.id, {"number": row.number, **data})
    row.updated_at = now
    finish_if_done(uow, actor, now, row)
    return receipt_view(receipt, counted_rows, row)


def receipt_view(
    receipt: ReceiptRow, lines: Sequence[ReceiptLineRow], ret: ReturnRow | None
) -> dict[str, Any]:
    """A receipt as the API shows it (with its return's number and status when matched)."""
    return {
        "id": receipt.id,
        "matched": receipt.return_id is not None,
        "kind": receipt.kind,
        "return_id": receipt.return_id,
        "return_number": ret.number if ret is not None else None,
        "return_status": ret.status if ret is not None else None,
        "node_code": receipt.node_code,
        "scan": receipt.scan,
        "matched_by": receipt.matched_by,
        "note": receipt.note,
        "received_at": receipt.received_at,
        "matched_at": receipt.matched_at,
        "lines": [
            {
                "return_line_id": ln.return_line_id,
                "sku": ln.sku,
                "expected_quantity": ln.expected_quantity,
                "received_quantity": ln.received_quantity,
                "kind": ln.kind,
            }
            for ln in lines
        ],
    }
