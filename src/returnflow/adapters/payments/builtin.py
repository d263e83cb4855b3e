"""The built-in gateway: refunds become instructions for the commerce platform (event + CSV export)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from returnflow.services.payment_port import INSTRUCTED, RefundInstruction, RefundOutcome

CSV_COLUMNS = (
    "refund_id",
    "idempotency_key",
    "order_number",
    "return_number",
    "customer_email",
    "amount",
    "currency",
    "status",
    "created_at",
    "instructed_at",
)


class BuiltinGateway:
    """Moves no money itself: the platform pays out from the `refund.instructed` event or the export."""

    name = "builtin"

    def submit_refund(self, instruction: RefundInstruction) -> RefundOutcome:
        """Accept the instruction; the service publishes it through the outbox in the same transaction."""
        return RefundOutcome(status=INSTRUCTED, reference=instruction.idempotency_key)


def instructions_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """Refund instructions as CSV (amounts in minor units), one row per refund, header first."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in CSV_COLUMNS})
    return buf.getvalue()
