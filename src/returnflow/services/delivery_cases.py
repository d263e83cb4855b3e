"""Failed deliveries (NDR): outbound shipments, the case an exception opens, and what is done about it.

An outbound shipment is an order's parcel on its way to the customer, known by its tracking number.
When a carrier event for it reports `exception`, `failure` or `returned_to_sender`, a delivery case
opens (one open case per shipment: later trouble scans are added to it). A person then resolves the
case with one action:

- `reattempt`: the carrier delivers again; the shipment is active again.
- `address_correction`: the carrier delivers to a corrected address (kept on the shipment).
- `return_to_origin`: the parcel comes back. A return of type `failed_delivery` is created at once,
  approved, for every unit of the shipment not already being returned, under the shipment's tracking
  number (so the carrier's next scans move it). No policy window or fee applies: the whole price is
  credited as a refund when the tenant's policy offers refunds (else store credit; the action may
  choose store credit), once the carrier reports the parcel delivered back (trigger `delivered`).

Every step is recorded (audit + outbox): `shipment.registered`, `delivery_case.opened`,
`delivery_case.resolved` and, for a return to origin, `return.failed_delivery`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from returnflow.domain.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from returnflow.domain.returns import ReturnStatus, transition
from returnflow.domain.tracking import CarrierEvent, TrackingStatus, normalize_tracking_number
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.credits import fire_trigger
from returnflow.services.ids import new_id, rma_number
from returnflow.services.inputs import Country, Strict
from returnflow.services.policies import policy_in_force
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.records import OrderLineRecord
    from returnflow.adapters.db.tables import ReturnRow
    from returnflow.adapters.db.tables_shipments import DeliveryCaseRow, OutboundShipmentRow
    from returnflow.adapters.db.uow import Database, UnitOfWork

ACTIONS = ("reattempt", "address_correction", "return_to_origin")
# The carrier statuses that say a delivery failed.
OPENING = frozenset({TrackingStatus.EXCEPTION, TrackingStatus.FAILURE, TrackingStatus.RETURNED_TO_SENDER})
ACTIVE, EXCEPTION, RETURNING = "active", "exception", "returning"
OPEN, RESOLVED = "open", "resolved"
FAILED_DELIVERY = "failed_delivery"
RTO_METHOD = "return_to_origin"
RTO_TRIGGER = "delivered"
RTO_REASON = "failed_delivery"

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class AddressInput(Strict):
    """A delivery address."""

    name: str | None = Field(default=None, max_length=200)
    line1: Short
    line2: str | None = Field(default=None, max_length=200)
    city: Short
    region: str | None = Field(default=None, max_length=100)
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=12)]
    country: Country


class ShipmentLineInput(Strict):
    """An order line (and how many of its units) in a partial shipment."""

    order_line_id: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    quantity: Annotated[int, Field(ge=1, le=10_000)]


class ShipmentInput(Strict):
    """Body of POST /v1/shipments."""

    order_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    tracking_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    carrier: str | None = Field(default=None, max_length=40)
    address: AddressInput | None = None
    lines: list[ShipmentLineInput] | None = Field(
        default=None, max_length=500, description="the lines in this parcel; the whole order when absent"
    )


class CaseActionInput(Strict):
    """Body of POST /v1/delivery-cases/{id}/actions."""

    action: Literal["reattempt", "address_correction", "return_to_origin"]
    address: AddressInput | None = Field(default=None, description="required for address_correction")
    resolution: Literal["refund", "store_credit"] | None = Field(
        default=None, description="return_to_origin only; default: refund if the policy offers it"
    )
    note: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _fits_action(self) -> CaseActionInput:
        if self.action == "address_correction" and self.address is None:
            raise ValueError("address_correction needs the corrected address")
        if self.action != "address_correction" and self.address is not None:
            raise ValueError("an address is only taken by address_correction")
        if self.action != "return_to_origin" and self.resolution is not None:
            raise ValueError("a resolution is only taken by return_to_origin")
        return self


# --- shipments -------------------------------------------------------------------------------


def register_shipment(db: Database, clock: Clock, actor: Actor, data: ShipmentInput) -> dict[str, Any]:
    """POST /shipments: an order's parcel on its way out; its carrier events may open cases."""
    actor.require("orders.write")
    try:
        number = normalize_tracking_number(data.tracking_number)
    except ValueError as err:
        raise ValidationFailed(
            "the tracking number is not valid",
            code="invalid_shipment",
            problems=[FieldProblem("tracking_number", "invalid_tracking_number", str(err))],
        ) from err
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        order = uow.orders.by_number(data.order_number)
        if order is None or not actor.sees_customer(order.customer_email):
            raise NotFound(f"order {data.order_number} not found", code="not_found")
        lines = _shipment_lines(uow.orders.lines(order.id), data)
        if uow.shipments.by_tracking([number]):
            raise Conflict(f"a shipment with tracking number {number} exists", code="shipment_exists")
        row = uow.shipments.add_shipment(
            id=new_id("shp"),
            order_id=order.id,
            order_number=order.number,
            tracking_number=number,
            carrier=data.carrier,
            status=ACTIVE,
            address=data.address.model_dump() if data.address else None,
            lines=lines,
            created_at=now,
            updated_at=now,
        )
        view = shipment_view(row)
        record(uow, actor, now, "shipment.registered", "shipment", row.id, view, topic="shipment.registered")
        uow.flush()
        uow.commit()
    return view


def _shipment_lines(
    order_lines: Sequence[OrderLineRecord], data: ShipmentInput
) -> list[dict[str, Any]] | None:
    if data.lines is None:
        return None
    known = {ol.id: ol for ol in order_lines}
    problems = []
    for i, item in enumerate(data.lines):
        ol = known.get(item.order_line_id)
        if ol is None:
            problems.append(
                FieldProblem(f"lines[{i}].order_line_id", "unknown_order_line", "not a line of the order")
            )
        elif item.quantity > ol.quantity:
            problems.append(
                FieldProblem(f"lines[{i}].quantity", "quantity_exceeded", f"the line has {ol.quantity}")
            )
    if problems:
        raise ValidationFailed(
            "the shipment does not match the order", code="invalid_shipment", problems=problems
        )
    return [{"order_line_id": i.order_line_id, "quantity": i.quantity} for i in data.lines]


def get_shipment(db: Database, actor: Actor, shipment_id: str) -> dict[str, Any]:
    """GET /shipments/{id}: the shipment with its delivery cases."""
    actor.require("returns.decide")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        row = uow.shipments.shipment(shipment_id)
        if row is None:
            raise NotFound(f"shipment {shipment_id} not found", code="not_found")
        return {**shipment_view(row), "cases": [case_view(c, row) for c in uow.shipments.cases_of(row.id)]}


# --- cases opened by carrier events ------------------------------------------------------------


def on_carrier_events(uow: UnitOfWork, actor: Actor, now: datetime, events: Sequence[CarrierEvent]) -> int:
    """Open (or add to) the delivery case of each outbound shipment a trouble event is about.

    Called by the tracking ingestion with the events it stored as new, in its transaction; how many
    cases were opened. Shipments coming back (return to origin) open no more cases.
    """
    trouble = sorted((e for e in events if e.status in OPENING), key=lambda e: (e.occurred_at, e.event_id))
    if not trouble:
        return 0
    shipments = uow.shipments.by_tracking({e.tracking_number for e in trouble}, for_update=True)
    if not shipments:
        return 0
    open_cases = uow.shipments.open_cases_of([s.id for s in shipments.values()])
    opened = 0
    for event in trouble:
        shipment = shipments.get(event.tracking_number)
        if shipment is None or shipment.status == RETURNING:
            continue
        shipment.carrier = shipment.carrier or (event.carrier[:40] if event.carrier else None)
        note = _note(event)
        case = open_cases.get(shipment.id)
        if case is not None:
            case.events += 1
            if event.occurred_at >= case.last_event_at:
                case.last_event_at, case.reason, case.note = event.occurred_at, event.status.value, note
            data = {"event_id": event.event_id, "tracking_status": event.status.value, "note": note}
            record(uow, actor, now, "delivery_case.exception", "delivery_case", case.id, data)
            continue
        case = uow.shipments.add_case(
            id=new_id("dlc"),
            shipment_id=shipment.id,
            open_key=shipment.id,
            status=OPEN,
            reason=event.status.value,
            note=note,
            events=1,
            opened_at=now,
            last_event_at=event.occurred_at,
        )
        open_cases[shipment.id] = case
        shipment.status, shipment.updated_at = EXCEPTION, now
        view = case_view(case, shipment)
        record(uow, actor, now, "delivery_case.opened", "delivery_case", case.id,
               {**view, "event_id": event.event_id}, topic="delivery_case.opened", payload=view)  # fmt: skip
        opened += 1
    uow.flush()  # the one-open-case key is checked here
    return opened


def _note(event: CarrierEvent) -> str:
    detail = event.message or event.substatus or event.raw_status
    where = f" at {event.location}" if event.location else ""
    return f"carrier reported {event.status.value} ({detail}){where}"


# --- cases: read and act --------------------------------------------------------------------


def list_cases(
    db: Database, actor: Actor, *, status: str | None = None, after_id: str | None = None, limit: int = 50
) -> tuple[list[dict[str, Any]], str | None]:
    """GET /delivery-cases: newest first; returns (page, id to continue after or None)."""
    actor.require("returns.decide")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        rows = uow.shipments.cases(status=status, after_id=after_id, limit=limit + 1)
        page = rows[:limit]
        shipments = uow.shipments.shipments_of([c.shipment_id for c in page])
        items = [case_view(c, shipments[c.shipment_id]) for c in page]
    return items, (page[-1].id if len(rows) > limit else None)


def get_case(db: Database, actor: Actor, case_id: str) -> dict[str, Any]:
    """GET /delivery-cases/{id}."""
    actor.require("returns.decide")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        case = uow.shipments.case(case_id)
        shipment = uow.shipments.shipment(case.shipment_id) if case is not None else None
        if case is None or shipment is None:
            raise NotFound(f"delivery case {case_id} not found", code="not_found")
        return case_view(case, shipment)


def act(db: Database, clock: Clock, actor: Actor, case_id: str, body: CaseActionInput) -> dict[str, Any]:
    """POST /delivery-cases/{id}/actions: resolve an open case (a closed one → 409 `case_closed`)."""
    actor.require("returns.decide")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        case = uow.shipments.case(case_id, for_update=True)
        shipment = uow.shipments.shipment(case.shipment_id, for_update=True) if case is not None else None
        if case is None or shipment is None:
            raise NotFound(f"delivery case {case_id} not found", code="not_found")
        if case.status != OPEN:
            raise Conflict(
                f"delivery case {case.id} was already resolved ({case.action})", code="case_closed"
            )
        details: dict[str, Any] = {"note": body.note}
        if body.action == "return_to_origin":
            ret = _return_to_origin(uow, actor, now, case, shipment, body.resolution)
            shipment.status = RETURNING
            case.return_id = ret.id
            details.update(return_id=ret.id, return_number=ret.number, resolution=ret.resolution)
        else:
            if body.address is not None:
                shipment.address = body.address.model_dump()
                details["address"] = shipment.address
            shipment.status = ACTIVE
        shipment.updated_at = now
        case.status, case.open_key, case.resolved_at, case.resolved_by = RESOLVED, None, now, actor.label
        case.action, case.action_data = body.action, details
        view = case_view(case, shipment)
        record(uow, actor, now, "delivery_case.resolved", "delivery_case", case.id, view,
               topic="delivery_case.resolved")  # fmt: skip
        uow.commit()
    return view


def _return_to_origin(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    case: DeliveryCaseRow,
    shipment: OutboundShipmentRow,
    asked: str | None,
) -> ReturnRow:
    """The approved `failed_delivery` return of the parcel's units (no window, no fee, full credit)."""
    order = uow.orders.by_number(shipment.order_number)
    if order is None:  # pragma: no cover - shipments are registered against existing orders
        raise NotFound(f"order {shipment.order_number} not found", code="not_found")
    order_lines = uow.orders.lines(order.id, for_update=True)
    shipped = {ln["order_line_id"]: int(ln["quantity"]) for ln in shipment.lines or []}
    units: list[tuple[OrderLineRecord, int]] = []
    for ol in order_lines:
        quantity = min(shipped.get(ol.id, 0) if shipped else ol.quantity, ol.quantity - ol.returned_quantity)
        if quantity > 0:
            units.append((ol, quantity))
    if not units:
        raise Conflict(
            f"every unit of order {order.number} in this parcel is already being returned",
            code="nothing_returnable",
        )
    policy = policy_in_force(uow)
    resolution = asked or ("refund" if "refund" in policy.resolutions else "store_credit")
    items_total = sum(ol.unit_price * q for ol, q in units)
    status = transition(ReturnStatus.REQUESTED, ReturnStatus.APPROVED).value
    return_id = new_id("ret")
    origin = {"case_id": case.id, "shipment_id": shipment.id, "tracking_number": shipment.tracking_number}
    decision = {
        "outcome": "approved",
        "reasons": [],
        "rules_fired": [],
        "fees": [],
        "lines": [],
        "resolution": resolution,
        "resolutions_allowed": ["refund", "store_credit"],
        "currency": order.currency,
        "items_total": items_total,
        "fees_total": 0,
        "bonus_credit": 0,
        "refund_total": items_total,
        "credit_trigger": RTO_TRIGGER,
        "keep_it": False,
        "policy_version": policy.version,
        "ship_by": None,
        "label_expires_at": None,
        "required_checks": [],
        "failed_delivery": origin,
    }
    lines = []
    for i, (ol, quantity) in enumerate(units):
        uow.orders.claim(ol.id, quantity)
        lines.append(
            {
                "id": new_id("rtl"),
                "return_id": return_id,
                "position": i,
                "order_line_id": ol.id,
                "sku": ol.sku,
                "quantity": quantity,
                "unit_price": ol.unit_price,
                "reason": RTO_REASON,
                "note": None,
                "opened": False,
                "serial": None,
                "status": status,
            }
        )
    row, _ = uow.returns.add(
        {
            "id": return_id,
            "number": rma_number(),
            "type": FAILED_DELIVERY,
            "order_id": order.id,
            "order_number": order.number,
            "customer_email": order.customer_email,
            "status": status,
            "resolution": resolution,
            "method": RTO_METHOD,
            "currency": order.currency,
            "items_total": items_total,
            "units": sum(q for _, q in units),
            "refund_total": items_total,
            "policy_version": policy.version,
            "credit_trigger": RTO_TRIGGER,
            "decision": decision,
            "risk": {"score": 0, "tier": "low", "reasons": []},
            "tracking_number": shipment.tracking_number,
            "status_note": f"failed delivery: {case.note}" if case.note else "failed delivery",
            "created_at": now,
            "updated_at": now,
        },
        lines,
    )
    # The parcel's outbound scans are its history, not news for the return: attach, do not apply.
    uow.tracking.attach_unmatched(shipment.tracking_number, row.id)
    data = {
        "number": row.number,
        "order_number": order.number,
        "status": status,
        "type": FAILED_DELIVERY,
        "resolution": resolution,
        "refund_total": items_total,
        **origin,
    }
    record(uow, actor, now, f"return.{status}", "return", row.id, data, topic="return.failed_delivery")
    fire_trigger(uow, actor, now, row, "approved")
    return row


# --- views ----------------------------------------------------------------------------------


def shipment_view(row: OutboundShipmentRow) -> dict[str, Any]:
    """A shipment as the API shows it."""
    return {
        "id": row.id,
        "order_number": row.order_number,
        "tracking_number": row.tracking_number,
        "carrier": row.carrier,
        "status": row.status,
        "address": row.address,
        "lines": row.lines,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def case_view(case: DeliveryCaseRow, shipment: OutboundShipmentRow) -> dict[str, Any]:
    """A delivery case as the API shows it, with its shipment."""
    return {
        "id": case.id,
        "status": case.status,
        "reason": case.reason,
        "note": case.note,
        "events": case.events,
        "opened_at": case.opened_at.isoformat(),
        "last_event_at": case.last_event_at.isoformat(),
        "resolved_at": case.resolved_at.isoformat() if case.resolved_at else None,
        "resolved_by": case.resolved_by,
        "action": case.action,
        "action_details": case.action_data,
        "return_id": case.return_id,
        "shipment": {
            "id": shipment.id,
            "order_number": shipment.order_number,
            "tracking_number": shipment.tracking_number,
            "carrier": shipment.carrier,
            "status": shipment.status,
        },
    }
