"""Statements run on the driver (`compiled`) read and write values exactly as the ORM does, and the
rows they queue interleave correctly with the ORM's own changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from returnflow.adapters.db.tables import CustomerRow, OrderLineRow, OrderRow, ProductRow, ReturnRow
from returnflow.bootstrap import Container
from returnflow.services import catalog, orders
from returnflow.services.access import system_actor
from returnflow.services.ids import new_id
from returnflow.services.inputs import OrderInput, ProductInput
from returnflow.services.tenants import tenant_by_slug
from tests.builders import line, order, product

PLACED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _seed(container: Container, tenant_slug: str) -> tuple[str, str]:
    """A tenant with a serialized, tagged product and one order of it; (tenant id, order number)."""
    tid = tenant_by_slug(container.db, tenant_slug).id
    actor = system_actor(tid, "tests")
    body = product(name="Café Table «Oak»", serialized=True, tags=["final_sale", "oak"], brand=None)
    catalog.upsert_product(container.db, container.clock, actor, "SKU-1", ProductInput.model_validate(body))
    number = "A-1001"
    data = order(
        number,
        [line(quantity=2, serials=["SN-1", "SN-2"]), line(quantity=1, unit_price=100, list_price=900)],
        placed=PLACED,
    )
    orders.create_order(container.db, container.clock, actor, OrderInput.model_validate(data))
    return tid, number


def _orm_values(obj: object, fields: tuple[str, ...]) -> tuple[object, ...]:
    return tuple(getattr(obj, f) for f in fields)


def test_an_order_read_on_the_driver_equals_the_orm_read(container: Container, tenant_slug: str) -> None:
    tid, number = _seed(container, tenant_slug)
    with container.db.uow(tid, readonly=True) as uow:
        found = uow.orders.with_lines(number)
        assert found is not None
        s = uow.session
        order_row = s.scalars(
            select(OrderRow).where(OrderRow.tenant_id == tid, OrderRow.number == number)
        ).one()
        customer = s.get(CustomerRow, (tid, order_row.customer_email))
        lines = s.scalars(
            select(OrderLineRow).where(OrderLineRow.tenant_id == tid).order_by(OrderLineRow.position)
        ).all()
        assert found.order == _orm_values(order_row, type(found.order)._fields)
        assert found.customer == _orm_values(customer, type(found.customer)._fields)
        assert found.lines == [_orm_values(ln, type(found.lines[0])._fields) for ln in lines]
        # Values come back typed: aware UTC datetimes, JSON lists, booleans, absent prices as None.
        assert found.order.placed_at == PLACED and found.order.placed_at.tzinfo is not None
        assert found.lines[0].serials == ["SN-1", "SN-2"] and found.lines[0].final_sale is False
        assert found.lines[1].list_price == 900 and found.lines[0].list_price is None
        product_row = s.get(ProductRow, (tid, "SKU-1"))
        record = uow.catalog.products(["SKU-1"])["SKU-1"]
        assert record == _orm_values(product_row, type(record)._fields)
        assert (
            record.name == "Café Table «Oak»"
            and record.serialized is True
            and record.tags == ["final_sale", "oak"]
        )


def test_a_list_parameter_takes_any_number_of_values(container: Container, tenant_slug: str) -> None:
    tid, _ = _seed(container, tenant_slug)
    awkward = ["it's", 'say "hi"', "ünï", "%(x)s", "?", "SKU-1"]
    many = [f"NOPE-{i}" for i in range(3000)]
    with container.db.uow(tid, readonly=True) as uow:
        assert uow.catalog.products([]) == {}
        assert set(uow.catalog.products(["SKU-1"])) == {"SKU-1"}
        assert set(uow.catalog.products(awkward)) == {"SKU-1"}
        assert set(uow.catalog.products([*many, "SKU-1"])) == {"SKU-1"}
        assert uow.catalog.products(many) == {}


def _a_return(uow, number: str) -> ReturnRow:  # type: ignore[no-untyped-def]
    found = uow.orders.with_lines(number, lock=True)
    first = found.lines[0]
    now = PLACED + timedelta(days=5)
    return_id = new_id("ret")
    row, _ = uow.returns.add(
        {
            "id": return_id,
            "number": f"RMA-{new_id('x')[-8:]}",
            "order_id": found.order.id,
            "order_number": number,
            "customer_email": found.order.customer_email,
            "status": "approved",
            "resolution": "refund",
            "currency": "USD",
            "items_total": first.unit_price,
            "units": 1,
            "refund_total": first.unit_price,
            "policy_version": 1,
            "credit_trigger": "manual",
            "decision": {"outcome": "approved"},
            "risk": {"score": 0, "tier": "low", "reasons": []},
            "created_at": now,
            "updated_at": now,
        },
        [
            {
                "id": new_id("rtl"),
                "return_id": return_id,
                "position": 0,
                "order_line_id": first.id,
                "sku": first.sku,
                "quantity": 1,
                "unit_price": first.unit_price,
                "reason": "defective",
                "status": "approved",
            }
        ],
    )
    return row


def test_a_change_to_a_queued_return_is_saved_after_its_insert(
    container: Container, tenant_slug: str
) -> None:
    tid, number = _seed(container, tenant_slug)
    with container.db.uow(tid) as uow:
        row = _a_return(uow, number)
        uow.returns.lines(row.id)[0].status = "completed"
        # Changed before anything sent the queued insert: the update must still follow it.
        row.status, row.routing = "completed", {"keep_it": True}
        uow.commit()
    with container.db.uow(tid, readonly=True) as uow:
        stored = uow.returns.get(row.id)
        assert stored is not None
        assert (stored.status, stored.routing, stored.type, stored.destination_node) == (
            "completed",
            {"keep_it": True},
            "customer",
            None,
        )
        assert [ln.status for ln in uow.returns.lines(row.id)] == ["completed"]


def test_claims_add_up_and_a_locked_read_sees_this_transactions_own(
    container: Container, tenant_slug: str
) -> None:
    tid, number = _seed(container, tenant_slug)
    with container.db.uow(tid) as uow:
        found = uow.orders.with_lines(number, lock=True)
        assert found is not None
        first = found.lines[0].id
        uow.orders.claim(first, 2)
        uow.orders.release_quantity(first, 1)
        assert [ln.returned_quantity for ln in uow.orders.lines(found.order.id, for_update=True)] == [1, 0]
        uow.commit()
    with container.db.uow(tid) as uow:
        uow.orders.claim(first, 1)  # no lock read first: a relative update all the same
        uow.commit()
    with container.db.uow(tid, readonly=True) as uow:
        found = uow.orders.with_lines(number)
        assert found is not None
        assert [ln.returned_quantity for ln in found.lines] == [2, 0]


def test_a_queued_row_may_refer_to_an_object_the_orm_has_not_sent(
    container: Container, tenant_slug: str
) -> None:
    tid, _ = _seed(container, tenant_slug)
    with container.db.uow(tid) as uow:
        order_row, lines = uow.orders.add(
            {
                "id": new_id("ord"),
                "number": "A-2002",
                "channel": "web",
                "currency": "USD",
                "customer_email": "ada@example.com",
                "placed_at": PLACED,
                "created_at": PLACED,
            },
            [
                {
                    "id": new_id("oln"),
                    "order_id": "",
                    "position": 0,
                    "sku": "SKU-1",
                    "quantity": 3,
                    "unit_price": 500,
                }
            ],
        )
        lines[0].order_id = order_row.id
        uow.orders.claim(lines[0].id, 2)  # the line is still only in the session's unit of work
        uow.commit()
    with container.db.uow(tid, readonly=True) as uow:
        found = uow.orders.with_lines("A-2002")
        assert found is not None
        assert [(ln.quantity, ln.returned_quantity) for ln in found.lines] == [(3, 2)]


def test_a_list_parameter_keeps_the_index_in_use_on_sqlite() -> None:
    """`IN json_each(…)` is not compared to 1 (SQLite's booleans), which would force a scan."""
    from sqlalchemy import create_engine

    from returnflow.adapters.db.compiled import compiled
    from returnflow.adapters.db.repositories.ledger import _ALLOCATED
    from returnflow.adapters.db.tables import Base

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    c = compiled(_ALLOCATED, engine.dialect)
    with engine.connect() as conn:
        params = c.params({"tenant_id": "t", "line_ids": ["a"]})
        plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + c.sql, params)
        details = " ".join(str(row[-1]) for row in plan)
    assert "USING INDEX ix_credit_allocations_tenant_line (tenant_id=? AND order_line_id=?)" in details
