"""Validated input shapes shared by every entrypoint (API, CLI imports, demo seeding)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

from returnflow.domain.catalog import CATEGORIES, NODE_CAPABILITIES, NODE_KINDS

Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-/]+$")
]
Country = Annotated[str, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{2}$")]
Currency = Annotated[str, StringConstraints(to_upper=True, pattern=r"^[A-Za-z]{3}$")]
MinorUnits = Annotated[int, Field(ge=0, le=10**12, description="amount in minor units (1999 = 19.99)")]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40)]

Category = Literal["apparel", "footwear", "electronics", "home", "beauty", "accessories", "other"]
NodeKind = Literal[
    "warehouse", "return_center", "store", "drop_off", "refurbisher", "recycler", "liquidator", "vendor"
]
Capability = Literal[
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
]
Resolution = Literal["refund", "store_credit", "exchange"]
Method = Literal["drop_off", "pickup", "in_store", "keep_it"]

assert set(CATEGORIES) == set(get_args(Category))
assert set(NODE_KINDS) == set(get_args(NodeKind))
assert set(NODE_CAPABILITIES) == set(get_args(Capability))


class Strict(BaseModel):
    """Unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProductInput(Strict):
    """Body of PUT /v1/products/{sku}."""

    name: Text200
    category: Category
    unit_cost: MinorUnits
    weight_grams: Annotated[int, Field(ge=0, le=1_000_000)]
    hazmat_class: str | None = Field(default=None, max_length=40)
    serialized: bool = False
    returnable: bool = True
    warranty_months: Annotated[int, Field(ge=0, le=240)] | None = None
    brand: str | None = Field(default=None, max_length=120)
    tags: list[Tag] = Field(default_factory=list, max_length=30)


class NodeInput(Strict):
    """Body of PUT /v1/nodes/{code}."""

    kind: NodeKind
    name: Text200
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=12)]
    country: Country
    capabilities: list[Capability] = Field(default_factory=list)
    daily_capacity: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    handling_cost: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    recovery_percent: dict[str, Annotated[int, Field(ge=0, le=100)]] | None = None


class CustomerInput(Strict):
    """The customer of an order."""

    email: EmailStr
    name: str | None = Field(default=None, max_length=200)
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=12)]
    country: Country
    tags: list[Tag] = Field(default_factory=list, max_length=30)


class OrderLineInput(Strict):
    """One line of a new order."""

    sku: Code
    quantity: Annotated[int, Field(ge=1, le=10_000)]
    unit_price: MinorUnits
    list_price: MinorUnits | None = None
    final_sale: bool = False
    serials: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] = Field(
        default_factory=list
    )

    @model_validator(mode="after")
    def _serials_fit(self) -> OrderLineInput:
        if len(self.serials) > self.quantity:
            raise ValueError("more serials than units on the line")
        return self


class OrderInput(Strict):
    """Body of POST /v1/orders."""

    number: Code
    channel: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40)
    ]
    currency: Currency
    placed_at: AwareDatetime
    delivered_at: AwareDatetime | None = None
    ship_country: Country | None = None
    customer: CustomerInput
    lines: list[OrderLineInput] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _delivery_after_placement(self) -> OrderInput:
        if self.delivered_at is not None and self.delivered_at < self.placed_at:
            raise ValueError("delivered_at is before placed_at")
        return self


class ReturnLineInput(Strict):
    """One line of a return request."""

    order_line_id: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    quantity: Annotated[int, Field(ge=1, le=10_000)]
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40)
    ]
    note: str | None = Field(default=None, max_length=2000)
    opened: bool = False
    serial: str | None = Field(default=None, max_length=100)


class ReturnInput(Strict):
    """Body of POST /v1/returns."""

    order_number: Code
    lines: list[ReturnLineInput] = Field(min_length=1, max_length=500)
    resolution: Resolution
    method: Method | None = None
    requested_at: AwareDatetime | None = Field(
        default=None, description="when the request was made (imports and demo); defaults to now"
    )


class RejectInput(Strict):
    """Body of POST /v1/returns/{id}/reject."""

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class TenantInput(Strict):
    """A tenant to create."""

    slug: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
    name: Text200


def parse_time(value: datetime | None, default: datetime) -> datetime:
    """The given time or a default (both aware)."""
    return value if value is not None else default
