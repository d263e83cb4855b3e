"""Reversing a return's credits when the return ends without its items (cancelled, expired) or in error.

The ledger is append-only: a reversal adds, per credited entry, one entry with the same postings on
the opposite sides (balanced, idempotency-keyed so it happens once), and gives back what the entry
used up of the order's lines, so a later return of the same items can be credited. The credits
stay listed with status `reversed`; a refund instruction that no gateway has seen is `cancelled`.

Money already handed to a payment gateway is never reversed silently: a refund instruction that is
`submitted` (a gateway call may be under way) or `instructed` (paid out) makes the reversal — and
so the cancellation or expiry that asked for it — fail with a Conflict (HTTP 409,
`refund_already_paid`). The return then stays as it is; the items are still owed, and getting the
money back is a matter for finance outside this transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from returnflow.domain.errors import Conflict, NotFound
from returnflow.domain.ledger import Posting
from returnflow.domain.reversal import reversing_entry
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.credits import credit_view
from returnflow.services.ids import new_id
from returnflow.services.payment_port import FAILED, PENDING
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.tables import ReturnRow
    from returnflow.adapters.db.tables_ledger import RefundInstructionRow
    from returnflow.adapters.db.uow import Database, UnitOfWork

REVERSED = "reversed"
CANCELLED = "cancelled"
# Refund instructions no gateway has paid (a failed submission goes back to pending; one that failed
# every attempt is `failed`): cancelling one of these moves no money.
UNPAID = frozenset({PENDING, FAILED})


class RefundAlreadyPaid(Conflict):
    """The return's refund has reached the payment gateway: its credit cannot be reversed here."""


def reverse_in(
    uow: UnitOfWork, actor: Actor, at: datetime, row: ReturnRow, reason: str
) -> list[dict[str, Any]]:
    """Reverse the return's live credits inside the caller's transaction; the reversed credits' views.

    The caller holds the return row locked. Raises RefundAlreadyPaid when a refund was paid out.
    """
    credits = [c for c in uow.ledger.credits_of(row.id) if c.status != REVERSED]
    if not credits:
        return []
    instructions: list[RefundInstructionRow] = []
    for c in credits:
        if c.kind != "refund":
            continue
        instruction = uow.ledger.refund_instruction_of(c.id, for_update=True)
        if instruction is None:
            continue
        if instruction.status not in UNPAID:
            raise RefundAlreadyPaid(_paid_message(row, instruction), code="refund_already_paid")
        instructions.append(instruction)
    reversals: dict[str, str] = {}
    for entry_id in sorted({c.entry_id for c in credits}):
        originals = uow.ledger.postings_of(entry_id)
        undo = reversing_entry(Posting(p.account, p.side, p.amount, p.currency) for p in originals)
        reversal_id = new_id("led")
        uow.ledger.add_entry(
            {
                "id": reversal_id,
                "idempotency_key": f"credit-reversal:{entry_id}",
                "kind": "credit_reversal",
                "return_id": row.id,
                "order_id": row.order_id,
                "currency": row.currency,
                "memo": f"reversal of {entry_id} ({row.number}): {reason}"[:2000],
                "created_at": at,
                "created_by": actor.label,
            },
            [(p.account, p.side, p.amount, p.currency) for p in undo.postings],
        )
        uow.ledger.reverse_allocations(entry_id, reversal_id)
        reversals[entry_id] = reversal_id
    for instruction in instructions:
        instruction.status = CANCELLED
        instruction.last_error = f"cancelled before payment: {reason}"[:500]
    for c in credits:
        uow.ledger.set_credit_status(c.id, REVERSED, at)
        c.details = {**c.details, "reversal_entry_id": reversals[c.entry_id], "reversal_reason": reason}
    views = [credit_view(c) for c in credits]
    summary = {
        "number": row.number,
        "order_number": row.order_number,
        "reason": reason,
        "entries": [{"entry_id": e, "reversal_entry_id": r} for e, r in reversals.items()],
        "credits": [{"kind": v["kind"], "amount": v["amount"], "currency": v["currency"]} for v in views],
        "refunds_cancelled": [i.id for i in instructions],
    }
    record(uow, actor, at, "credit.reversed", "return", row.id, summary, topic="credit.reversed")
    uow.flush()  # the reversal's idempotency key is checked here, inside the caller's transaction
    return views


def _paid_message(row: ReturnRow, instruction: RefundInstructionRow) -> str:
    state = "is being paid out" if instruction.status != "instructed" else "was paid out"
    return (
        f"the refund of {instruction.amount} {instruction.currency} (minor units) for return "
        f"{row.number} {state} through the payment gateway ({instruction.provider}, refund "
        f"{instruction.id}); a paid refund is not reversed silently, so return {row.number} stays "
        f"{row.status}: recover the money from the customer first, or let the items come back"
    )


def reverse_credits(
    db: Database, clock: Clock, actor: Actor, return_id: str, reason: str
) -> list[dict[str, Any]]:
    """Finance reverses a return's credits (issued in error); the return's status is not changed."""
    actor.require("credits.issue")
    with db.uow(actor.tenant_id) as uow:
        row = uow.returns.get(return_id, for_update=True)
        if row is None:
            raise NotFound(f"return {return_id} not found", code="not_found")
        views = reverse_in(uow, actor, clock(), row, reason)
        if not views:
            raise Conflict(f"return {row.number} has no credit to reverse", code="nothing_to_reverse")
        uow.commit()
    return views
