"""Disposition tables: the figures every recovery path is valued from, in integer minor units.

Factors are basis points (1.0 = 10 000) so valuation stays in integers; loaded and validated from
YAML by ``adapters.disposition``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from returnflow.domain.inspection import SERIAL_MISMATCH

BP = 10_000


def bp_of(amount: int, *factors_bp: int) -> int:
    """`amount` × each factor (basis points), rounded once, half to even, to the minor unit."""
    numerator = amount
    denominator = 1
    for f in factors_bp:
        numerator *= f
        denominator *= BP
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2):
        quotient += 1
    return quotient


@dataclass(frozen=True, slots=True)
class WorkTerms:
    """Refurbish or repair for a category: cost, share that comes out sellable, the grade it reaches."""

    cost: int
    yield_bp: int
    result_grade: str
    from_grades: frozenset[str]


@dataclass(frozen=True, slots=True)
class VendorTerms:
    """What a vendor credits for a returned unit: `credit_bp` of unit cost, less a fee, for some grades."""

    vendor: str
    credit_bp: int
    grades: frozenset[str]
    fee: int = 0
    shipping_cost: int = 0
    accepts_hazmat: bool = False
    categories: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class CategoryTables:
    """Per-category figures; resale factors are of the unit's full price, by grade A–D."""

    resale_bp: Mapping[str, int]
    open_box_bp: int
    liquidation_bp: int
    donation_bp: int
    recycling_value: int
    recycling_cost: int
    disposal_cost: int
    refurbish: WorkTerms | None = None
    repair: WorkTerms | None = None


@dataclass(frozen=True)
class DispositionTables:
    """Everything valuation needs; `fraud_flags` send a unit to quarantine for fraud review."""

    currency: str
    categories: Mapping[str, CategoryTables]
    handling: Mapping[str, int]
    vendors: Mapping[str, VendorTerms] = field(default_factory=dict)
    quarantine_cost: int = 0
    restock_grades: frozenset[str] = frozenset({"A"})
    open_box_grades: frozenset[str] = frozenset({"A", "B", "C"})
    fraud_flags: frozenset[str] = frozenset({SERIAL_MISMATCH})

    def category(self, name: str) -> CategoryTables:
        """The tables for a category; categories without their own use ``other``."""
        found = self.categories.get(name)
        return found if found is not None else self.categories["other"]
