"""Orders and their lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select, update

from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.tables import CustomerRow, OrderLineRow, OrderRow

# Built once: on the return request's path, constructing a statement cost more than running it.
_WITH_CUSTOMER = (
    select(OrderRow, CustomerRow)
    .join(
        CustomerRow,
        (CustomerRow.tenant_id == OrderRow.tenant_id) & (CustomerRow.email == OrderRow.customer_email),
    )
    .where(OrderRow.tenant_id == bindparam("tenant_id"), OrderRow.number == bindparam("number"))
)
_LINES = (
    select(OrderLineRow)
    .where(OrderLineRow.tenant_id == bindparam("tenant_id"), OrderLineRow.order_id == bindparam("order_id"))
    .order_by(OrderLineRow.position)
)
_LINES_LOCKED = _LINES.with_for_update()


class OrderRepository(TenantScoped):
    """Orders and their lines."""

    def by_number(self, number: str) -> OrderRow | None:
        """The order with this number."""
        return self.s.scalars(
            select(OrderRow).where(OrderRow.tenant_id == self.tenant_id, OrderRow.number == number)
        ).first()

    def by_number_with_customer(self, number: str) -> OrderRow | None:
        """The order with this number, its customer read in the same round trip (then in the session)."""
        row = self.s.execute(_WITH_CUSTOMER, {"tenant_id": self.tenant_id, "number": number}).first()
        if row is None:
            return None
        # Held for the transaction: the session's identity map is weak, and `catalog.customer` reads it.
        self.memo.setdefault("held_rows", []).append(row[1])
        return row[0]

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

    def lines(self, order_id: str, *, for_update: bool = False) -> Sequence[OrderLineRow]:
        """An order's lines in order; locked when the caller will change returned quantities."""
        locked: dict[str, Sequence[OrderLineRow]] = self.memo.setdefault("locked_order_lines", {})
        if order_id in locked:  # this transaction holds their locks: they cannot have changed
            return locked[order_id]
        params = {"tenant_id": self.tenant_id, "order_id": order_id}
        if not for_update:
            return self.s.scalars(_LINES, params).all()
        rows = locked[order_id] = self.s.scalars(_LINES_LOCKED, params).all()
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

    def release_quantity(self, line_id: str, quantity: int) -> None:
        """Give units back to a line (the return that claimed them ended without them)."""
        self.s.execute(
            update(OrderLineRow)
            .where(OrderLineRow.tenant_id == self.tenant_id, OrderLineRow.id == line_id)
            .values(returned_quantity=OrderLineRow.returned_quantity - quantity)
        )
