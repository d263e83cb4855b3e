"""Refund execution through the payments port, exactly once, and the refund-instruction export.

The instruction (and its id) is stored with the credit, before any gateway is called; the provider
idempotency key derives from that id. A run claims instructions (`submitted`, committed), calls the
gateway outside any transaction, then records the outcome. A crash in between leaves the row
`submitted`; the next run re-submits it with the same key, which the provider treats as the same
refund: a crash and a retry never pay twice.

A submission the gateway answers `failed` goes back to `pending` and waits (exponential backoff with
jitter, `next_attempt_at`) before the next one; after MAX_REFUND_ATTEMPTS submissions it is `failed`
for good, announced as `refund.failed`, and left to finance (the credit is still owed).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from returnflow.domain.webhooks import backoff_seconds
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.payment_port import (
    FAILED,
    INSTRUCTED,
    PENDING,
    SUBMITTED,
    PaymentGateway,
    RefundInstruction,
    RefundsDue,
)
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.tables_ledger import RefundInstructionRow
    from returnflow.adapters.db.uow import Database, UnitOfWork

# A submitted instruction whose gateway call has not come back in this long is submitted again.
SUBMIT_LEASE = timedelta(seconds=60)
# Submissions (failed ones included) before an instruction is given up as `failed`.
MAX_REFUND_ATTEMPTS = 8
# The wait after the n-th failed submission: a random point in the upper half of
# RETRY_BASE_S * 2**(n-1), capped at RETRY_CAP_S. The seven waits between eight attempts add up to
# one to two hours, so a gateway outage of that length passes without anyone stepping in.
RETRY_BASE_S = 60.0
RETRY_CAP_S = 3600.0


def due_now(provider: str, now: datetime) -> RefundsDue:
    """The provider's instructions a run takes at `now`: pending past their backoff, or lease over."""
    return RefundsDue(provider, now, now - SUBMIT_LEASE)


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
    db: Database,
    clock: Clock,
    actor: Actor,
    gateway: PaymentGateway,
    limit: int = 100,
    rng: random.Random | None = None,
) -> int:
    """Hand the actor's tenant's due refunds to the gateway; how many were instructed.

    Failed submissions are retried after a backoff drawn from `rng` (seeded in tests).
    """
    rng = rng or random.Random()
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        claimed = uow.ledger.claim_refunds(due_now(gateway.name, now), limit)
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
                if outcome.status == FAILED and row.status != SUBMITTED:
                    continue  # a run whose lease ran out: the newer submission's outcome decides
                row.last_error = outcome.error or outcome.status
                if outcome.status == FAILED:
                    _failed(uow, actor, at, row, rng)
                uow.commit()
                continue
            row.status, row.instructed_at, row.provider_reference = INSTRUCTED, at, outcome.reference
            row.next_attempt_at = None
            uow.ledger.set_credit_status(row.credit_id, INSTRUCTED, at)
            view = instruction_view(row)
            record(
                uow, actor, at, "refund.instructed", "return", row.return_id, view, topic="refund.instructed"
            )
            uow.commit()
            done += 1
    return done


def _failed(
    uow: UnitOfWork, actor: Actor, at: datetime, row: RefundInstructionRow, rng: random.Random
) -> None:
    """A submission failed: wait and retry, or, after the last attempt, give the refund up."""
    if row.attempts < MAX_REFUND_ATTEMPTS:
        delay = backoff_seconds(row.attempts, rng.uniform, base=RETRY_BASE_S, cap=RETRY_CAP_S)
        row.status, row.next_attempt_at = PENDING, at + timedelta(seconds=delay)
        return
    row.status, row.next_attempt_at = FAILED, None
    uow.ledger.set_credit_status(row.credit_id, FAILED, at)
    view = {**instruction_view(row), "attempts": row.attempts, "last_error": row.last_error}
    record(uow, actor, at, "refund.failed", "return", row.return_id, view, topic="refund.failed")


def export_rows(db: Database, actor: Actor, status: str | None = None) -> list[dict[str, Any]]:
    """Every refund instruction of the tenant (optionally of one status), oldest first."""
    actor.require("ledger.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        return [instruction_view(r) for r in uow.ledger.refund_instructions(status=status)]
