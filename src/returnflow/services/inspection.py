"""Inspection use cases: record a line's inspection, decide its disposition, finish the return.

The checklist is the tenant's for the product's category; the serial is checked against the order
line's serials and the weight against the product's (tolerance per category). When every line is
inspected (or declared missing) the return becomes `inspected` and a credit waiting for inspection
is released, less units never received and the grade deductions the policy allows.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

from returnflow.adapters.policy_document import load_policy
from returnflow.domain.errors import Conflict, NotFound
from returnflow.domain.grade_deductions import CreditedLine, deductions
from returnflow.domain.inspection import (
    Checklist,
    InspectionResult,
    SerialCheck,
    WeightCheck,
    check_serials,
    check_weight,
    evaluate,
)
from returnflow.domain.policy import Policy
from returnflow.domain.returns import ReturnStatus, transition
from returnflow.services import claims
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.credits import fire_trigger
from returnflow.services.disposition import decide_line, disposition_view
from returnflow.services.floor_documents import checklists_in_force
from returnflow.services.floor_inputs import InspectionInput
from returnflow.services.floor_scope import floor_line, floor_return, require_received
from returnflow.services.ids import new_id
from returnflow.services.photos import photo_view
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.tables import ReturnLineRow, ReturnRow
    from returnflow.adapters.db.tables_floor import InspectionRow
    from returnflow.adapters.db.uow import Database, UnitOfWork

DONE = frozenset({"inspected", "missing"})
WRONG_ITEM = "wrong_item"
_policies: dict[tuple[str, int], Policy] = {}
_lock = threading.Lock()


def inspect_line(
    db: Database, clock: Clock, actor: Actor, return_id: str, line_id: str, data: InspectionInput
) -> dict[str, Any]:
    """POST …/inspection: grade and checks, the disposition with its alternatives, a claim if damaged."""
    actor.require("floor.inspect")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        row, node = floor_return(uow, actor, return_id, for_update=True)
        node = require_received(row, node)
        line = floor_line(uow, row, line_id)
        if uow.floor.inspection_of(line.id) is not None:
            raise Conflict(f"line {line_id} is already inspected", code="already_inspected")
        units = min(uow.floor.received_quantities(row.id).get(line.id, 0), line.quantity)
        if units == 0:
            raise Conflict(f"nothing of line {line_id} was received", code="not_received")
        inspection, result = _record(uow, actor, now, row, line, node, units, data)
        disposition, _ = decide_line(uow, actor, now, row, line, inspection, units, _received_at(uow, row))
        claim = None
        if result.transit_damage:
            claim = claims.open_in(uow, actor, now, row, line, inspection, disposition, units)
        finish_if_done(uow, actor, now, row)
        view = {
            **line_view(line, units),
            "return_status": row.status,
            "inspection": inspection_view(inspection),
            "disposition": disposition_view(disposition),
            "claim": claims.claim_view(claim) if claim is not None else None,
        }
        uow.commit()
    return view


def _record(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    row: ReturnRow,
    line: ReturnLineRow,
    node: str,
    units: int,
    data: InspectionInput,
) -> tuple[InspectionRow, InspectionResult]:
    product = uow.catalog.product(line.sku)
    if product is None:  # pragma: no cover - lines always have their product
        raise NotFound(f"product {line.sku} not found", code="not_found")
    order_line = next(ol for ol in uow.orders.lines(row.order_id) if ol.id == line.order_line_id)
    checklists = checklists_in_force(uow)
    serial: SerialCheck | None = None
    if order_line.serials or data.scanned:
        serial = check_serials(list(order_line.serials or []), data.scanned)
    weight: WeightCheck | None = None
    if data.weight_grams is not None:
        tolerance = checklists.tolerance_for(product.category)
        weight = check_weight(product.weight_grams * units, data.weight_grams, tolerance)
    # Without answers the unit is graded alone: no questions, no required photos.
    checklist = (
        checklists.for_category(product.category)
        if data.checklist is not None
        else Checklist(product.category, ())
    )
    photos = uow.floor.photos_of(line.id)
    result = evaluate(
        checklist,
        data.checklist or {},
        [p.code for p in photos if p.code],
        grade=data.grade,
        serial=serial,
        weight=weight,
        transit_damage=data.transit_damage,
    )
    flags = set(result.flags) | set(data.qc_flags)
    if _wrong_item(uow, row, line):
        flags.add(WRONG_ITEM)
    received_at = _received_at(uow, row)
    started = data.started_at or (photos[0].uploaded_at if photos else now)
    started = min(started, now)
    inspection = uow.floor.add_inspection(
        id=new_id("ins"),
        return_id=row.id,
        return_line_id=line.id,
        node_code=node,
        sku=line.sku,
        category=product.category,
        grade=result.grade,
        max_grade=result.max_grade,
        answers=dict(data.checklist or {}),
        items=[
            {"code": i.code, "answer": i.answer, "passed": i.passed, "fail_grade": i.fail_grade}
            for i in result.items
        ],
        serials=data.scanned,
        serial_check=(
            {
                "expected": list(serial.expected),
                "scanned": list(serial.scanned),
                "unexpected": list(serial.unexpected),
                "missing_scan": serial.missing_scan,
                "ok": serial.ok,
            }
            if serial is not None
            else None
        ),
        weight_grams=data.weight_grams,
        weight_check=(
            {
                "expected_grams": weight.expected_grams,
                "measured_grams": weight.measured_grams,
                "allowed_grams": weight.allowed_grams,
                "deviation_grams": weight.deviation_grams,
                "direction": weight.direction,
                "ok": weight.ok,
            }
            if weight is not None
            else None
        ),
        flags=sorted(flags),
        notes=data.notes,
        started_at=started,
        finished_at=now,
        inspection_seconds=int((now - started).total_seconds()),
        dwell_seconds=int((started - received_at).total_seconds()) if received_at else None,
        inspector=actor.label,
    )
    line.grade = result.grade
    line.status = "inspected"
    record(
        uow,
        actor,
        now,
        "inspection.recorded",
        "return",
        row.id,
        {
            "return_line_id": line.id,
            "sku": line.sku,
            "grade": result.grade,
            "flags": sorted(flags),
            "node_code": node,
            "inspection_seconds": inspection.inspection_seconds,
        },
    )
    uow.flush()  # a concurrent inspection of the same line is refused here (unique per line)
    return inspection, _with_flags(result, frozenset(flags))


def _with_flags(result: InspectionResult, flags: frozenset[str]) -> InspectionResult:
    return InspectionResult(
        result.category,
        result.items,
        result.max_grade,
        result.grade,
        flags,
        result.serial,
        result.weight,
        result.photos,
    )


def _wrong_item(uow: UnitOfWork, row: ReturnRow, line: ReturnLineRow) -> bool:
    receipts = [r.id for r in uow.floor.receipts_of(row.id)]
    return any(
        ln.kind == WRONG_ITEM and ln.return_line_id == line.id for ln in uow.floor.receipt_lines(receipts)
    )


def _received_at(uow: UnitOfWork, row: ReturnRow) -> datetime | None:
    receipts = uow.floor.receipts_of(row.id)
    return receipts[0].received_at if receipts else None


def _policy_of(uow: UnitOfWork, version: int) -> Policy | None:
    key = (uow.tenant_id, version)
    found = _policies.get(key)
    if found is None:
        stored = uow.policies.version(version)
        if stored is None:
            return None
        found = load_policy(stored.document, version=version)
        with _lock:
            _policies[key] = found
    return found


def finish_if_done(uow: UnitOfWork, actor: Actor, now: datetime, row: ReturnRow) -> list[dict[str, Any]]:
    """When every line is inspected or missing: the return becomes `inspected` and its credit may fire."""
    if row.status != ReturnStatus.RECEIVED.value:
        return []
    lines = uow.returns.lines(row.id)
    if not all(ln.status in DONE for ln in lines):
        return []
    row.status = transition(row.status, ReturnStatus.INSPECTED).value
    row.updated_at = now
    got = uow.floor.received_quantities(row.id)
    policy = _policy_of(uow, row.policy_version)
    by_grade = dict(policy.grade_deductions) if policy is not None else {}
    found = deductions(
        [
            CreditedLine(
                ln.id, ln.sku, ln.unit_price, ln.quantity, min(got.get(ln.id, 0), ln.quantity), ln.grade
            )
            for ln in lines
        ],
        by_grade,
    )
    credits = fire_trigger(uow, actor, now, row, "inspected", deductions=found)
    applied = found if credits else ()
    if applied:
        row.decision = {**(row.decision or {}), "deductions": [d.as_json() for d in applied]}
        row.refund_total = max(row.refund_total - sum(d.amount for d in applied), 0)
    record(
        uow,
        actor,
        now,
        "return.inspected",
        "return",
        row.id,
        {
            "number": row.number,
            "grades": {ln.id: ln.grade for ln in lines},
            "deductions": [d.as_json() for d in applied],
            "credited": bool(credits),
        },
        topic="return.inspected",
    )
    return credits


def line_view(line: ReturnLineRow, received: int) -> dict[str, Any]:
    """A return line on the floor: what was declared and received, its status and grade."""
    return {
        "id": line.id,
        "return_id": line.return_id,
        "order_line_id": line.order_line_id,
        "sku": line.sku,
        "quantity": line.quantity,
        "received_quantity": received,
        "status": line.status,
        "grade": line.grade,
    }


def inspection_view(row: InspectionRow) -> dict[str, Any]:
    """An inspection as the API shows it."""
    return {
        "id": row.id,
        "grade": row.grade,
        "max_grade": row.max_grade,
        "category": row.category,
        "node_code": row.node_code,
        "answers": row.answers,
        "items": row.items,
        "serials": row.serials,
        "serial_check": row.serial_check,
        "weight_grams": row.weight_grams,
        "weight_check": row.weight_check,
        "flags": row.flags,
        "notes": row.notes,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "inspection_seconds": row.inspection_seconds,
        "dwell_seconds": row.dwell_seconds,
        "inspector": row.inspector,
    }


def get_line(db: Database, actor: Actor, return_id: str, line_id: str) -> dict[str, Any]:
    """GET …/lines/{line_id}/inspection: the line with its inspection, disposition, photos and claim."""
    actor.require("floor.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        row, _ = floor_return(uow, actor, return_id)
        line = floor_line(uow, row, line_id)
        inspection = uow.floor.inspection_of(line.id)
        disposition = uow.floor.disposition_of(line.id)
        claim = uow.floor.claim_of(line.id)
        received = min(uow.floor.received_quantities(row.id).get(line.id, 0), line.quantity)
        return {
            **line_view(line, received),
            "return_status": row.status,
            "inspection": inspection_view(inspection) if inspection is not None else None,
            "disposition": disposition_view(disposition) if disposition is not None else None,
            "claim": claims.claim_view(claim) if claim is not None else None,
            "photos": [photo_view(p) for p in uow.floor.photos_of(line.id)],
        }


def checklist_for_line(db: Database, actor: Actor, return_id: str, line_id: str) -> dict[str, Any]:
    """What the inspector is asked for a line: its category's questions, required photos, weight."""
    actor.require("floor.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        row, _ = floor_return(uow, actor, return_id)
        line = floor_line(uow, row, line_id)
        product = uow.catalog.product(line.sku)
        if product is None:  # pragma: no cover - lines always have their product
            raise NotFound(f"product {line.sku} not found", code="not_found")
        checklists = checklists_in_force(uow)
        checklist = checklists.for_category(product.category)
        received = min(uow.floor.received_quantities(row.id).get(line.id, 0), line.quantity)
        expected = product.weight_grams * max(received, 1)
        taken = {p.code for p in uow.floor.photos_of(line.id) if p.code}
        order_line = next(ol for ol in uow.orders.lines(row.order_id) if ol.id == line.order_line_id)
        return {
            "return_line_id": line.id,
            "sku": line.sku,
            "category": product.category,
            "checklist_category": checklist.category,
            "questions": [
                {
                    "code": q.code,
                    "prompt": q.prompt,
                    "kind": q.kind,
                    "fail_grade": q.fail_grade,
                    "required": q.required,
                    "flag": q.flag,
                    "unit": q.unit,
                    "min": q.minimum,
                    "max": q.maximum,
                }
                for q in checklist.questions
            ],
            "photos": [
                {"code": p.code, "label": p.label, "taken": p.code in taken} for p in checklist.photos
            ],
            "weight": {
                "expected_grams": expected,
                "allowed_grams": checklists.tolerance_for(product.category).allowed(expected),
            },
            # The order's serials stay hidden from the floor: only whether one must be scanned.
            "serial_required": bool(order_line.serials) or product.serialized,
            "received_quantity": received,
        }
