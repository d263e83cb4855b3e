"""Money as integer minor units + ISO-4217 currency; allocation by largest remainder."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from returnflow.domain.errors import ValidationFailed


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount: `amount` minor units (cents) of `currency`."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"not an ISO-4217 currency code: {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero of a currency."""
        return cls(0, currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValidationFailed(
                f"currency mismatch: {self.currency} and {other.currency}", code="currency_mismatch"
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def times(self, quantity: int) -> Money:
        """This amount multiplied by a whole quantity."""
        return Money(self.amount * quantity, self.currency)

    def percent(self, pct: Decimal | int | str) -> Money:
        """`pct` percent of this amount, rounded half-even to the minor unit."""
        exact = Decimal(self.amount) * Decimal(pct) / Decimal(100)
        return Money(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)), self.currency)

    def allocate(self, weights: list[int]) -> list[Money]:
        """Split into parts proportional to `weights` without losing or inventing a cent."""
        return [Money(a, self.currency) for a in allocate(self.amount, weights)]

    def format(self, exponent: int = 2) -> str:
        """Plain decimal rendering, e.g. `19.99 USD`."""
        return f"{to_decimal(self.amount, exponent)} {self.currency}"


def allocate(total: int, weights: list[int]) -> list[int]:
    """Largest-remainder split of `total` by non-negative integer `weights`; parts sum to `total`."""
    if not weights:
        raise ValueError("allocate needs at least one weight")
    if any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights = [1] * len(weights)
        weight_sum = len(weights)
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    shares = [Fraction(magnitude * w, weight_sum) for w in weights]
    parts = [int(s) for s in shares]
    remainder = magnitude - sum(parts)
    # Hand the leftover cents to the largest fractional parts; ties go to the earliest index.
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in order[:remainder]:
        parts[i] += 1
    return [sign * p for p in parts]


def to_minor(value: Decimal | str | int | float, exponent: int = 2) -> int:
    """A decimal amount (e.g. "5.95") to minor units; refuses sub-minor precision."""
    dec = Decimal(str(value))
    scaled = dec * (Decimal(10) ** exponent)
    if scaled != scaled.to_integral_value():
        raise ValidationFailed(
            f"amount {value} has more than {exponent} decimal places", code="invalid_amount"
        )
    return int(scaled)


def to_decimal(amount: int, exponent: int = 2) -> Decimal:
    """Minor units back to a decimal amount."""
    return Decimal(amount).scaleb(-exponent)
