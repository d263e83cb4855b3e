"""The compiled return-policy model: vocabulary, rules and settings as frozen dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

RESOLUTIONS = ("refund", "store_credit", "exchange")
METHODS = ("drop_off", "pickup", "in_store", "keep_it")
# Strictness order: a later trigger releases the credit later, so it is "stricter".
CREDIT_TRIGGERS = ("immediate", "first_scan", "delivered", "inspected", "manual")
RISK_TIERS = ("low", "medium", "high")
DEFAULT_REASONS: tuple[tuple[str, str], ...] = (
    ("size_too_small", "Too small"),
    ("size_too_large", "Too large"),
    ("defective", "Defective or doesn't work"),
    ("damaged_in_transit", "Arrived damaged"),
    ("wrong_item", "Wrong item sent"),
    ("not_as_described", "Not as described"),
    ("changed_mind", "Changed my mind"),
    ("arrived_late", "Arrived too late"),
    ("better_price", "Found a better price"),
    ("other", "Other"),
)
DEFAULT_CREDIT_TRIGGERS: tuple[tuple[str, str], ...] = (
    ("low", "immediate"),
    ("medium", "first_scan"),
    ("high", "inspected"),
)
# Checks a rule can ask the returns center to perform when the parcel is inspected.
CHECKS = ("serial_match", "weight_match", "hygiene_seal", "tags_attached", "functional_test", "photos")
CHARGE_BASES = ("return", "line", "unit")


class Condition(Protocol):
    """A compiled boolean expression over the condition context, with its source for explanations."""

    @property
    def source(self) -> str:
        """The expression as the specialist wrote it."""
        ...

    def __call__(self, context: Mapping[str, Any]) -> bool:
        """True when the expression holds for this context."""
        ...


@dataclass(frozen=True)
class Charge:
    """A fee or bonus: a fixed amount or a percentage of value, once per return, per line or per unit.

    `amount` is in minor units of the policy currency; `percent` is of the value (unit price ×
    returned quantity) of the lines the charge applies to, rounded half-even once per charge.
    `waive_when` is evaluated per line: a waived line neither triggers nor adds to the charge.
    """

    code: str
    description: str
    amount: int = 0
    percent: Decimal | None = None
    per: str = "return"
    waive_when: Condition | None = None


@dataclass(frozen=True)
class MonthDay:
    """A day of the year without a year (e.g. 12-24), for recurring seasonal rules."""

    month: int
    day: int

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True)
class WindowExtension:
    """Orders placed between `placed_from` and `placed_to` (inclusive) may be returned until `until`.

    `until` means its next occurrence on or after the order date; the range may wrap the new year.
    """

    placed_from: MonthDay
    placed_to: MonthDay
    until: MonthDay


@dataclass(frozen=True)
class PolicyRule:
    """One statement of the policy: a condition and the effects it has when it holds for a line."""

    id: str
    statement: str
    when: Condition | None = None
    message: str | None = None
    window_days: int | None = None
    window_until: WindowExtension | None = None
    reject: str | None = None
    review: bool = False
    resolutions: tuple[str, ...] | None = None
    fee: Charge | None = None
    bonus: Charge | None = None
    credit_trigger: str | None = None
    checks: tuple[str, ...] = ()

    @property
    def explanation(self) -> str:
        """What to tell the customer when this rule decides something."""
        return self.message or self.statement


@dataclass(frozen=True)
class KeepItPolicy:
    """Returnless refunds: when shipping the item back costs more than it would recover."""

    max_item_value: int
    return_cost_estimate: int
    recovery_percent: Decimal
    max_per_customer_365d: int
    risk_tiers: tuple[str, ...] = ("low",)
    statement: str | None = None


@dataclass(frozen=True)
class Policy:
    """A tenant's compiled return policy at one version."""

    version: int
    name: str
    currency: str
    exponent: int = 2
    window_days: int = 30
    resolutions: tuple[str, ...] = RESOLUTIONS
    methods: tuple[str, ...] = METHODS
    # None: the policy does not restrict reasons (the tenant's reason catalogue does, upstream).
    reasons: tuple[tuple[str, str], ...] | None = None
    credit_triggers: tuple[tuple[str, str], ...] = DEFAULT_CREDIT_TRIGGERS
    keep_it: KeepItPolicy | None = None
    ship_within_days: int | None = None
    label_valid_days: int | None = None
    shipping_statement: str | None = None
    rules: tuple[PolicyRule, ...] = ()
    # Percent of a unit's price withheld when it is inspected at a grade (e.g. C: 10, D: 40); applied
    # only to credits released at inspection (trigger `inspected`), explained on the credit.
    grade_deductions: tuple[tuple[str, Decimal], ...] = ()

    def credit_trigger_for(self, risk_tier: str) -> str:
        """The credit trigger of a risk tier; an unknown tier gets the strictest automatic one."""
        for tier, trigger in self.credit_triggers:
            if tier == risk_tier:
                return trigger
        return "inspected"

    @property
    def reason_codes(self) -> tuple[str, ...]:
        """The reason codes customers may choose from (the defaults unless the policy lists its own)."""
        return tuple(code for code, _ in (self.reasons or DEFAULT_REASONS))


def stricter_trigger(current: str, candidate: str) -> str:
    """The later-releasing of two credit triggers (unknown triggers count as strictest)."""
    rank = {name: i for i, name in enumerate(CREDIT_TRIGGERS)}
    strictest = len(CREDIT_TRIGGERS)
    return candidate if rank.get(candidate, strictest) > rank.get(current, strictest) else current
