"""Rows queued for one round trip (money rows, outbox, audit) behave as if written at once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from returnflow.adapters.db.row_queue import QUEUED
from returnflow.adapters.db.tables_ledger import CreditAllocationRow
from returnflow.adapters.db.uow import UnitOfWork
from returnflow.bootstrap import Container
from returnflow.domain.errors import Conflict
from returnflow.services.ids import new_id
from returnflow.services.tenants import tenant_by_slug

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _entry(entry_id: str, key: str | None = None) -> dict[str, object]:
    return {
        "id": entry_id,
        "idempotency_key": key or f"probe:{entry_id}",
        "kind": "probe",
        "currency": "USD",
        "memo": "row queue probe",
        "created_at": AT,
        "created_by": "tests",
    }


def _count(container: Container, tenant_id: str, entry_id: str) -> int:
    with container.db.uow(tenant_id, readonly=True) as uow:
        return int(
            uow.session.scalar(
                select(func.count())
                .select_from(CreditAllocationRow)
                .where(CreditAllocationRow.tenant_id == tenant_id, CreditAllocationRow.entry_id == entry_id)
            )
            or 0
        )


def _order_line() -> tuple[str, str]:
    """Ids of an order and its line (allocations keep ids, not references)."""
    return new_id("ord"), new_id("oln")


def _add_twice_and_commit(uow: UnitOfWork, entry_id: str) -> None:
    for _ in range(2):
        uow.ledger.add_entry(_entry(entry_id), [("customer_refunds_payable", "credit", 100, "USD")])
    uow.commit()


def test_a_query_in_the_same_transaction_sees_the_rows_queued_before_it(container: Container, tenant_slug):
    tid = tenant_by_slug(container.db, tenant_slug).id
    order_id, line_id = _order_line()
    entry_id = new_id("led")
    with container.db.uow(tid) as uow:
        before = uow.ledger.allocated([line_id]).get(line_id, 0)
        uow.ledger.add_entry(_entry(entry_id), [("customer_refunds_payable", "credit", 700, "USD")])
        uow.ledger.add_allocations(entry_id, order_id, [(line_id, 700)])
        # The credit check of a second return of the order, in the same transaction, counts it.
        assert uow.ledger.allocated([line_id])[line_id] == before + 700
        assert QUEUED not in uow.session.info
        uow.commit()
    assert _count(container, tid, entry_id) == 1


def test_queued_rows_are_written_by_the_commit_or_not_at_all(container: Container, tenant_slug):
    tid = tenant_by_slug(container.db, tenant_slug).id
    order_id, line_id = _order_line()
    kept, dropped = new_id("led"), new_id("led")
    with container.db.uow(tid) as uow:
        uow.ledger.add_entry(_entry(dropped), [("customer_refunds_payable", "credit", 100, "USD")])
        uow.ledger.add_allocations(dropped, order_id, [(line_id, 100)])
        uow.session.rollback()
        uow.ledger.add_entry(_entry(kept), [("customer_refunds_payable", "credit", 100, "USD")])
        uow.ledger.add_allocations(kept, order_id, [(line_id, 100)])
        uow.session.commit()  # a plain commit, not the unit of work's: the queue still goes out
    assert _count(container, tid, kept) == 1
    assert _count(container, tid, dropped) == 0


def test_a_duplicate_in_the_queue_is_a_conflict_and_writes_nothing(container: Container, tenant_slug):
    tid = tenant_by_slug(container.db, tenant_slug).id
    order_id, line_id = _order_line()
    entry_id = new_id("led")
    with container.db.uow(tid) as uow:
        uow.ledger.add_allocations(entry_id, order_id, [(line_id, 100)])
        # Refused by the insert itself on SQLite, by the commit that sends the queue on PostgreSQL.
        with pytest.raises((Conflict, IntegrityError)):
            _add_twice_and_commit(uow, entry_id)
    assert _count(container, tid, entry_id) == 0
