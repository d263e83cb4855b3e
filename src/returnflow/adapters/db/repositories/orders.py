"""Orders and their lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Table, bindparam, select, update

from returnflow.adapters.db.records import CustomerRecord, OrderLineRecord, OrderRecord, columns_of
from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.row_queue import fetch_all, run_queued
from returnflow.adapters.db.tables import CustomerRow, OrderLineRow, OrderRow

ORDERS: Table = OrderRow.__table__  # type: ignore[assignment]
CUSTOMERS: Table = CustomerRow.__table__  # type: ignore[assignment]
ORDER_LINES: Table = OrderLineRow.__table__  # type: ignore[assignment]

# Built once (the request paths run them through `compiled`): an order with its customer and its
# lines in one round trip — the lines locked when a return is about to claim them — and the lines.
_WITH_LINES = (
    select(*columns_of(ORDERS, OrderRecord), *columns_of(CUSTOMERS, CustomerRecord))
    .add_columns(*columns_of(ORDER_LINES, OrderLineRecord))
    .join(
        CUSTOMERS,
        (CUSTOMERS.c.tenant_id == ORDERS.c.tenant_id) & (CUSTOMERS.c.email == ORDERS.c.customer_email),
    )
    .join(
        ORDER_LINES, (ORDER_LINES.c.tenant_id == ORDERS.c.tenant_id) & (ORDER_LINES.c.order_id == ORDERS.c.id)
    )
    .where(ORDERS.c.tenant_id == bindparam("tenant_id"), ORDERS.c.number == bindparam("number"))
    .order_by(ORDER_LINES.c.position)
)
_WITH_LINES_LOCKED = _WITH_LINES.with_for_update(of=ORDER_LINES)
_LINES = (
    select(*columns_of(ORDER_LINES, OrderLineRecord))
    .where(ORDER_LINES.c.tenant_id == bindparam("tenant_id"), ORDER_LINES.c.order_id == bindparam("order_id"))
    .order_by(ORDER_LINES.c.position)
)
_LINES_LOCKED = _LINES.with_for_update()
_CLAIM = (
    update(ORDER_LINES)
    .where(ORDER_LINES.c.tenant_id == bindparam("line_tenant_id"), ORDER_LINES.c.id == bindparam("line_id"))
    .values(returned_quantity=ORDER_LINES.c.returned_quantity + bindparam("claimed"))
)
_N_ORDER = len(OrderRecord._fields)
_N_CUSTOMER = len(CustomerRecord._fields)


class OrderWithLines(NamedTuple):
    """An order as a return request reads it: the order, its customer, its lines in order."""

    order: OrderRecord
    customer: CustomerRecord
    lines: list[OrderLineRecord]


class OrderRepository(TenantScoped):
    """Orders and their lines."""

    def by_number(self, number: str) -> OrderRow | None:
        """The order with this number."""
        return self.s.scalars(
            select(OrderRow).where(OrderRow.tenant_id == self.tenant_id, OrderRow.number == number)
        ).first()

    def with_lines(self, number: str, *, lock: bool = False) -> OrderWithLines | None:
        """The order with this number, its customer and its lines, in one round trip.

        With `lock`, the lines are locked (`FOR UPDATE`) until the transaction ends, and later
        reads of them in it (`lines`) are answered without a round trip.
        """
        rows = fetch_all(
            self.s,
            _WITH_LINES_LOCKED if lock else _WITH_LINES,
            {"tenant_id": self.tenant_id, "number": number},
        )
        if not rows:
            return None
        first = rows[0]
        found = OrderWithLines(
            OrderRecord._make(first[:_N_ORDER]),
            CustomerRecord._make(first[_N_ORDER : _N_ORDER + _N_CUSTOMER]),
            [OrderLineRecord._make(r[_N_ORDER + _N_CUSTOMER :]) for r in rows],
        )
        if lock:
            self.memo.setdefault("locked_order_lines", {})[found.order.id] = found.lines
        return found

    def existing_numbers(self, numbers: Sequence[str]) -> set[str]:
        """Which of these order numbers already exist."""
        if not numbers:
            return set()
        return set(
            self.s.scalars(
                select(OrderRow.number).where(
                    OrderRow.tenant_id == self.tenant_id, OrderRow.number.in_(set(numbers))
                )
            )
        )

    def lines(self, order_id: str, *, for_update: bool = False) -> list[OrderLineRecord]:
        """An order's lines in order; locked when the caller will claim or release units."""
        locked: dict[str, list[OrderLineRecord]] = self.memo.setdefault("locked_order_lines", {})
        if order_id in locked:  # this transaction holds their locks: only its own claims change them
            return locked[order_id]
        params = {"tenant_id": self.tenant_id, "order_id": order_id}
        rows = [
            OrderLineRecord._make(r)
            for r in fetch_all(self.s, _LINES_LOCKED if for_update else _LINES, params)
        ]
        if for_update:
            locked[order_id] = rows
        return rows

    def add(
        self, order: dict[str, Any], lines: Sequence[dict[str, Any]]
    ) -> tuple[OrderRow, list[OrderLineRow]]:
        """Insert an order with its lines."""
        units = sum(int(line["quantity"]) for line in lines)
        row = OrderRow(tenant_id=self.tenant_id, units=units, **order)
        line_rows = [OrderLineRow(tenant_id=self.tenant_id, **line) for line in lines]
        # No ORM relationships: parents are flushed first so foreign keys hold at insert time.
        self.s.add(row)
        self.s.flush()
        self.s.add_all(line_rows)
        return row, line_rows

    def claim(self, line_id: str, quantity: int) -> None:
        """Units of a line a live return claims (negative: given back when it ends without them).

        A relative update, so claims never overwrite each other; a caller that checks what is left
        first must hold the line's lock (`lines(..., for_update=True)`) until it commits.
        """
        run_queued(
            self.s, _CLAIM, [{"line_tenant_id": self.tenant_id, "line_id": line_id, "claimed": quantity}]
        )
        for lines in self.memo.get("locked_order_lines", {}).values():
            lines[:] = [
                line._replace(returned_quantity=line.returned_quantity + quantity)
                if line.id == line_id
                else line
                for line in lines
            ]

    def release_quantity(self, line_id: str, quantity: int) -> None:
        """Give units back to a line (the return that claimed them ended without them)."""
        self.claim(line_id, -quantity)
