"""Work orders: refurbish or repair a unit in WIP; the unit returns to stock with its new grade, and
the recovery actually achieved is recorded against the one expected at disposition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from returnflow.domain.disposition import Network, WorkNode
from returnflow.domain.errors import Conflict, NotFound, ValidationFailed
from returnflow.domain.inventory import Movement, landing_bucket
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.disposition import disposition_summary, inspected_unit
from returnflow.services.floor_documents import engine_in_force
from returnflow.services.floor_inputs import WorkOrderCompletion, WorkOrderInput
from returnflow.services.floor_scope import floor_line, floor_return, sees_node
from returnflow.services.ids import new_id
from returnflow.services.inventory import BUCKET_BY_GRADE, line_stock, move_in
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.tables import ReturnLineRow, ReturnRow
    from returnflow.adapters.db.tables_floor import DispositionRow, WorkOrderRow
    from returnflow.adapters.db.uow import Database, UnitOfWork

WORK_PATHS = ("refurbish", "repair")
# The path whose value a unit back in stock realises, by the bucket it lands in.
BUCKET_PATH = {"sellable": "restock", "open_box": "open_box", "liquidation": "liquidate", "scrap": "recycle"}


def open_work_order(
    db: Database, clock: Clock, actor: Actor, return_id: str, line_id: str, data: WorkOrderInput
) -> dict[str, Any]:
    """Open refurbish or repair work on a line whose disposition put it in that WIP bucket."""
    actor.require("work_orders.write")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        row, _ = floor_return(uow, actor, return_id, for_update=True)
        line = floor_line(uow, row, line_id)
        disposition = uow.floor.disposition_of(line.id, for_update=True)
        if disposition is None or disposition.path not in WORK_PATHS:
            path = disposition.path if disposition else "not decided"
            raise Conflict(
                f"line {line_id} is not on a refurbish or repair path ({path})", code="no_work_path"
            )
        kind = data.kind or disposition.path
        if kind != disposition.path:
            raise ValidationFailed(
                f"the line's disposition is {disposition.path}, not {kind}", code="kind_mismatch"
            )
        if any(w.status == "open" for w in uow.floor.work_orders_of(line.id)):
            raise Conflict(f"line {line_id} already has an open work order", code="work_in_progress")
        units = _in_wip(uow, line, disposition)
        work_order = uow.floor.add_work_order(
            id=new_id("wko"),
            return_id=row.id,
            return_line_id=line.id,
            kind=kind,
            node_code=data.node_code or disposition.node_code or disposition.origin_node,
            sku=line.sku,
            status="open",
            from_grade=line.grade or "F",
            parts=[],
            labor_minutes=0,
            cost=0,
            currency=disposition.currency,
            expected_recovery=disposition.expected_recovery,
            notes=data.notes,
            opened_at=now,
            opened_by=actor.label,
        )
        record(
            uow,
            actor,
            now,
            "work_order.opened",
            "return",
            row.id,
            {"work_order_id": work_order.id, "return_line_id": line.id, "kind": kind, "units": units},
            topic="work_order.opened",
        )
        view = work_order_view(work_order)
        uow.commit()
    return view


def _in_wip(uow: UnitOfWork, line: ReturnLineRow, disposition: DispositionRow) -> int:
    bucket = landing_bucket(disposition.path)
    units = line_stock(uow, line.id).get((disposition.origin_node, bucket or ""), 0)
    if units <= 0:
        raise Conflict(f"line {line.id} has no units in {bucket}", code="not_in_wip")
    return units


def complete_work_order(
    db: Database, clock: Clock, actor: Actor, work_order_id: str, data: WorkOrderCompletion
) -> dict[str, Any]:
    """Record parts, labor and outcome; the unit leaves WIP for the bucket of its new grade."""
    actor.require("work_orders.write")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        work_order = uow.floor.work_order(work_order_id, for_update=True)
        if work_order is None:
            raise NotFound(f"work order {work_order_id} not found", code="not_found")
        row = uow.returns.get(work_order.return_id, for_update=True)
        disposition = uow.floor.disposition_of(work_order.return_line_id, for_update=True)
        assert row is not None
        assert disposition is not None
        if not (sees_node(actor, work_order.node_code) or sees_node(actor, disposition.origin_node)):
            raise NotFound(f"work order {work_order_id} not found", code="not_found")
        if work_order.status != "open":
            raise Conflict(f"work order {work_order_id} is {work_order.status}", code="work_order_closed")
        line = floor_line(uow, row, work_order.return_line_id)
        units = _in_wip(uow, line, disposition)
        cost = sum(p.unit_cost * p.quantity for p in data.parts) + _labor(data.labor_minutes, data.labor_rate)
        grade: str = data.new_grade or "F"  # completions always carry one; a failure may not
        bucket = BUCKET_BY_GRADE[grade]
        wip = landing_bucket(disposition.path)
        move_in(
            uow,
            actor,
            now,
            [
                Movement(
                    disposition.origin_node,
                    line.sku,
                    wip,
                    bucket,
                    units,
                    f"work_order:{data.outcome}",
                    work_order.id,
                )
            ],
            return_id=row.id,
            line_id=line.id,
            grade=grade,
        )
        achieved = data.achieved_recovery
        if achieved is None:
            achieved = _realised(uow, row, line, disposition, grade, bucket, units) - cost
        work_order.status = "completed" if data.outcome != "failed" else "failed"
        work_order.outcome = data.outcome
        work_order.new_grade = grade
        work_order.parts = [p.model_dump() for p in data.parts]
        work_order.labor_minutes = data.labor_minutes
        work_order.cost = cost
        work_order.achieved_recovery = achieved
        work_order.completed_at = now
        work_order.completed_by = actor.label
        if data.notes:
            work_order.notes = f"{work_order.notes}\n{data.notes}" if work_order.notes else data.notes
        line.grade = grade
        line.disposition = {
            **disposition_summary(disposition),
            "work_order": {
                "id": work_order.id,
                "outcome": data.outcome,
                "new_grade": grade,
                "bucket": bucket,
                "achieved_recovery": achieved,
            },
        }
        record(
            uow,
            actor,
            now,
            "work_order.completed",
            "return",
            row.id,
            {
                "work_order_id": work_order.id,
                "return_line_id": line.id,
                "outcome": data.outcome,
                "new_grade": grade,
                "bucket": bucket,
                "cost": cost,
                "expected_recovery": work_order.expected_recovery,
                "achieved_recovery": achieved,
            },
            topic="work_order.completed",
        )
        view = work_order_view(work_order)
        uow.commit()
    return view


def _labor(minutes: int, rate_per_hour: int) -> int:
    """Labor cost in minor units, rounded half up to the minor unit."""
    return (minutes * rate_per_hour + 30) // 60


def _realised(
    uow: UnitOfWork,
    row: ReturnRow,
    line: ReturnLineRow,
    disposition: DispositionRow,
    grade: str,
    bucket: str,
    units: int,
) -> int:
    """What the unit brings from its new bucket at its new grade (tables' values, at its node)."""
    product = uow.catalog.product(line.sku)
    origin = uow.catalog.node(disposition.origin_node)
    if product is None or origin is None:  # pragma: no cover - both exist once decided
        return 0
    order_line = next(ol for ol in uow.orders.lines(row.order_id) if ol.id == line.order_line_id)
    unit = inspected_unit(line, product, order_line.list_price or order_line.unit_price, grade, ())
    home = WorkNode(origin.code, frozenset(origin.capabilities or ()) | {"restock", "liquidate", "recycle"})
    values = {v.path: v for v in engine_in_force(uow).value_paths(unit, Network(home))}
    value = values[BUCKET_PATH[bucket]]
    return (value.gross - value.handling) * units


def work_order_view(w: WorkOrderRow) -> dict[str, Any]:
    """A work order as the API shows it."""
    return {
        "id": w.id,
        "return_id": w.return_id,
        "return_line_id": w.return_line_id,
        "kind": w.kind,
        "node_code": w.node_code,
        "sku": w.sku,
        "status": w.status,
        "from_grade": w.from_grade,
        "new_grade": w.new_grade,
        "outcome": w.outcome,
        "parts": w.parts,
        "labor_minutes": w.labor_minutes,
        "cost": w.cost,
        "currency": w.currency,
        "expected_recovery": w.expected_recovery,
        "achieved_recovery": w.achieved_recovery,
        "notes": w.notes,
        "opened_at": w.opened_at,
        "completed_at": w.completed_at,
    }


def list_work_orders(
    db: Database, actor: Actor, status: str | None = None, node_code: str | None = None
) -> list[dict[str, Any]]:
    """Work orders, newest first (a node-bound key sees its node's)."""
    actor.require("work_orders.write")
    if actor.role in ("warehouse", "partner") and actor.node_code is not None:
        node_code = actor.node_code
    with db.uow(actor.tenant_id, readonly=True) as uow:
        return [work_order_view(w) for w in uow.floor.work_orders(status=status, node_code=node_code)]


def get_work_order(db: Database, actor: Actor, work_order_id: str) -> dict[str, Any]:
    """One work order."""
    actor.require("work_orders.write")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        w = uow.floor.work_order(work_order_id)
        if w is None or not sees_node(actor, w.node_code):
            raise NotFound(f"work order {work_order_id} not found", code="not_found")
        return work_order_view(w)
