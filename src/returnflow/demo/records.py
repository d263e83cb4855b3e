"""Working records of generated orders, kept typed until they are rendered as API request bodies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Body = dict[str, Any]


def iso(moment: datetime) -> str:
    """RFC 3339 timestamp with offset, to the second (e.g. `2025-11-28T14:03:22+00:00`)."""
    return moment.isoformat(timespec="seconds")


@dataclass
class LineRecord:
    """One order line while the season is being generated."""

    product: Body
    quantity: int
    unit_price: int
    final_sale: bool
    serials: list[str] = field(default_factory=list)

    @property
    def sku(self) -> str:
        """The product's SKU."""
        return str(self.product["sku"])

    @property
    def category(self) -> str:
        """The product's category."""
        return str(self.product["category"])

    @property
    def list_price(self) -> int:
        """The product's normal selling price in cents."""
        return int(self.product["list_price"])

    def body(self) -> Body:
        """The line as it appears in a `POST /v1/orders` body."""
        line: Body = {
            "sku": self.sku,
            "quantity": self.quantity,
            "unit_price": self.unit_price,
            "list_price": self.list_price,
            "final_sale": self.final_sale,
        }
        if self.serials:
            line["serials"] = list(self.serials)
        return line


@dataclass
class OrderRecord:
    """One forward order while the season is being generated."""

    channel: str
    placed_at: datetime
    customer: Body
    lines: list[LineRecord]
    delivered_at: datetime | None = None
    number: str = ""
    # For "bracketing" (two sizes bought to keep one): the line index meant to go back and its reason.
    bracket: tuple[int, str] | None = None

    @property
    def email(self) -> str:
        """The shopper's email."""
        return str(self.customer["email"])

    def body(self) -> Body:
        """The order as a `POST /v1/orders` body."""
        return {
            "number": self.number,
            "channel": self.channel,
            "currency": "USD",
            "placed_at": iso(self.placed_at),
            "delivered_at": iso(self.delivered_at) if self.delivered_at else None,
            "customer": {
                "email": self.customer["email"],
                "name": self.customer["name"],
                "postal_code": self.customer["postal_code"],
                "country": self.customer["country"],
                "tags": list(self.customer.get("tags", [])),
            },
            "lines": [line.body() for line in self.lines],
        }
