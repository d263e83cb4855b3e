"""Customers, orders and order lines — with what is still returnable per line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from returnflow.domain.errors import ValidationFailed


@dataclass(frozen=True)
class Customer:
    """The shopper an order belongs to (identified by email within a tenant)."""

    email: str
    postal_code: str
    country: str
    name: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class OrderLine:
    """One line of an order; `returned_quantity` counts units already claimed by live returns."""

    id: str
    sku: str
    quantity: int
    unit_price: int
    list_price: int | None = None
    final_sale: bool = False
    serials: tuple[str, ...] = field(default_factory=tuple)
    returned_quantity: int = 0

    @property
    def returnable_quantity(self) -> int:
        """Units of this line not yet claimed by a return."""
        return max(self.quantity - self.returned_quantity, 0)

    @property
    def discount_percent(self) -> int:
        """Whole-percent discount off the list price (0 when no list price is known)."""
        if not self.list_price or self.list_price <= self.unit_price:
            return 0
        return (self.list_price - self.unit_price) * 100 // self.list_price


@dataclass(frozen=True)
class Order:
    """A forward order: the thing a return is measured against."""

    number: str
    channel: str
    currency: str
    placed_at: datetime
    customer: Customer
    lines: tuple[OrderLine, ...]
    delivered_at: datetime | None = None
    ship_country: str | None = None

    def line(self, line_id: str) -> OrderLine:
        """The line with this id, or a validation error naming it."""
        for candidate in self.lines:
            if candidate.id == line_id:
                return candidate
        raise ValidationFailed(f"order {self.number} has no line {line_id}", code="unknown_order_line")

    @property
    def destination_country(self) -> str:
        """Where the order was shipped (falls back to the customer's country)."""
        return self.ship_country or self.customer.country

    @property
    def total(self) -> int:
        """Sum of line prices in minor units."""
        return sum(line.unit_price * line.quantity for line in self.lines)
