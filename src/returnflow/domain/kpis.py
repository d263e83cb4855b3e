"""Return KPIs of a period from the facts the database counted: rates, percentiles, money per currency.

Definitions (a period is [start, end) in UTC; "the period's returns" are those created in it):

- `approval_rate`: of the period's returns that were decided, the share approved (approved or any
  status only an approved return reaches). Undecided ones (requested, pending review) and cancelled
  ones (withdrawn before or after a decision; the status does not say which) are left out.
- `return_rate`: units of the period's returns that still claim them ÷ units of orders placed in it.
- Durations are hours over the period's returns, measured up to now: creation → first credit to the
  customer (fees withheld are not one; one reversed later still counts), creation → first matched
  receipt, and first receipt → inspection finished (the return's last line inspected; counted once
  the return is inspected).
- `value_recovery`, per currency: over the dispositions decided in the period, expected recovery ÷
  the dispositioned lines' value (unit price × quantity); one overall rate only for one currency.
- `refunded`, per currency: refunds created in the period, except those reversed since.
- `keep_it_share`: the period's returns resolved as keep-it ÷ all of them; `top_reasons`: reasons
  by units of the claiming returns, at most TOP_REASONS, most first (ties by reason code).
- Percentiles interpolate linearly between the closest ranks (PostgreSQL's `percentile_cont`,
  NumPy's default): rank h = (n − 1)·p on the sorted values, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
- Rates are rounded to 4 decimals, hours to 2; a rate over nothing is None.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from returnflow.domain.periods import Period
from returnflow.domain.returns import CLAIMING, ReturnStatus

S = ReturnStatus
UNDECIDED = frozenset({S.REQUESTED, S.PENDING_REVIEW})
# Every status a return reaches only after it was approved (expired: an approved return never sent).
APPROVED_OR_FURTHER = frozenset(
    {S.APPROVED, S.IN_TRANSIT, S.DELIVERED, S.RECEIVED, S.INSPECTED, S.COMPLETED, S.EXPIRED}
)
# A return whose every line was inspected (completed after inspection stays counted).
INSPECTION_DONE = frozenset({S.INSPECTED, S.COMPLETED})
TOP_REASONS = 10
RATE_DECIMALS = 4
HOUR_DECIMALS = 2


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0 ≤ p ≤ 1) by linear interpolation between closest ranks; None when empty."""
    if not 0 <= p <= 1:
        raise ValueError(f"a percentile is between 0 and 1, not {p}")
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (rank - low) * (ordered[high] - ordered[low])


def rate(numerator: int, denominator: int) -> float | None:
    """numerator ÷ denominator rounded to RATE_DECIMALS; None when the denominator is 0."""
    return round(numerator / denominator, RATE_DECIMALS) if denominator else None


@dataclass(frozen=True)
class DurationSummary:
    """The median and 90th percentile of some durations, in hours, and how many there were."""

    p50: float | None
    p90: float | None
    count: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {"p50": self.p50, "p90": self.p90, "count": self.count}


def summarize_hours(seconds: Iterable[float]) -> DurationSummary:
    """p50 and p90 of durations given in seconds, as hours rounded to HOUR_DECIMALS."""
    hours = [s / 3600 for s in seconds]

    def at(p: float) -> float | None:
        value = percentile(hours, p)
        return None if value is None else round(value, HOUR_DECIMALS)

    return DurationSummary(at(0.5), at(0.9), len(hours))


@dataclass(frozen=True)
class StatusTally:
    """The period's returns in one status with one method: how many, and their units."""

    status: str
    method: str | None
    returns: int
    units: int


@dataclass(frozen=True)
class ReturnTimes:
    """When one of the period's returns was created, first credited, first received, fully inspected."""

    status: str
    created_at: datetime
    first_credit_at: datetime | None
    first_receipt_at: datetime | None
    last_inspection_at: datetime | None


@dataclass(frozen=True)
class ReasonUnits:
    """Units of the period's claiming returns given one reason."""

    reason: str
    units: int


@dataclass(frozen=True)
class RecoveryTotal:
    """Dispositions decided in the period in one currency: expected recovery and the units' value."""

    currency: str
    recovered: int
    value: int


@dataclass(frozen=True)
class RefundTotal:
    """Refunds (not reversed) created in the period in one currency: their sum and count."""

    currency: str
    amount: int
    count: int


@dataclass(frozen=True)
class PeriodFacts:
    """Everything the KPIs are computed from, as counted by the database."""

    period: Period
    statuses: Sequence[StatusTally]
    orders: int
    units_sold: int
    times: Sequence[ReturnTimes]
    reasons: Sequence[ReasonUnits]
    recovery: Sequence[RecoveryTotal]
    refunds: Sequence[RefundTotal]
    reason_labels: Mapping[str, str]


@dataclass(frozen=True)
class CurrencyMoney:
    """One currency's refunds and recovery in a period; None where the period had none of them."""

    currency: str
    refunded: int | None
    refunds: int
    recovered: int | None
    value: int | None
    recovery_rate: float | None


@dataclass(frozen=True)
class ReturnKpis:
    """The return KPIs of one period (money in integer minor units, one entry per currency)."""

    period: Period
    returns: int
    by_status: Mapping[str, int]
    approval_rate: float | None
    orders: int
    units_sold: int
    units_returned: int
    return_rate: float | None
    time_to_credit_hours: DurationSummary
    time_to_receive_hours: DurationSummary
    dwell_hours: DurationSummary
    value_recovery: Sequence[Mapping[str, Any]]
    value_recovery_rate: float | None
    refunded: Sequence[Mapping[str, Any]]
    keep_it_returns: int
    keep_it_share: float | None
    top_reasons: Sequence[Mapping[str, Any]]

    def money_by_currency(self) -> list[CurrencyMoney]:
        """Refunds and recovery side by side, one row per currency that has either, by code."""
        refunds = {r["currency"]: r for r in self.refunded}
        recovery = {r["currency"]: r for r in self.value_recovery}
        rows = []
        for cur in sorted(refunds.keys() | recovery.keys()):
            ref, rec = refunds.get(cur), recovery.get(cur)
            rows.append(
                CurrencyMoney(
                    currency=cur,
                    refunded=ref["amount"] if ref else None,
                    refunds=ref["count"] if ref else 0,
                    recovered=rec["recovered"] if rec else None,
                    value=rec["value"] if rec else None,
                    recovery_rate=rec["rate"] if rec else None,
                )
            )
        return rows

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready KPIs (GET /v1/analytics/kpis); instants as RFC 3339 UTC."""
        return {
            "from": rfc3339(self.period.start),
            "to": rfc3339(self.period.end),
            "returns": self.returns,
            "by_status": dict(self.by_status),
            "approval_rate": self.approval_rate,
            "orders": self.orders,
            "units_sold": self.units_sold,
            "units_returned": self.units_returned,
            "return_rate": self.return_rate,
            "time_to_credit_hours": self.time_to_credit_hours.as_dict(),
            "time_to_receive_hours": self.time_to_receive_hours.as_dict(),
            "dwell_hours": self.dwell_hours.as_dict(),
            "value_recovery": [dict(v) for v in self.value_recovery],
            "value_recovery_rate": self.value_recovery_rate,
            "refunded": [dict(r) for r in self.refunded],
            "keep_it_returns": self.keep_it_returns,
            "keep_it_share": self.keep_it_share,
            "top_reasons": [dict(r) for r in self.top_reasons],
        }


def rfc3339(instant: datetime) -> str:
    """An aware datetime as RFC 3339 in UTC with a `Z`, the way the API writes instants."""
    return instant.isoformat().replace("+00:00", "Z")


def _seconds(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds()


def _durations(times: Sequence[ReturnTimes]) -> tuple[list[float], list[float], list[float]]:
    credit, receive, dwell = [], [], []
    for t in times:
        if (s := _seconds(t.created_at, t.first_credit_at)) is not None:
            credit.append(s)
        if (s := _seconds(t.created_at, t.first_receipt_at)) is not None:
            receive.append(s)
        if t.status in INSPECTION_DONE and t.first_receipt_at and t.last_inspection_at:
            dwell.append((t.last_inspection_at - t.first_receipt_at).total_seconds())
    return credit, receive, dwell


def _top_reasons(facts: PeriodFacts, units_returned: int) -> list[dict[str, Any]]:
    ranked = sorted((r for r in facts.reasons if r.units > 0), key=lambda r: (-r.units, r.reason))
    return [
        {
            "reason": r.reason,
            "label": facts.reason_labels.get(r.reason) or r.reason.replace("_", " ").capitalize(),
            "units": r.units,
            "share": rate(r.units, units_returned),
        }
        for r in ranked[:TOP_REASONS]
    ]


def compute(facts: PeriodFacts) -> ReturnKpis:
    """The KPIs of a period from its facts (see the module docstring for each definition)."""
    by_status = {s.value: 0 for s in ReturnStatus}
    units_returned = keep_it = 0
    for t in facts.statuses:
        by_status[t.status] = by_status.get(t.status, 0) + t.returns
        if t.status in CLAIMING:
            units_returned += t.units
        if t.status == S.COMPLETED and t.method == "keep_it":
            keep_it += t.returns
    returns = sum(by_status.values())
    approved = sum(by_status[s] for s in APPROVED_OR_FURTHER)
    credit, receive, dwell = _durations(facts.times)
    recovery = sorted(facts.recovery, key=lambda r: r.currency)
    return ReturnKpis(
        period=facts.period,
        returns=returns,
        by_status=by_status,
        approval_rate=rate(approved, approved + by_status[S.REJECTED]),
        orders=facts.orders,
        units_sold=facts.units_sold,
        units_returned=units_returned,
        return_rate=rate(units_returned, facts.units_sold),
        time_to_credit_hours=summarize_hours(credit),
        time_to_receive_hours=summarize_hours(receive),
        dwell_hours=summarize_hours(dwell),
        value_recovery=[
            {
                "currency": r.currency,
                "recovered": r.recovered,
                "value": r.value,
                "rate": rate(r.recovered, r.value),
            }
            for r in recovery
        ],
        # One rate only when it is one currency's: rates of different currencies do not average.
        value_recovery_rate=rate(recovery[0].recovered, recovery[0].value) if len(recovery) == 1 else None,
        refunded=[
            {"currency": r.currency, "amount": r.amount, "count": r.count}
            for r in sorted(facts.refunds, key=lambda r: r.currency)
        ],
        keep_it_returns=keep_it,
        keep_it_share=rate(keep_it, returns),
        top_reasons=_top_reasons(facts, units_returned),
    )
