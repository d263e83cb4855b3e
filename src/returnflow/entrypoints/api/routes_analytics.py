"""Analytics for admins, specialists and finance: the return KPIs of a period."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from returnflow.domain.kpis import TOP_REASONS
from returnflow.domain.periods import DEFAULT_DAYS, MAX_DAYS
from returnflow.entrypoints.api.deps import ActorDep, ContainerDep
from returnflow.entrypoints.api.schemas import responses
from returnflow.services import analytics

router = APIRouter(tags=["analytics"])

INSTANT = (
    "`YYYY-MM-DD` (midnight UTC) or an RFC 3339 timestamp with offset, e.g. `2026-03-01T00:00:00Z` "
    "(write `+` in an offset as `%2B`)"
)


class ByStatus(BaseModel):
    """The period's returns in each status (every status listed, zeros included)."""

    requested: int
    pending_review: int
    approved: int
    rejected: int
    in_transit: int
    delivered: int
    received: int
    inspected: int
    completed: int
    cancelled: int
    expired: int


class Hours(BaseModel):
    """Durations in hours: median, 90th percentile (linear interpolation between closest ranks)."""

    p50: float | None = Field(description="null when count is 0")
    p90: float | None = Field(description="null when count is 0")
    count: int = Field(description="how many returns were measured")


class CurrencyRecovery(BaseModel):
    """Dispositions decided in the period, in one currency (minor units)."""

    currency: str
    recovered: int = Field(description="expected net recovery of the dispositions (may be negative)")
    value: int = Field(description="unit price × quantity of the dispositioned lines")
    rate: float | None = Field(description="recovered ÷ value; null when value is 0")


class CurrencyRefunds(BaseModel):
    """Refunds created in the period and not reversed, in one currency (minor units)."""

    currency: str
    amount: int
    count: int


class ReasonShare(BaseModel):
    """A return reason by units returned."""

    reason: str
    label: str
    units: int
    share: float | None = Field(description="of units_returned")


class ReturnKpisOut(BaseModel):
    """The return KPIs of [from, to); rates rounded to 4 decimals, hours to 2; money in minor units."""

    model_config = ConfigDict(populate_by_name=True)
    date_from: datetime = Field(alias="from", description="first instant of the period (UTC)")
    date_to: datetime = Field(alias="to", description="first instant after the period (UTC)")
    returns: int = Field(description="returns created in the period, every status")
    by_status: ByStatus
    approval_rate: float | None = Field(
        description="approved (or further) ÷ (that + rejected); pending, requested and cancelled left out"
    )
    orders: int = Field(description="orders placed in the period")
    units_sold: int = Field(description="units of the orders placed in the period")
    units_returned: int = Field(
        description="units of the period's returns that still claim them (not rejected, cancelled, expired)"
    )
    return_rate: float | None = Field(description="units_returned ÷ units_sold; null when nothing sold")
    time_to_credit_hours: Hours = Field(
        description="creation → first credit to the customer, over the period's credited returns"
    )
    time_to_receive_hours: Hours = Field(
        description="creation → first matched receipt, over the period's received returns"
    )
    dwell_hours: Hours = Field(
        description="first receipt → last line inspected, over the period's fully inspected returns"
    )
    value_recovery: list[CurrencyRecovery]
    value_recovery_rate: float | None = Field(description="the rate when there is exactly one currency")
    refunded: list[CurrencyRefunds]
    keep_it_returns: int = Field(description="the period's returns resolved as keep-it")
    keep_it_share: float | None = Field(description="keep_it_returns ÷ returns")
    top_reasons: list[ReasonShare] = Field(description=f"at most {TOP_REASONS}, most units first")


DESCRIPTION = f"""Return KPIs of the period [from, to) — at most {MAX_DAYS} days; without bounds, the last
{DEFAULT_DAYS} days up to now. Counts follow the returns created and the orders placed in the period;
durations are measured, up to now, for the returns created in it; value recovery covers the
dispositions decided in it and `refunded` the refunds created in it (less those reversed since),
money per currency. For admins, specialists and finance (other roles: 403); only the key's tenant.
A bad date or timestamp, `from` not before `to`, or a longer period → 422 naming the field."""


@router.get(
    "/analytics/kpis",
    response_model=ReturnKpisOut,
    responses=responses(401, 403, 422),
    description=DESCRIPTION,
)
def get_return_kpis(
    c: ContainerDep,
    actor: ActorDep,
    date_from: Annotated[
        str | None,
        Query(
            alias="from",
            max_length=40,
            description=f"start, included: {INSTANT}; default: `to` − {DEFAULT_DAYS} days",
        ),
    ] = None,
    date_to: Annotated[
        str | None, Query(alias="to", max_length=40, description=f"end, excluded: {INSTANT}; default: now")
    ] = None,
) -> Any:
    """Return KPIs of a period."""
    return analytics.return_kpis(c.db, c.clock, actor, date_from, date_to).as_dict()
