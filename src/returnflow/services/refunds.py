"""Refund execution through the payments port, exactly once, and the refund-instruction export.

The instruction (and its id) is stored with the credit, before any gateway is called; the provider
idempotency key derives from that id. A run claims instructions (`submitted`, committed), calls the
gateway outside any transaction, then records the outcome. A crash in between leaves the row
`submitted`; the next run re-submits it with the same key, which the provider treats as the same
refund: a crash and a retry never pay twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.payment_port import (
    FAILED,
    INSTRUCTED,
    PENDING,
    SUBMITTED,
    PaymentGateway,
    RefundInstruction,
)
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.tables_ledger import RefundInstructionRow
    from returnflow.adapters.db.uow import Database

# A submitted instruction whose gateway call has not come back in this long is submitted again.
SUBMIT_LEASE = timedelta(seconds=60)


def instruction_of(row: RefundInstructionRow) -> RefundInstruction:
    """The port's view of a stored instruction."""
    return RefundInstruction(
        refund_id=row.id,
        idempotency_key=row.provider_idempotency_key,
        amount=row.amount,
        currency=row.currency,
        order_number=row.order_number,
        return_number=row.return_number,
        customer_email=row.customer_email,
    )


def instruction_view(row: RefundInstructionRow) -> dict[str, Any]:
    """A refund instruction as the export and the `refund.instructed` event show it."""
    return {
        "refund_id": row.id,
        "idempotency_key": row.provider_idempotency_key,
        "credit_id": row.credit_id,
        "return_id": row.return_id,
        "return_number": row.return_number,
        "order_number": row.order_number,
        "customer_email": row.customer_email,
        "amount": row.amount,
        "currency": row.currency,
        "provider": row.provider,
        "provider_reference": row.provider_reference,
        "status": row.status,
        "created_at": row.created_at.isoformat(),
        "instructed_at": row.instructed_at.isoformat() if row.instructed_at else None,
    }


def execute_refunds(
    db: Database, clock: Clock, actor: Actor, gateway: PaymentGateway, limit: int = 100
) -> int:
    """Hand pending refunds of the actor's tenant to the gateway; how many were instructed."""
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        claimed = [
            r
            for r in uow.ledger.claim_refunds([PENDING, SUBMITTED], limit)
            if r.provider == gateway.name
            and (r.status == PENDING or r.submitted_at is None or r.submitted_at <= now - SUBMIT_LEASE)
        ]
        for r in claimed:
            r.status, r.submitted_at, r.attempts = SUBMITTED, now, r.attempts + 1
        work = [(r.id, instruction_of(r)) for r in claimed]
        uow.commit()
    done = 0
    for refund_id, instruction in work:
        outcome = gateway.submit_refund(instruction)  # outside any transaction: it may be slow or fail
        at = clock()
        with db.uow(actor.tenant_id) as uow:
            row = uow.ledger.refund_instruction(refund_id, for_update=True)
            if row is None or row.status == INSTRUCTED:
                continue  # another run finished it first; the provider saw the same key
            if outcome.status != INSTRUCTED:
                row.last_error = outcome.error or outcome.status
                if outcome.status == FAILED:
                    row.status = PENDING
                uow.commit()
                continue
            row.status, row.instructed_at, row.provider_reference = INSTRUCTED, at, outcome.reference
            uow.ledger.set_credit_status(row.credit_id, INSTRUCTED, at)
            view = instruction_view(row)
            record(
                uow, actor, at, "refund.instructed", "return", row.return_id, view, topic="refund.instructed"
            )
            uow.commit()
            done += 1
    return done


def export_rows(db: Database, actor: Actor, status: str | None = None) -> list[dict[str, Any]]:
    """Every refund instruction of the tenant (optionally of one status), oldest first."""
    actor.require("ledger.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        return [instruction_view(r) for r in uow.ledger.refund_instructions(status=status)]
