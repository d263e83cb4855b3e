"""A return request as the policy sees it, and the context its conditions are evaluated against.

Conditions are evaluated once per requested line. The context has five objects:

- ``order``: ``number``, ``channel``, ``currency``, ``country`` (ship-to, else the customer's),
  ``total``, ``placed_at``, ``delivered_at`` (may be null: use ``order.delivered_at ?? order.placed_at``)
- ``line``: ``sku``, ``quantity`` (units ordered), ``unit_price``, ``list_price`` (may be null),
  ``discount_percent`` (whole percent off the list price, 0 when unknown), ``final_sale``,
  ``value`` (unit price × units being returned)
- ``product``: ``sku``, ``category``, ``brand`` (may be null), ``tags``, ``hazmat_class`` (may be null),
  ``serialized``, ``unit_cost``, ``weight_grams``, ``warranty_months`` (may be null)
- ``customer``: ``email``, ``tags``, ``country``, ``returns_90d``, ``return_rate`` (a fraction 0–1,
  e.g. 0.6 for 60 %), ``keep_it_365d``
- ``request``: ``reason``, ``resolution``, ``method`` (may be null), ``opened``, ``quantity`` (units
  being returned on this line), ``days_since_delivery`` (whole UTC days since delivery, else since the
  order date), ``risk_tier``, plus ``items_total`` and ``line_count`` for the whole return

Money in conditions is in **decimal major units** of the policy currency (``line.unit_price > 500``
means more than $500.00 for USD); decisions keep money in integer minor units. Tags are arrays of
strings (``"loyalty" in customer.tags``); timestamps are UTC datetimes (``order.placed_at.month == 12``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from returnflow.domain.catalog import Product
from returnflow.domain.errors import ValidationFailed
from returnflow.domain.orders import Order, OrderLine

CONTEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "order": ("number", "channel", "currency", "country", "total", "placed_at", "delivered_at"),
    "line": ("sku", "quantity", "unit_price", "list_price", "discount_percent", "final_sale", "value"),
    "product": (
        "sku",
        "category",
        "brand",
        "tags",
        "hazmat_class",
        "serialized",
        "unit_cost",
        "weight_grams",
        "warranty_months",
    ),
    "customer": ("email", "tags", "country", "returns_90d", "return_rate", "keep_it_365d"),
    "request": (
        "reason",
        "resolution",
        "method",
        "opened",
        "quantity",
        "days_since_delivery",
        "risk_tier",
        "items_total",
        "line_count",
    ),
}


@dataclass(frozen=True)
class CustomerHistory:
    """What the platform knows about the customer's past returns."""

    returns_90d: int = 0
    items_bought_365d: int = 0
    items_returned_365d: int = 0
    keep_it_365d: int = 0

    @property
    def return_rate(self) -> float:
        """Items returned / items bought in the last 365 days; 0.0 when nothing was bought."""
        if self.items_bought_365d <= 0:
            return 0.0
        return self.items_returned_365d / self.items_bought_365d

    @property
    def return_rate_exact(self) -> Decimal:
        """The return rate as a Decimal rounded to 4 places, for conditions (no float artefacts)."""
        if self.items_bought_365d <= 0:
            return Decimal(0)
        rate = Decimal(self.items_returned_365d) / Decimal(self.items_bought_365d)
        return rate.quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class LineRequest:
    """One order line the customer wants to return, and how many units."""

    line: OrderLine
    product: Product
    quantity: int
    reason: str
    opened: bool = False
    serial: str | None = None

    @property
    def value(self) -> int:
        """Unit price × units being returned, in minor units."""
        return self.line.unit_price * self.quantity


@dataclass(frozen=True)
class ReturnRequest:
    """Everything the policy needs to decide one return request; the domain never reads a clock."""

    order: Order
    lines: tuple[LineRequest, ...]
    resolution: str
    method: str | None
    requested_at: datetime
    history: CustomerHistory
    risk_tier: str = "low"
    return_shipping_cost: int | None = None

    def __post_init__(self) -> None:
        if self.requested_at.tzinfo is None:
            raise ValidationFailed("requested_at must be timezone-aware", code="naive_datetime")

    @property
    def window_start(self) -> datetime:
        """When the return window starts: delivery, or the order date when not delivered (yet)."""
        return self.order.delivered_at or self.order.placed_at

    @property
    def days_since_start(self) -> int:
        """Whole UTC calendar days from the window start to the request."""
        start = self.window_start.astimezone(UTC).date()
        return (self.requested_at.astimezone(UTC).date() - start).days

    @property
    def items_total(self) -> int:
        """Value of every unit being returned, in minor units."""
        return sum(lr.value for lr in self.lines)


def _major(amount: int, exponent: int) -> Decimal:
    return Decimal(amount).scaleb(-exponent)


def condition_context(request: ReturnRequest, item: LineRequest, exponent: int) -> dict[str, Any]:
    """The mapping a condition sees for one requested line (names in the module docstring)."""
    order, line, product, history = request.order, item.line, item.product, request.history
    return {
        "order": {
            "number": order.number,
            "channel": order.channel,
            "currency": order.currency,
            "country": order.destination_country,
            "total": _major(order.total, exponent),
            "placed_at": order.placed_at,
            "delivered_at": order.delivered_at,
        },
        "line": {
            "sku": line.sku,
            "quantity": line.quantity,
            "unit_price": _major(line.unit_price, exponent),
            "list_price": None if line.list_price is None else _major(line.list_price, exponent),
            "discount_percent": line.discount_percent,
            "final_sale": line.final_sale,
            "value": _major(item.value, exponent),
        },
        "product": {
            "sku": product.sku,
            "category": product.category,
            "brand": product.brand,
            "tags": tuple(product.tags),
            "hazmat_class": product.hazmat_class,
            "serialized": product.serialized,
            "unit_cost": _major(product.unit_cost, exponent),
            "weight_grams": product.weight_grams,
            "warranty_months": product.warranty_months,
        },
        "customer": {
            "email": order.customer.email,
            "tags": tuple(order.customer.tags),
            "country": order.customer.country,
            "returns_90d": history.returns_90d,
            "return_rate": history.return_rate_exact,
            "keep_it_365d": history.keep_it_365d,
        },
        "request": {
            "reason": item.reason,
            "resolution": request.resolution,
            "method": request.method,
            "opened": item.opened,
            "quantity": item.quantity,
            "days_since_delivery": request.days_since_start,
            "risk_tier": request.risk_tier,
            "items_total": _major(request.items_total, exponent),
            "line_count": len(request.lines),
        },
    }
