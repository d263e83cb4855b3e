"""Queries over ledger postings, credits and refund instructions, scoped to one tenant."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Table, bindparam, func, select

from returnflow.adapters.db.compiled import OneOf
from returnflow.adapters.db.records import CreditRecord
from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.row_queue import fetch_all, insert_rows
from returnflow.adapters.db.tables import OrderLineRow
from returnflow.adapters.db.tables_ledger import (
    CreditAllocationRow,
    CreditRow,
    LedgerEntryRow,
    LedgerPostingRow,
    RefundInstructionRow,
)

if TYPE_CHECKING:
    from returnflow.services.payment_port import RefundsDue

# The Tables, not the mapped classes: an insert of a class through the session takes the ORM's path.
LEDGER_ENTRIES: Table = LedgerEntryRow.__table__  # type: ignore[assignment]
LEDGER_POSTINGS: Table = LedgerPostingRow.__table__  # type: ignore[assignment]
CREDITS: Table = CreditRow.__table__  # type: ignore[assignment]
CREDIT_ALLOCATIONS: Table = CreditAllocationRow.__table__  # type: ignore[assignment]
REFUND_INSTRUCTIONS: Table = RefundInstructionRow.__table__  # type: ignore[assignment]

# Built once: constructing it on every credit cost more than running its cached compiled form.
_ALLOCATED = (
    select(CreditAllocationRow.order_line_id, func.sum(CreditAllocationRow.amount))
    .where(
        CreditAllocationRow.tenant_id == bindparam("tenant_id"),
        OneOf(CREDIT_ALLOCATIONS.c.order_line_id, "line_ids"),
    )
    .group_by(CreditAllocationRow.order_line_id)
)


def _due(due: RefundsDue) -> ColumnElement[bool]:
    """Refund instructions a gateway run takes now: `pending` and not backing off (`next_attempt_at`
    unset or reached), or `submitted` before `submitted_before` (the gateway call's lease ran out)."""
    r = RefundInstructionRow
    waiting_done = r.next_attempt_at.is_(None) | (r.next_attempt_at <= due.now)
    lease_over = r.submitted_at.is_(None) | (r.submitted_at <= due.submitted_before)
    return (r.provider == due.provider) & (
        ((r.status == due.pending) & waiting_done) | ((r.status == due.submitted) & lease_over)
    )


class LedgerRepository(TenantScoped):
    """ledger postings, credits and refund instructions of one tenant."""

    # The writes below are Core inserts, queued (`row_queue`): money rows are written, never edited
    # in the same transaction, so the ORM's unit of work would only add cost, and on PostgreSQL a
    # return's credit (five of the inserts of `POST /v1/returns`) goes out in one round trip with
    # the outbox. Unique keys are checked when the queue is sent: by the next statement, or commit.

    def add_entry(self, entry: dict[str, Any], postings: Sequence[tuple[str, str, int, str]]) -> None:
        """Insert an entry with its postings `(account, side, amount, currency)`."""
        insert_rows(self.s, LEDGER_ENTRIES, [{"tenant_id": self.tenant_id, **entry}])
        if entry.get("return_id"):
            self.memo.setdefault("credited_returns", set()).add(entry["return_id"])
        insert_rows(
            self.s,
            LEDGER_POSTINGS,
            [
                {
                    "tenant_id": self.tenant_id,
                    "id": f"{entry['id']}-{i}",
                    "entry_id": entry["id"],
                    "position": i,
                    "account": account,
                    "side": side,
                    "amount": amount,
                    "currency": currency,
                }
                for i, (account, side, amount, currency) in enumerate(postings)
            ],
        )

    def add_credits(self, credits: Sequence[dict[str, Any]]) -> list[CreditRecord]:
        """Insert credits (the unique (tenant, return, kind) key refuses a second credit); the
        values stored, as records."""
        insert_rows(self.s, CREDITS, [{"tenant_id": self.tenant_id, **c} for c in credits])
        return [CreditRecord(**c) for c in credits]

    def add_allocations(self, entry_id: str, order_id: str, amounts: Sequence[tuple[str, int]]) -> None:
        """Record how much of each order line an entry credited."""
        rows = [
            {
                "tenant_id": self.tenant_id,
                "entry_id": entry_id,
                "order_line_id": line_id,
                "order_id": order_id,
                "amount": amount,
            }
            for line_id, amount in amounts
            if amount > 0
        ]
        insert_rows(self.s, CREDIT_ALLOCATIONS, rows)

    def add_refund_instruction(self, instruction: dict[str, Any]) -> None:
        """Store a refund instruction (before any gateway hears of it)."""
        row = {"tenant_id": self.tenant_id, "attempts": 0, **instruction}
        insert_rows(self.s, REFUND_INSTRUCTIONS, [row])

    def credits_of(self, return_id: str) -> Sequence[CreditRow]:
        """A return's credits, oldest first."""
        return self.s.scalars(
            select(CreditRow)
            .where(CreditRow.tenant_id == self.tenant_id, CreditRow.return_id == return_id)
            .order_by(CreditRow.created_at, CreditRow.id)
        ).all()

    def check_credits(self, return_ids: Iterable[str]) -> None:
        """Learn in one query which of these returns are credited, for `has_credit` to answer.

        Only for returns this transaction has locked: a credit needs the return's lock, so the
        answer holds until commit (this transaction's own credits are added as they are made).
        """
        ids = sorted(set(return_ids))
        checked: set[str] = self.memo.setdefault("credit_checked", set())
        credited: set[str] = self.memo.setdefault("credited_returns", set())
        for start in range(0, len(ids), 1000):
            part = ids[start : start + 1000]
            credited.update(
                self.s.scalars(
                    select(LedgerEntryRow.return_id).where(
                        LedgerEntryRow.tenant_id == self.tenant_id, LedgerEntryRow.return_id.in_(part)
                    )
                )
            )
            checked.update(part)

    def has_credit(self, return_id: str) -> bool:
        """Whether a return has already been credited."""
        if return_id in self.memo.get("new_returns", {}) or return_id in self.memo.get("credit_checked", ()):
            return return_id in self.memo.get("credited_returns", set())
        found = self.s.scalar(
            select(LedgerEntryRow.id).where(
                LedgerEntryRow.tenant_id == self.tenant_id, LedgerEntryRow.return_id == return_id
            )
        )
        return found is not None

    def credits(self, *, after_id: str | None = None, limit: int = 100) -> Sequence[CreditRow]:
        """The tenant's credits, newest first."""
        stmt = select(CreditRow).where(CreditRow.tenant_id == self.tenant_id)
        if after_id:
            stmt = stmt.where(CreditRow.id < after_id)
        return self.s.scalars(stmt.order_by(CreditRow.id.desc()).limit(limit)).all()

    def allocated(self, order_line_ids: Sequence[str]) -> dict[str, int]:
        """Order line -> value already credited against it."""
        if not order_line_ids:
            return {}
        rows = fetch_all(self.s, _ALLOCATED, {"tenant_id": self.tenant_id, "line_ids": list(order_line_ids)})
        return {line_id: int(total or 0) for line_id, total in rows}

    def balances(self) -> list[tuple[str, str, str, int]]:
        """(account, currency, side, total) over every posting."""
        rows = self.s.execute(
            select(
                LedgerPostingRow.account,
                LedgerPostingRow.currency,
                LedgerPostingRow.side,
                func.sum(LedgerPostingRow.amount),
            )
            .where(LedgerPostingRow.tenant_id == self.tenant_id)
            .group_by(LedgerPostingRow.account, LedgerPostingRow.currency, LedgerPostingRow.side)
        )
        return [(a, c, s, int(t or 0)) for a, c, s, t in rows]

    def entries_with_postings(self, batch: int = 1000) -> Iterator[tuple[str, list[LedgerPostingRow]]]:
        """(entry id, its postings) for every entry, streamed in entry order."""
        current: str | None = None
        group: list[LedgerPostingRow] = []
        stmt = (
            select(LedgerPostingRow)
            .where(LedgerPostingRow.tenant_id == self.tenant_id)
            .order_by(LedgerPostingRow.entry_id, LedgerPostingRow.position)
            .execution_options(yield_per=batch)
        )
        for p in self.s.scalars(stmt):
            if p.entry_id != current:
                if current is not None:
                    yield current, group
                current, group = p.entry_id, []
            group.append(p)
        if current is not None:
            yield current, group

    def entry_ids(self) -> set[str]:
        """Every entry id (to find entries that lost all their postings)."""
        return set(
            self.s.scalars(select(LedgerEntryRow.id).where(LedgerEntryRow.tenant_id == self.tenant_id))
        )

    def over_allocated_lines(self) -> list[tuple[str, str, int, int]]:
        """(order id, order line id, paid, credited) for lines credited beyond what was paid."""
        credited = (
            select(
                CreditAllocationRow.order_line_id.label("line_id"),
                func.sum(CreditAllocationRow.amount).label("credited"),
            )
            .where(CreditAllocationRow.tenant_id == self.tenant_id)
            .group_by(CreditAllocationRow.order_line_id)
            .subquery()
        )
        paid = OrderLineRow.unit_price * OrderLineRow.quantity
        rows = self.s.execute(
            select(OrderLineRow.order_id, OrderLineRow.id, paid, credited.c.credited)
            .join(credited, credited.c.line_id == OrderLineRow.id)
            .where(OrderLineRow.tenant_id == self.tenant_id, credited.c.credited > paid)
        )
        return [(o, line, int(p), int(c)) for o, line, p, c in rows]

    def refunds_beyond_credit(self) -> list[tuple[str, int, int]]:
        """(return id, refund credits, instructed refunds) where instructions exceed the refund credit."""
        instructed = (
            select(
                RefundInstructionRow.return_id.label("rid"), func.sum(RefundInstructionRow.amount).label("n")
            )
            .where(RefundInstructionRow.tenant_id == self.tenant_id)
            .group_by(RefundInstructionRow.return_id)
            .subquery()
        )
        credited = (
            select(CreditRow.return_id.label("rid"), func.sum(CreditRow.amount).label("n"))
            .where(CreditRow.tenant_id == self.tenant_id, CreditRow.kind == "refund")
            .group_by(CreditRow.return_id)
            .subquery()
        )
        rows = self.s.execute(
            select(instructed.c.rid, func.coalesce(credited.c.n, 0), instructed.c.n)
            .outerjoin(credited, credited.c.rid == instructed.c.rid)
            .where(instructed.c.n > func.coalesce(credited.c.n, 0))
        )
        return [(rid, int(c), int(i)) for rid, c, i in rows]

    def refund_instructions(self, *, status: str | None = None) -> Sequence[RefundInstructionRow]:
        """Refund instructions, oldest first (optionally of one status)."""
        stmt = select(RefundInstructionRow).where(RefundInstructionRow.tenant_id == self.tenant_id)
        if status:
            stmt = stmt.where(RefundInstructionRow.status == status)
        return self.s.scalars(stmt.order_by(RefundInstructionRow.id)).all()

    def claim_refunds(self, due: RefundsDue, limit: int) -> Sequence[RefundInstructionRow]:
        """The provider's due instructions, oldest first, row-locked; rows another worker holds are skipped.

        Filtered here, before the limit, so rows that are not due never take the places of due rows
        behind them.
        """
        stmt = (
            select(RefundInstructionRow)
            .where(RefundInstructionRow.tenant_id == self.tenant_id, _due(due))
            .order_by(RefundInstructionRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return self.s.scalars(stmt).all()

    def refund_instruction(self, refund_id: str, *, for_update: bool = False) -> RefundInstructionRow | None:
        """One refund instruction."""
        stmt = select(RefundInstructionRow).where(
            RefundInstructionRow.tenant_id == self.tenant_id, RefundInstructionRow.id == refund_id
        )
        if for_update:
            stmt = stmt.with_for_update()
        return self.s.scalars(stmt).first()

    def set_credit_status(self, credit_id: str, status: str, at: datetime) -> None:
        """Move a credit along (e.g. a refund once it has been instructed)."""
        row = self.s.get(CreditRow, (self.tenant_id, credit_id))
        if row is not None:
            row.status = status
            row.details = {**row.details, f"{status}_at": at.isoformat()}

    # --- reversals ----------------------------------------------------------------------------

    def postings_of(self, entry_id: str) -> Sequence[LedgerPostingRow]:
        """An entry's postings in order."""
        return self.s.scalars(
            select(LedgerPostingRow)
            .where(LedgerPostingRow.tenant_id == self.tenant_id, LedgerPostingRow.entry_id == entry_id)
            .order_by(LedgerPostingRow.position)
        ).all()

    def reverse_allocations(self, entry_id: str, reversal_id: str) -> None:
        """Give back what an entry used up of its order lines (negative allocations of the reversal)."""
        rows = self.s.scalars(
            select(CreditAllocationRow).where(
                CreditAllocationRow.tenant_id == self.tenant_id, CreditAllocationRow.entry_id == entry_id
            )
        ).all()
        self.s.add_all(
            CreditAllocationRow(
                tenant_id=self.tenant_id,
                entry_id=reversal_id,
                order_line_id=r.order_line_id,
                order_id=r.order_id,
                amount=-r.amount,
            )
            for r in rows
        )

    def refund_instruction_of(
        self, credit_id: str, *, for_update: bool = False
    ) -> RefundInstructionRow | None:
        """The refund instruction of a refund credit."""
        stmt = select(RefundInstructionRow).where(
            RefundInstructionRow.tenant_id == self.tenant_id, RefundInstructionRow.credit_id == credit_id
        )
        if for_update:
            stmt = stmt.with_for_update()
        return self.s.scalars(stmt).first()

    # --- the worker's cross-tenant question -----------------------------------------------------

    def tenants_with_refunds(self, due: RefundsDue) -> list[str]:
        """Tenants (of every tenant) holding refund instructions that are due."""
        return list(self.s.scalars(select(RefundInstructionRow.tenant_id).where(_due(due)).distinct()))
