"""Plain, immutable rows for the request paths: what a repository reads to decide, not to change.

Each record names the columns it holds, in order, so its statement is built from it
(`columns_of`) and a fetched row becomes a record with no mapping step. They are values: a change
goes through the repository's own statement (e.g. `OrderRepository.claim`), never through them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Column, Table


class OrderRecord(NamedTuple):
    """An order's own columns."""

    id: str
    number: str
    channel: str
    currency: str
    customer_email: str
    ship_country: str | None
    placed_at: datetime
    delivered_at: datetime | None
    units: int
    created_at: datetime


class CustomerRecord(NamedTuple):
    """A customer's columns."""

    email: str
    name: str | None
    postal_code: str
    country: str
    tags: list[Any]
    created_at: datetime


class OrderLineRecord(NamedTuple):
    """An order line, with the units live returns claim."""

    id: str
    order_id: str
    position: int
    sku: str
    quantity: int
    unit_price: int
    list_price: int | None
    final_sale: bool
    serials: list[Any]
    returned_quantity: int


class ProductRecord(NamedTuple):
    """A product of the catalogue."""

    sku: str
    name: str
    category: str
    brand: str | None
    unit_cost: int
    weight_grams: int
    hazmat_class: str | None
    serialized: bool
    returnable: bool
    warranty_months: int | None
    tags: list[Any]
    created_at: datetime
    updated_at: datetime


class CreditRecord(NamedTuple):
    """A credit as it was stored by this transaction."""

    id: str
    return_id: str
    order_id: str
    entry_id: str
    kind: str
    amount: int
    currency: str
    status: str
    trigger: str
    details: dict[str, Any]
    created_at: datetime


def columns_of(table: Table, record: type[tuple[Any, ...]]) -> list[Column[Any]]:
    """The table's columns a record holds, in the record's order."""
    return [table.c[name] for name in record._fields]  # type: ignore[attr-defined]
