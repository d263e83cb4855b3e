"""Deductions applied when a return is credited at inspection: units that never arrived, and grades.

Units declared on the return but not received are not credited. When the policy allows it
(``grade_deductions``: percent of the value per grade), a unit inspected at a worse grade than
the customer was told is acceptable has that percent of its price withheld. Rounded half to even,
once per line, in minor units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal


@dataclass(frozen=True, slots=True)
class CreditedLine:
    """A return line at inspection: price, units declared and received, the grade given."""

    line_id: str
    sku: str
    unit_price: int
    quantity: int
    received: int
    grade: str | None


@dataclass(frozen=True, slots=True)
class Deduction:
    """One amount withheld from a line's credit, with its reason."""

    line_id: str
    sku: str
    code: str
    units: int
    amount: int
    grade: str | None
    percent: Decimal | None
    explanation: str

    def as_json(self) -> dict[str, object]:
        """As stored on the credit and the return's decision."""
        return {
            "return_line_id": self.line_id,
            "sku": self.sku,
            "code": self.code,
            "units": self.units,
            "amount": self.amount,
            "grade": self.grade,
            "percent": str(self.percent) if self.percent is not None else None,
            "explanation": self.explanation,
        }


def deductions(lines: Sequence[CreditedLine], by_grade: Mapping[str, Decimal]) -> tuple[Deduction, ...]:
    """Every deduction of a return's lines (empty when everything arrived and no grade costs anything)."""
    out: list[Deduction] = []
    for ln in lines:
        missing = max(ln.quantity - ln.received, 0)
        if missing:
            out.append(
                Deduction(
                    ln.line_id,
                    ln.sku,
                    "not_received",
                    missing,
                    ln.unit_price * missing,
                    None,
                    None,
                    f"{missing} of {ln.quantity} {ln.sku} not received",
                )
            )
        received = min(ln.received, ln.quantity)
        percent = by_grade.get(ln.grade) if ln.grade else None
        if received and percent:
            amount = int(
                (Decimal(ln.unit_price * received) * percent / 100).quantize(Decimal(1), ROUND_HALF_EVEN)
            )
            if amount:
                out.append(
                    Deduction(
                        ln.line_id,
                        ln.sku,
                        "grade",
                        received,
                        amount,
                        ln.grade,
                        percent,
                        f"{ln.sku} inspected at grade {ln.grade}: {percent}% of its price withheld",
                    )
                )
    return tuple(out)
