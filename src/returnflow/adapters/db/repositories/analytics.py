"""Analytics reads: a period's return KPIs counted as aggregates over period-indexed ranges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, select

from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.tables import OrderRow, ReturnLineRow, ReturnRow
from returnflow.adapters.db.tables_floor import DispositionRow, InspectionRow, ReceiptRow
from returnflow.adapters.db.tables_ledger import CreditRow
from returnflow.domain.kpis import (
    ReasonUnits,
    RecoveryTotal,
    RefundTotal,
    ReturnTimes,
    StatusTally,
)
from returnflow.domain.returns import CLAIMING

CLAIMING_STATUSES = sorted(s.value for s in CLAIMING)
REVERSED = "reversed"  # the status of a credit taken back (services.credit_reversal)


class AnalyticsRepository(TenantScoped):
    """Counts and sums over one tenant's returns, orders, credits and dispositions in a period."""

    def snapshot(self) -> None:
        """Read every figure from one snapshot; call first in the unit of work.

        SQLite's read transaction already is one; PostgreSQL's default (read committed) takes a new
        snapshot per statement, so figures read a moment apart could disagree.
        """
        if self.s.get_bind().dialect.name == "postgresql":
            self.s.connection(execution_options={"isolation_level": "REPEATABLE READ"})

    def _created_in(self, start: datetime, end: datetime) -> ColumnElement[bool]:
        # A range of ix_returns_tenant_created.
        return (
            (ReturnRow.tenant_id == self.tenant_id)
            & (ReturnRow.created_at >= start)
            & (ReturnRow.created_at < end)
        )

    def status_tallies(self, start: datetime, end: datetime) -> list[StatusTally]:
        """Returns created in [start, end) and their units, per status and method."""
        rows = self.s.execute(
            select(
                ReturnRow.status, ReturnRow.method, func.count(), func.coalesce(func.sum(ReturnRow.units), 0)
            )
            .where(self._created_in(start, end))
            .group_by(ReturnRow.status, ReturnRow.method)
        )
        return [StatusTally(status, method, int(n), int(units)) for status, method, n, units in rows]

    def orders_placed(self, start: datetime, end: datetime) -> tuple[int, int]:
        """Orders placed in [start, end) and their units (a range of ix_orders_tenant_placed)."""
        n, units = self.s.execute(
            select(func.count(), func.coalesce(func.sum(OrderRow.units), 0)).where(
                OrderRow.tenant_id == self.tenant_id, OrderRow.placed_at >= start, OrderRow.placed_at < end
            )
        ).one()
        return int(n), int(units)

    def return_times(self, start: datetime, end: datetime) -> list[ReturnTimes]:
        """Each return created in [start, end): its first credit, first matched receipt, last inspection.

        Each instant is one lookup in an index keyed by (tenant, return); the durations and their
        percentiles are left to the domain so both databases compute them the same way.
        """
        rows = self.s.execute(
            select(
                ReturnRow.status,
                ReturnRow.created_at,
                select(func.min(CreditRow.created_at))
                .where(
                    CreditRow.tenant_id == ReturnRow.tenant_id,
                    CreditRow.return_id == ReturnRow.id,
                    CreditRow.kind != "fee",  # a fee withheld credits nobody
                )
                .scalar_subquery(),
                select(func.min(ReceiptRow.received_at))
                .where(ReceiptRow.tenant_id == ReturnRow.tenant_id, ReceiptRow.return_id == ReturnRow.id)
                .scalar_subquery(),
                select(func.max(InspectionRow.finished_at))
                .where(
                    InspectionRow.tenant_id == ReturnRow.tenant_id, InspectionRow.return_id == ReturnRow.id
                )
                .scalar_subquery(),
            ).where(self._created_in(start, end))
        )
        return [ReturnTimes(*row) for row in rows]

    def reason_units(self, start: datetime, end: datetime) -> list[ReasonUnits]:
        """Units per reason of the returns created in [start, end) that still claim their units."""
        rows = self.s.execute(
            select(ReturnLineRow.reason, func.sum(ReturnLineRow.quantity))
            .join(
                ReturnRow,
                (ReturnRow.tenant_id == ReturnLineRow.tenant_id) & (ReturnRow.id == ReturnLineRow.return_id),
            )
            .where(self._created_in(start, end), ReturnRow.status.in_(CLAIMING_STATUSES))
            .group_by(ReturnLineRow.reason)
        )
        return [ReasonUnits(reason, int(units)) for reason, units in rows]

    def recovery_totals(self, start: datetime, end: datetime) -> list[RecoveryTotal]:
        """Per currency, dispositions decided in [start, end): expected recovery and the lines' value."""
        value = ReturnLineRow.unit_price * ReturnLineRow.quantity
        rows = self.s.execute(
            select(DispositionRow.currency, func.sum(DispositionRow.expected_recovery), func.sum(value))
            .join(
                ReturnLineRow,
                (ReturnLineRow.tenant_id == DispositionRow.tenant_id)
                & (ReturnLineRow.id == DispositionRow.return_line_id),
            )
            .where(
                DispositionRow.tenant_id == self.tenant_id,
                DispositionRow.decided_at >= start,
                DispositionRow.decided_at < end,
            )
            .group_by(DispositionRow.currency)
        )
        # PostgreSQL sums bigints as numeric (Decimal): back to exact ints.
        return [RecoveryTotal(currency, int(recovered), int(total)) for currency, recovered, total in rows]

    def refund_totals(self, start: datetime, end: datetime) -> list[RefundTotal]:
        """Per currency, refunds created in [start, end) and not reversed (ix_credits_tenant_created)."""
        rows = self.s.execute(
            select(CreditRow.currency, func.sum(CreditRow.amount), func.count())
            .where(
                CreditRow.tenant_id == self.tenant_id,
                CreditRow.created_at >= start,
                CreditRow.created_at < end,
                CreditRow.kind == "refund",
                CreditRow.status != REVERSED,
            )
            .group_by(CreditRow.currency)
        )
        return [RefundTotal(currency, int(amount), int(n)) for currency, amount, n in rows]
