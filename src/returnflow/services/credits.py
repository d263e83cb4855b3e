"""Credit use cases: fire a return's credit when its trigger is reached, manual credits, credit lists.

A return is credited exactly once. Two guards make that hold under concurrency: the return row is
locked (`SELECT … FOR UPDATE`) before anything is read, and the database refuses a second ledger
entry for the same return (unique idempotency key) or a second credit of one kind. The order's
lines are locked too, so concurrent returns of one order see each other's credits and the cap
"never more than was paid" holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from returnflow.domain.credits import CreditBasis, ReturnedLine, Settlement, settle
from returnflow.domain.errors import Conflict, NotFound, ValidationFailed
from returnflow.domain.grade_deductions import Deduction
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.ids import new_id
from returnflow.services.payment_port import PENDING, provider_idempotency_key
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.records import CreditRecord
    from returnflow.adapters.db.tables import ReturnRow
    from returnflow.adapters.db.tables_ledger import CreditRow
    from returnflow.adapters.db.uow import Database, UnitOfWork

EVENTS = ("approved", "first_scan", "delivered", "inspected")
# Which stored credit triggers each event reaches ("manual" is reached by no event).
REACHES: dict[str, frozenset[str]] = {
    "approved": frozenset({"immediate"}),
    "first_scan": frozenset({"immediate", "first_scan"}),
    "delivered": frozenset({"immediate", "first_scan", "delivered"}),
    "inspected": frozenset({"immediate", "first_scan", "delivered", "inspected"}),
}
# Statuses in which a return may be credited (it was approved and has not ended without its items).
CREDITABLE = frozenset({"approved", "in_transit", "delivered", "received", "inspected", "completed"})
# The status a fresh credit of each kind starts in.
INITIAL_STATUS = {"refund": PENDING, "store_credit": "issued", "exchange": "reserved", "fee": "withheld"}
DEFAULT_PROVIDER = "builtin"


def fire_trigger(
    uow: UnitOfWork,
    actor: Actor,
    at: datetime,
    return_row: ReturnRow,
    event: str,
    *,
    deductions: Sequence[Deduction] = (),
) -> list[dict[str, Any]]:
    """Issue the return's credit inside the caller's transaction if `event` reaches its trigger.

    `deductions` (found at inspection) are applied only to a credit released by this event:
    units not received are not credited, other deductions are withheld like fees.
    """
    if event not in REACHES:
        raise ValueError(f"unknown credit event {event!r}; one of {', '.join(EVENTS)}")
    if return_row.credit_trigger not in REACHES[event]:
        return []
    return issue_in(uow, actor, at, return_row.id, trigger=event, deductions=deductions)


def prepare(uow: UnitOfWork, rows: Sequence[ReturnRow]) -> None:
    """Before firing triggers for many returns locked by the caller: learn their credits in one query."""
    uow.ledger.check_credits(
        r.id for r in rows if r.status in CREDITABLE and r.credit_trigger in REACHES["inspected"]
    )


def issue_in(
    uow: UnitOfWork,
    actor: Actor,
    at: datetime,
    return_id: str,
    *,
    trigger: str,
    note: str | None = None,
    deductions: Sequence[Deduction] = (),
) -> list[dict[str, Any]]:
    """Credit a return now unless it is already credited (or not creditable); the views created."""
    row = uow.returns.get(return_id, for_update=True)
    if row is None or row.status not in CREDITABLE or uow.ledger.has_credit(row.id):
        return []
    lines = uow.returns.lines(row.id)
    order_lines = {ol.id: ol for ol in uow.orders.lines(row.order_id, for_update=True)}
    allocated = uow.ledger.allocated(list(order_lines))
    not_received = {d.line_id: d.amount for d in deductions if d.code == "not_received"}
    withheld = sum(d.amount for d in deductions if d.code != "not_received")
    returned = []
    for ln in lines:
        ol = order_lines[ln.order_line_id]
        paid = ol.unit_price * ol.quantity
        value = max(ln.unit_price * ln.quantity - not_received.get(ln.id, 0), 0)
        returned.append(ReturnedLine(ln.order_line_id, value, paid - allocated.get(ol.id, 0)))
    decision = row.decision or {}
    settlement = settle(
        CreditBasis(
            resolution=row.resolution,
            currency=row.currency,
            lines=tuple(returned),
            fees_total=int(decision.get("fees_total", 0)) + withheld,
            bonus=int(decision.get("bonus_credit", 0)),
        )
    )
    if settlement.empty:
        return []
    return _store(uow, actor, at, row, settlement, trigger, note, deductions)


def _store(
    uow: UnitOfWork,
    actor: Actor,
    at: datetime,
    row: ReturnRow,
    s: Settlement,
    trigger: str,
    note: str | None,
    deductions: Sequence[Deduction] = (),
) -> list[dict[str, Any]]:
    assert s.entry is not None
    entry_id = new_id("led")
    uow.ledger.add_entry(
        {
            "id": entry_id,
            "idempotency_key": f"return-credit:{row.id}",
            "kind": "return_credit",
            "return_id": row.id,
            "order_id": row.order_id,
            "currency": s.currency,
            "memo": f"credit of {row.number} ({row.resolution}, trigger {trigger})",
            "created_at": at,
            "created_by": actor.label,
        },
        [(p.account, p.side, p.amount, p.currency) for p in s.entry.postings],
    )
    uow.ledger.add_allocations(entry_id, row.order_id, s.allocations)
    details: dict[str, Any] = {
        "entry_id": entry_id,
        "items_credited": s.items_credited,
        "fees": (row.decision or {}).get("fees", []),
        "fees_withheld": s.fees_withheld,
        "bonus": s.bonus_granted,
        "note": note,
    }
    if deductions:
        details["deductions"] = [d.as_json() for d in deductions]
    if row.resolution == "exchange":
        # The return input names no replacement item: the same items are exchanged at equal value.
        details.update(replacement="same_items", replacement_value=s.replacement_value, charge=s.charge)
    credits = uow.ledger.add_credits(
        [
            {
                "id": new_id("crd"),
                "return_id": row.id,
                "order_id": row.order_id,
                "entry_id": entry_id,
                "kind": c.kind,
                "amount": c.amount,
                "currency": s.currency,
                "status": INITIAL_STATUS[c.kind],
                "trigger": trigger,
                "details": details,
                "created_at": at,
            }
            for c in s.credits
        ]
    )
    for c in credits:
        if c.kind == "refund":
            refund_id = new_id("rfd")  # stored now, before any gateway is called; the key derives from it
            uow.ledger.add_refund_instruction(
                {
                    "id": refund_id,
                    "credit_id": c.id,
                    "return_id": row.id,
                    "return_number": row.number,
                    "order_number": row.order_number,
                    "customer_email": row.customer_email,
                    "amount": c.amount,
                    "currency": c.currency,
                    "provider": DEFAULT_PROVIDER,
                    "provider_idempotency_key": provider_idempotency_key(refund_id, DEFAULT_PROVIDER),
                    "status": PENDING,
                    "created_at": at,
                }
            )
    views = [credit_view(c) for c in credits]
    summary = {
        "number": row.number,
        "order_number": row.order_number,
        "trigger": trigger,
        "entry_id": entry_id,
        "credits": [{"kind": v["kind"], "amount": v["amount"], "currency": v["currency"]} for v in views],
    }
    record(uow, actor, at, "credit.issued", "return", row.id, summary, topic="credit.issued")
    if row.resolution == "exchange":
        reserved = {
            "number": row.number,
            "items": [{"sku": ln.sku, "quantity": ln.quantity} for ln in uow.returns.lines(row.id)],
            "replacement_value": s.replacement_value,
            "charge": s.charge,
            "currency": s.currency,
        }
        record(uow, actor, at, "exchange.reserved", "return", row.id, reserved, topic="exchange.reserved")
    uow.flush()  # the unique keys are checked here, inside the caller's transaction
    return views


def credit_view(row: CreditRow | CreditRecord) -> dict[str, Any]:
    """A credit as the API shows it."""
    return {
        "id": row.id,
        "return_id": row.return_id,
        "kind": row.kind,
        "amount": row.amount,
        "currency": row.currency,
        "status": row.status,
        "trigger": row.trigger,
        "created_at": row.created_at,
    }


def fire(db: Database, clock: Clock, actor: Actor, return_id: str, event: str) -> list[dict[str, Any]]:
    """Fire a trigger for one return in its own transaction (worker jobs, tools, tests)."""
    with db.uow(actor.tenant_id) as uow:
        row = uow.returns.get(return_id, for_update=True)
        if row is None:
            raise NotFound(f"return {return_id} not found", code="not_found")
        views = fire_trigger(uow, actor, clock(), row, event)
        uow.commit()
    return views


def issue_manual(
    db: Database, clock: Clock, actor: Actor, return_id: str, note: str | None = None
) -> list[dict[str, Any]]:
    """Finance credits a return now (its trigger is `manual`, or the credit is released early)."""
    actor.require("credits.issue")
    with db.uow(actor.tenant_id) as uow:
        row = uow.returns.get(return_id, for_update=True)
        if row is None:
            raise NotFound(f"return {return_id} not found", code="not_found")
        if row.status not in CREDITABLE:
            raise Conflict(f"a return that is {row.status} cannot be credited", code="not_creditable")
        if uow.ledger.has_credit(row.id):
            raise Conflict(f"return {row.number} is already credited", code="already_credited")
        views = issue_in(uow, actor, clock(), row.id, trigger="manual", note=note)
        if not views:
            raise ValidationFailed(
                f"nothing left to credit: the lines of order {row.order_number} are fully credited",
                code="nothing_to_credit",
            )
        uow.commit()
    return views


def list_credits(db: Database, actor: Actor, return_id: str) -> list[dict[str, Any]]:
    """GET /returns/{id}/credits: the return's credits, oldest first."""
    actor.require("credits.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        row = uow.returns.get(return_id)
        if row is None:
            raise NotFound(f"return {return_id} not found", code="not_found")
        actor.ensure_visible(
            email=row.customer_email, node_code=row.destination_node, what=f"return {return_id}"
        )
        return [credit_view(c) for c in uow.ledger.credits_of(row.id)]
