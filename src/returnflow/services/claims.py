"""Carrier claims: transit damage found at inspection opens a claim with its evidence; status tracked."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from returnflow.domain.claims import claim_amount, transition
from returnflow.domain.errors import Conflict, NotFound, ValidationFailed
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.floor_inputs import ClaimUpdate
from returnflow.services.floor_scope import floor_line, floor_return
from returnflow.services.ids import new_id
from returnflow.services.photos import photo_view
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.tables import ReturnLineRow, ReturnRow
    from returnflow.adapters.db.tables_floor import (
        CarrierClaimRow,
        DispositionRow,
        InspectionRow,
    )
    from returnflow.adapters.db.uow import Database, UnitOfWork


def open_in(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    row: ReturnRow,
    line: ReturnLineRow,
    inspection: InspectionRow,
    disposition: DispositionRow | None,
    units: int,
) -> CarrierClaimRow:
    """Open the line's claim (once) with photos, weights and the parcel's tracking scans as evidence."""
    existing = uow.floor.claim_of(line.id)
    if existing is not None:
        return existing
    tracking = uow.tracking.tracking_of([row.id]).get(row.id)
    carrier = (tracking.carrier if tracking else None) or (
        row.carrier_service.split("-")[0] if row.carrier_service else None
    )
    value = line.unit_price * units
    recovery = disposition.expected_recovery if disposition is not None else 0
    evidence = {
        "photos": [
            {**photo_view(p), "uploaded_at": p.uploaded_at.isoformat()} for p in uow.floor.photos_of(line.id)
        ],
        "weights": inspection.weight_check,
        "tracking_scans": [
            {
                "status": e.status,
                "raw_status": e.raw_status,
                "occurred_at": e.occurred_at.isoformat(),
                "location": e.location,
                "carrier": e.carrier,
            }
            for e in uow.tracking.events_of(row.id)
        ],
        "grade": inspection.grade,
        "flags": list(inspection.flags or []),
        "notes": inspection.notes,
        "valuation": {"line_value": value, "expected_recovery": recovery, "units": units},
    }
    claim = uow.floor.add_claim(
        id=new_id("clm"),
        return_id=row.id,
        return_line_id=line.id,
        inspection_id=inspection.id,
        carrier=carrier,
        tracking_number=row.tracking_number,
        amount=claim_amount(value, recovery),
        currency=row.currency,
        evidence=evidence,
        status="opened",
        history=[{"status": "opened", "at": now.isoformat(), "by": actor.label, "note": None}],
        opened_at=now,
        updated_at=now,
    )
    record(
        uow,
        actor,
        now,
        "claim.opened",
        "return",
        row.id,
        {
            "claim_id": claim.id,
            "return_line_id": line.id,
            "amount": claim.amount,
            "currency": claim.currency,
            "carrier": carrier,
            "tracking_number": row.tracking_number,
        },
        topic="claim.opened",
    )
    return claim


def open_claim(db: Database, clock: Clock, actor: Actor, return_id: str, line_id: str) -> dict[str, Any]:
    """Open a claim for an inspected line by hand (damage noticed after inspection)."""
    actor.require("claims.write")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        row, _ = floor_return(uow, actor, return_id, for_update=True)
        line = floor_line(uow, row, line_id)
        inspection = uow.floor.inspection_of(line.id)
        if inspection is None:
            raise Conflict(f"line {line_id} is not inspected yet", code="not_inspected")
        if uow.floor.claim_of(line.id) is not None:
            raise Conflict(f"line {line_id} already has a claim", code="already_claimed")
        units = min(uow.floor.received_quantities(row.id).get(line.id, 0), line.quantity)
        claim = open_in(uow, actor, now, row, line, inspection, uow.floor.disposition_of(line.id), units)
        view = claim_view(claim)
        uow.commit()
    return view


def update_status(
    db: Database, clock: Clock, actor: Actor, claim_id: str, data: ClaimUpdate
) -> dict[str, Any]:
    """Move a claim along opened → submitted → paid | denied (illegal moves → 409)."""
    actor.require("claims.write")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        claim = uow.floor.claim(claim_id, for_update=True)
        if claim is None:
            raise NotFound(f"claim {claim_id} not found", code="not_found")
        previous = claim.status
        claim.status = transition(claim.status, data.status)
        if data.status == "paid":
            if data.paid_amount is None:
                raise ValidationFailed("a paid claim needs paid_amount", code="paid_amount_required")
            claim.paid_amount = data.paid_amount
        if data.carrier_reference:
            claim.carrier_reference = data.carrier_reference
        claim.status_note = data.note
        claim.history = [
            *claim.history,
            {"status": data.status, "at": now.isoformat(), "by": actor.label, "note": data.note},
        ]
        claim.updated_at = now
        record(
            uow,
            actor,
            now,
            f"claim.{data.status}",
            "return",
            claim.return_id,
            {"claim_id": claim.id, "from": previous, "to": data.status, "paid_amount": claim.paid_amount},
            topic=f"claim.{data.status}",
        )
        view = claim_view(claim)
        uow.commit()
    return view


def list_claims(db: Database, actor: Actor, status: str | None = None) -> list[dict[str, Any]]:
    """Claims, newest first."""
    actor.require("claims.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        return [claim_view(c) for c in uow.floor.claims(status=status)]


def get_claim(db: Database, actor: Actor, claim_id: str) -> dict[str, Any]:
    """One claim with its evidence and history."""
    actor.require("claims.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        claim = uow.floor.claim(claim_id)
        if claim is None:
            raise NotFound(f"claim {claim_id} not found", code="not_found")
        return claim_view(claim)


def claim_view(c: CarrierClaimRow) -> dict[str, Any]:
    """A claim as the API shows it."""
    return {
        "id": c.id,
        "return_id": c.return_id,
        "return_line_id": c.return_line_id,
        "status": c.status,
        "carrier": c.carrier,
        "tracking_number": c.tracking_number,
        "amount": c.amount,
        "currency": c.currency,
        "paid_amount": c.paid_amount,
        "carrier_reference": c.carrier_reference,
        "evidence": c.evidence,
        "history": c.history,
        "status_note": c.status_note,
        "opened_at": c.opened_at,
        "updated_at": c.updated_at,
    }
