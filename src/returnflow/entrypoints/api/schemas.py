"""Response models: what the OpenAPI document promises clients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class ProblemError(BaseModel):
    """One field-level problem."""

    field: str
    code: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[ProblemError] = Field(default_factory=list)


class ProductOut(BaseModel):
    """A product."""

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
    tags: list[str]
    created_at: datetime
    updated_at: datetime


class NodeOut(BaseModel):
    """A node of the reverse network."""

    code: str
    kind: str
    name: str
    postal_code: str
    country: str
    capabilities: list[str]
    daily_capacity: int | None
    handling_cost: int = 0
    latitude: float | None = None
    longitude: float | None = None
    recovery_percent: dict[str, int] | None = None
    created_at: datetime
    updated_at: datetime


class OrderCustomerOut(BaseModel):
    """The order's customer."""

    email: str
    name: str | None
    postal_code: str | None
    country: str | None
    tags: list[str]


class OrderLineOut(BaseModel):
    """An order line with what is still returnable."""

    id: str
    sku: str
    quantity: int
    unit_price: int
    list_price: int | None
    final_sale: bool
    serials: list[str]
    returned_quantity: int
    returnable_quantity: int


class OrderOut(BaseModel):
    """An order."""

    number: str
    channel: str
    currency: str
    placed_at: datetime
    delivered_at: datetime | None
    ship_country: str | None
    customer: OrderCustomerOut
    lines: list[OrderLineOut]
    total: int
    created_at: datetime


class ReturnLineOut(BaseModel):
    """A line of a return."""

    id: str
    order_line_id: str
    sku: str
    quantity: int
    unit_price: int
    reason: str
    note: str | None
    opened: bool
    serial: str | None
    status: str
    grade: str | None
    disposition: dict[str, Any] | None


class DecisionOut(BaseModel):
    """The policy decision, with every rule that applied."""

    eligible: bool
    outcome: str | None
    reasons: list[dict[str, Any]]
    rules_fired: list[dict[str, Any]]
    fees: list[dict[str, Any]]
    items_total: int
    fees_total: int
    bonus_credit: int
    refund_total: int
    currency: str
    policy_version: int
    resolutions_allowed: list[str]
    keep_it: bool
    ship_by: str | None
    label_expires_at: str | None
    required_checks: list[str]
    # Withheld when the credit was released at inspection: units not received, grade deductions.
    deductions: list[dict[str, Any]] = Field(default_factory=list)


class RiskOut(BaseModel):
    """Risk score, tier and reasons."""

    score: int
    tier: str
    reasons: list[str]


class DestinationOut(BaseModel):
    """Where the return is headed."""

    node_code: str


class TimelineEntry(BaseModel):
    """One recorded step of a return."""

    at: datetime
    action: str
    actor: str
    data: dict[str, Any]


class ReturnOut(BaseModel):
    """A return (RMA)."""

    id: str
    number: str
    status: str
    type: str = Field(default="customer", description="`customer` or `failed_delivery`")
    order_number: str
    customer_email: str
    resolution: str
    method: str | None
    lines: list[ReturnLineOut]
    decision: DecisionOut
    risk: RiskOut
    credit_trigger: str
    destination: DestinationOut | None
    tracking_number: str | None
    carrier_service: str | None = None
    label_type: str | None = None
    routing_cost: int | None = None
    routing: dict[str, Any] | None = None
    status_note: str | None
    created_at: datetime
    updated_at: datetime
    timeline: list[TimelineEntry] | None = None


class ReturnPage(BaseModel):
    """A page of returns."""

    items: list[ReturnOut]
    next_cursor: str | None


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses an operation can give."""
    described = {
        400: "malformed request (bad JSON, missing header)",
        401: "missing or invalid API key",
        403: "the key's role may not do this",
        404: "not found (or not visible to this key)",
        409: "conflict with the current state",
        413: "request body too large",
        422: "validation or policy failure; see errors[]",
    }
    return {
        c: {"model": Problem, "description": described[c], "content": {"application/problem+json": {}}}
        for c in codes
    }
