"""The payments port: how a stored refund instruction reaches whoever moves the money."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# Refund instruction statuses: stored → submitted (a gateway call may be under way) → instructed;
# a failed submission goes back to pending to wait its backoff, and after the last one is `failed`.
PENDING = "pending"
SUBMITTED = "submitted"
INSTRUCTED = "instructed"
FAILED = "failed"


@dataclass(frozen=True)
class RefundInstruction:
    """A refund to the original payment, as a gateway sees it (already stored under `refund_id`)."""

    refund_id: str
    idempotency_key: str
    amount: int
    currency: str
    order_number: str
    return_number: str
    customer_email: str


@dataclass(frozen=True)
class RefundsDue:
    """Which of a provider's instructions a gateway run takes: `pending` ones whose backoff is over
    and `submitted` ones whose gateway call was started before `submitted_before` (lease ran out)."""

    provider: str
    now: datetime
    submitted_before: datetime
    pending: str = PENDING
    submitted: str = SUBMITTED


@dataclass(frozen=True)
class RefundOutcome:
    """What the gateway did: `instructed` (handed over) or `failed` (retry later, same key)."""

    status: str
    reference: str | None = None
    error: str | None = None


class PaymentGateway(Protocol):
    """Executes refunds; must treat a repeated `idempotency_key` as the same refund."""

    name: str

    def submit_refund(self, instruction: RefundInstruction) -> RefundOutcome:
        """Hand one refund over; safe to call again with the same instruction."""
        ...


def provider_idempotency_key(refund_id: str, provider: str) -> str:
    """The key a provider de-duplicates on, derived from the stored refund id (so retries match)."""
    digest = hashlib.sha256(f"returnflow-refund:{provider}:{refund_id}".encode()).hexdigest()
    return f"rf-{digest[:40]}"
