"""Small builders of test data (API-shaped bodies)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any


def product(**over: Any) -> dict[str, Any]:
    """A PUT /products body."""
    body: dict[str, Any] = {
        "name": "Merino Crew Sweater — Navy, M",
        "category": "apparel",
        "unit_cost": 2400,
        "weight_grams": 450,
    }
    body.update(over)
    return body


def order(
    number: str,
    lines: list[dict[str, Any]],
    *,
    placed: datetime,
    delivered: datetime | None = None,
    **over: Any,
) -> dict[str, Any]:
    """A POST /orders body."""
    body: dict[str, Any] = {
        "number": number,
        "channel": "web",
        "currency": "USD",
        "placed_at": placed.isoformat(),
        "delivered_at": (delivered or placed + timedelta(days=3)).isoformat(),
        "customer": {"email": "ada@example.com", "name": "Ada L", "postal_code": "10001", "country": "US"},
        "lines": lines,
    }
    body.update(over)
    return body


def line(sku: str = "SKU-1", quantity: int = 1, unit_price: int = 5900, **over: Any) -> dict[str, Any]:
    """An order line."""
    return {"sku": sku, "quantity": quantity, "unit_price": unit_price, **over}


def return_request(
    order_number: str, order_line_id: str, quantity: int = 1, reason: str = "size_too_small", **over: Any
) -> dict[str, Any]:
    """A POST /returns body for one line."""
    body: dict[str, Any] = {
        "order_number": order_number,
        "resolution": "refund",
        "lines": [{"order_line_id": order_line_id, "quantity": quantity, "reason": reason}],
    }
    body.update(over)
    return body
