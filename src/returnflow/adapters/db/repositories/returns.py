"""Returns and their lines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, case, func, literal_column, select

from returnflow.adapters.db.repositories.base import TenantScoped, column_defaults, stored
from returnflow.adapters.db.row_queue import fetch_one, insert_rows
from returnflow.adapters.db.tables import OrderRow, ReturnLineRow, ReturnRow
from returnflow.domain.returns import CLAIMING

RETURNS: Table = ReturnRow.__table__  # type: ignore[assignment]
RETURN_LINES: Table = ReturnLineRow.__table__  # type: ignore[assignment]
_RETURN_DEFAULTS = column_defaults(RETURNS)
_LINE_DEFAULTS = column_defaults(RETURN_LINES)


class ReturnRepository(TenantScoped):
    """Returns and their lines."""

    def get(self, return_id: str, *, for_update: bool = False) -> ReturnRow | None:
        """One return (row-locked when it is about to change)."""
        created = self.memo.get("new_returns", {}).get(return_id)
        if created is not None:  # inserted by this transaction: nobody else can see or lock it
            return created[0]  # type: ignore[no-any-return]
        held = self.memo.get("locked_returns", {}).get(return_id)
        if held is not None:  # locked earlier in this transaction: it cannot have changed under it
            return held  # type: ignore[no-any-return]
        stmt = select(ReturnRow).where(ReturnRow.tenant_id == self.tenant_id, ReturnRow.id == return_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = self.s.scalars(stmt).first()
        if for_update and row is not None:
            self.hold([row])
        return row

    def hold(self, rows: Iterable[ReturnRow]) -> None:
        """Remember rows this transaction has locked, so a later locking read needs no round trip."""
        locked = self.memo.setdefault("locked_returns", {})
        for row in rows:
            locked[row.id] = row

    def by_number(self, number: str) -> ReturnRow | None:
        """The return with this RMA number (numbers are unique per tenant)."""
        return self.s.scalars(
            select(ReturnRow).where(ReturnRow.tenant_id == self.tenant_id, ReturnRow.number == number)
        ).first()

    def lines(self, return_id: str) -> Sequence[ReturnLineRow]:
        """A return's lines in order."""
        created = self.memo.get("new_returns", {}).get(return_id)
        if created is not None:
            return sorted(created[1], key=lambda line: line.position)
        return self.s.scalars(
            select(ReturnLineRow)
            .where(ReturnLineRow.tenant_id == self.tenant_id, ReturnLineRow.return_id == return_id)
            .order_by(ReturnLineRow.position)
        ).all()

    def lines_of(self, return_ids: Sequence[str]) -> dict[str, list[ReturnLineRow]]:
        """Lines of several returns at once (for lists)."""
        out: dict[str, list[ReturnLineRow]] = {rid: [] for rid in return_ids}
        if not return_ids:
            return out
        rows = self.s.scalars(
            select(ReturnLineRow)
            .where(ReturnLineRow.tenant_id == self.tenant_id, ReturnLineRow.return_id.in_(return_ids))
            .order_by(ReturnLineRow.return_id, ReturnLineRow.position)
        )
        for row in rows:
            out[row.return_id].append(row)
        return out

    def add(
        self, ret: dict[str, Any], lines: Sequence[dict[str, Any]]
    ) -> tuple[ReturnRow, list[ReturnLineRow]]:
        """Insert a return with its lines; answered as session objects, so later changes are saved.

        The rows go out as queued inserts (`row_queue`), not through the ORM's unit of work; the
        objects are attached as already stored.
        """
        # Columns left out are left to the table (its defaults; NULL, not JSON null, for the rest).
        row_values = {"tenant_id": self.tenant_id, **ret}
        line_values = [{"tenant_id": self.tenant_id, **line} for line in lines]
        insert_rows(self.s, RETURNS, [row_values])
        insert_rows(self.s, RETURN_LINES, line_values)
        row = stored(self.s, ReturnRow(**{**_RETURN_DEFAULTS, **row_values}))
        line_rows = [stored(self.s, ReturnLineRow(**{**_LINE_DEFAULTS, **values})) for values in line_values]
        self.memo.setdefault("new_returns", {})[row.id] = (row, line_rows)
        return row, line_rows

    def search(
        self,
        *,
        status: str | None = None,
        order_number: str | None = None,
        customer_email: str | None = None,
        query: str | None = None,
        after_id: str | None = None,
        limit: int = 50,
    ) -> list[ReturnRow]:
        """Newest first, keyset-paginated by id (ids are time-ordered)."""
        stmt = select(ReturnRow).where(ReturnRow.tenant_id == self.tenant_id)
        if status:
            stmt = stmt.where(ReturnRow.status == status)
        if order_number:
            stmt = stmt.where(ReturnRow.order_number == order_number)
        if customer_email:
            stmt = stmt.where(ReturnRow.customer_email == customer_email)
        if query:
            like = f"%{query.strip()}%"
            stmt = stmt.where(
                ReturnRow.number.ilike(like)
                | ReturnRow.order_number.ilike(like)
                | ReturnRow.customer_email.ilike(like)
            )
        if after_id:
            stmt = stmt.where(ReturnRow.id < after_id)
        return list(self.s.scalars(stmt.order_by(ReturnRow.id.desc()).limit(limit)))

    def count_by_status(self) -> dict[str, int]:
        """How many returns are in each status."""
        rows = self.s.execute(
            select(ReturnRow.status, func.count())
            .where(ReturnRow.tenant_id == self.tenant_id)
            .group_by(ReturnRow.status)
        )
        return {status: int(n) for status, n in rows}

    def customer_history(
        self, email: str, since_90d: datetime, since_365d: datetime
    ) -> tuple[int, int, int, int]:
        """Live returns since `since_90d`; live units, keep-its, units bought since `since_365d`."""
        found = fetch_one(
            self.s,
            _HISTORY,
            {"tenant_id": self.tenant_id, "email": email, "since": since_365d, "recent": since_90d},
        )
        row = found if found is not None else (0, 0, 0, 0)
        return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0), int(row[3] or 0)

    def kept_between(self, start: datetime, end: datetime) -> list[tuple[ReturnRow, list[ReturnLineRow]]]:
        """Keep-it returns resolved (completed without shipping) in [start, end), with their lines."""
        rows = self.s.execute(
            select(ReturnRow, ReturnLineRow)
            .join(
                ReturnLineRow,
                (ReturnLineRow.tenant_id == ReturnRow.tenant_id) & (ReturnLineRow.return_id == ReturnRow.id),
            )
            .where(
                ReturnRow.tenant_id == self.tenant_id,
                ReturnRow.status == "completed",
                ReturnRow.method == "keep_it",
                ReturnRow.routed_at >= start,
                ReturnRow.routed_at < end,
            )
            .order_by(ReturnRow.routed_at, ReturnRow.id, ReturnLineRow.position)
        )
        out: dict[str, tuple[ReturnRow, list[ReturnLineRow]]] = {}
        for ret, line in rows:
            out.setdefault(ret.id, (ret, []))[1].append(line)
        return list(out.values())


# Units the customer bought: a range scan of ix_orders_tenant_customer (units are kept on the order).
_PURCHASES = (
    select(func.coalesce(func.sum(OrderRow.units), 0))
    .where(
        OrderRow.tenant_id == bindparam("tenant_id"),
        OrderRow.customer_email == bindparam("email"),
        OrderRow.placed_at >= bindparam("since", type_=OrderRow.placed_at.type),
    )
    .scalar_subquery()
)
# One index range scan over (tenant_id, customer_email, created_at) plus the purchases, in one
# round trip; built once, not per request.
_HISTORY = select(
    func.sum(
        case((ReturnRow.created_at >= bindparam("recent", type_=ReturnRow.created_at.type), 1), else_=0)
    ),
    func.sum(ReturnRow.units),
    func.sum(case((ReturnRow.method == "keep_it", 1), else_=0)),
    _PURCHASES,
).where(
    ReturnRow.tenant_id == bindparam("tenant_id"),
    ReturnRow.customer_email == bindparam("email"),
    ReturnRow.created_at >= bindparam("since", type_=ReturnRow.created_at.type),
    # The statuses written into the text, so it is the same on every run (see `compiled`).
    ReturnRow.status.in_([literal_column(f"'{s.value}'") for s in CLAIMING]),
)
