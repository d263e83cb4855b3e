"""Products and return nodes as the domain sees them."""

from __future__ import annotations

from dataclasses import dataclass, field

CATEGORIES = ("apparel", "footwear", "electronics", "home", "beauty", "accessories", "other")
NODE_KINDS = (
    "warehouse",
    "return_center",
    "store",
    "drop_off",
    "refurbisher",
    "recycler",
    "liquidator",
    "vendor",
)
NODE_CAPABILITIES = (
    "receive",
    "inspect",
    "restock",
    "refurbish",
    "repair",
    "hazmat",
    "recycle",
    "liquidate",
    "donate",
    "dispose",
)


@dataclass(frozen=True)
class Product:
    """A SKU in a tenant's catalogue; money in the tenant's minor units."""

    sku: str
    name: str
    category: str
    unit_cost: int
    weight_grams: int
    hazmat_class: str | None = None
    serialized: bool = False
    returnable: bool = True
    warranty_months: int | None = None
    brand: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Node:
    """A place in the reverse network (warehouse, return center, store, refurbisher, …)."""

    code: str
    kind: str
    name: str
    postal_code: str
    country: str
    capabilities: tuple[str, ...]
    daily_capacity: int | None = None
