"""Return KPIs of a period for admins, specialists and finance, read in one read-only snapshot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from returnflow.domain.kpis import PeriodFacts, ReturnKpis, compute
from returnflow.domain.periods import Period, parse_days, parse_period
from returnflow.services.access import Actor
from returnflow.services.clock import Clock

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import Database


def return_kpis(
    db: Database, clock: Clock, actor: Actor, date_from: str | None, date_to: str | None
) -> ReturnKpis:
    """The KPIs of [date_from, date_to) (dates or RFC 3339; defaults: the 30 days up to now)."""
    actor.require("analytics.read")
    return _kpis(db, actor, parse_period(date_from, date_to, clock()))


def day_kpis(db: Database, actor: Actor, date_from: str | None, date_to: str | None) -> ReturnKpis:
    """The KPIs of whole days from `date_from` to `date_to` (YYYY-MM-DD, UTC, both included)."""
    actor.require("analytics.read")
    return _kpis(db, actor, parse_days(date_from, date_to).period())


def _kpis(db: Database, actor: Actor, period: Period) -> ReturnKpis:
    start, end = period.start, period.end
    with db.uow(actor.tenant_id, readonly=True) as uow:
        uow.analytics.snapshot()
        orders, units_sold = uow.analytics.orders_placed(start, end)
        facts = PeriodFacts(
            period=period,
            statuses=uow.analytics.status_tallies(start, end),
            orders=orders,
            units_sold=units_sold,
            times=uow.analytics.return_times(start, end),
            reasons=uow.analytics.reason_units(start, end),
            recovery=uow.analytics.recovery_totals(start, end),
            refunds=uow.analytics.refund_totals(start, end),
            reason_labels={r.code: r.label for r in uow.policies.reasons()},
        )
    return compute(facts)
