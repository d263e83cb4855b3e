"""Reports for admins, specialists and finance: keep-it returns over a period."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from returnflow.entrypoints.api.deps import ActorDep, ContainerDep
from returnflow.entrypoints.api.schemas import responses
from returnflow.services import keep_it_report

router = APIRouter(tags=["reports"])


class KeepItFigures(BaseModel):
    """Figures of one group; money in minor units of the section's currency."""

    returns: int = Field(description="keep-it returns with an item in this group")
    units: int
    refund_value: int = Field(description="refund given without the item coming back")
    shipping_handling_avoided: int
    recovery_forgone: int = Field(description="what the items would have recovered had they come back")
    net_saving: int = Field(description="shipping + handling avoided − recovery forgone")


class CategoryFigures(KeepItFigures):
    """Keep-it figures of one product category."""

    category: str
    label: str


class ReasonFigures(KeepItFigures):
    """Keep-it figures of one return reason."""

    reason: str
    label: str


class SkuFigures(KeepItFigures):
    """Keep-it figures of one SKU."""

    sku: str
    name: str


class KeepItCurrency(KeepItFigures):
    """Everything in one currency."""

    currency: str
    estimated_returns: int = Field(description="valued with the policy's estimate (no carrier quote)")
    by_category: list[CategoryFigures]
    by_reason: list[ReasonFigures]
    top_skus: list[SkuFigures]


class KeepItReportOut(BaseModel):
    """Keep-it returns resolved in a period, one section per currency."""

    model_config = ConfigDict(populate_by_name=True)
    date_from: str = Field(alias="from")
    date_to: str = Field(alias="to")
    returns: int
    currencies: list[KeepItCurrency]


@router.get("/reports/keep-it", response_model=KeepItReportOut, responses=responses(401, 403, 422))
def get_keep_it_report(
    c: ContainerDep,
    actor: ActorDep,
    date_from: Annotated[str, Query(alias="from", max_length=40, description="first UTC day, YYYY-MM-DD")],
    date_to: Annotated[str, Query(alias="to", max_length=40, description="last UTC day, YYYY-MM-DD")],
    top: Annotated[int, Query(ge=1, le=keep_it_report.MAX_TOP_SKUS, description="SKUs listed")] = 10,
) -> Any:
    """Keep-it returns resolved in the period (both days included), per currency: count, refund
    given without the item, shipping + handling avoided, recovery forgone and net saving — in
    total, by category, by reason, and the top SKUs."""
    return keep_it_report.keep_it_report(c.db, actor, date_from, date_to, top).as_dict()
