"""Credits under concurrency, on PostgreSQL: duplicate triggers and racing returns of one order."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update

from returnflow.adapters.db.tables import OrderLineRow
from returnflow.adapters.db.tables_ledger import CreditAllocationRow, CreditRow, LedgerEntryRow
from returnflow.bootstrap import Container
from returnflow.domain.errors import DomainError
from returnflow.services import credits, ledger
from returnflow.services.access import system_actor
from returnflow.services.inputs import ReturnInput
from returnflow.services.returns import request_return
from returnflow.services.tenants import tenant_by_slug
from tests.builders import line, order, return_request
from tests.integration.test_api_credits import set_triggers

PLACED = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _postgres_only(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serializes every write through one gate; row-lock races need PostgreSQL")


def _race(n: int, fn: Callable[[int], Any]) -> list[Any]:
    """Run fn(i) for i < n on n threads released at the same moment; results or raised errors."""
    gate = threading.Barrier(n)

    def run(i: int) -> Any:
        gate.wait()
        try:
            return fn(i)
        except DomainError as err:
            return err

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def _counts(container: Container, tid: str, number: str) -> tuple[int, int, int]:
    """(ledger entries, credit rows, value allocated against its lines) of one order."""
    with container.db.uow(tid, readonly=True) as uow:
        found = uow.orders.by_number(number)
        assert found is not None
        order_id, s = found.id, uow.session
        entries = s.scalar(
            select(func.count()).where(LedgerEntryRow.tenant_id == tid, LedgerEntryRow.order_id == order_id)
        )
        rows = s.scalar(
            select(func.count()).where(CreditRow.tenant_id == tid, CreditRow.order_id == order_id)
        )
        allocated = s.scalar(
            select(func.coalesce(func.sum(CreditAllocationRow.amount), 0)).where(
                CreditAllocationRow.tenant_id == tid, CreditAllocationRow.order_id == order_id
            )
        )
    return int(entries or 0), int(rows or 0), int(allocated or 0)


def _order(api: Any, number: str, quantity: int) -> dict[str, Any]:
    # A large earlier purchase keeps the customer's return rate low, so no return goes to review.
    api.post("/orders", order(f"{number}-BIG", [line(quantity=100)], placed=PLACED))
    r = api.post("/orders", order(number, [line(quantity=quantity)], placed=PLACED))
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_fifty_duplicate_triggers_create_exactly_one_credit(admin, container, tenant_slug):
    set_triggers(container, tenant_slug, "first_scan")
    o = _order(admin, "P-1", 1)
    ret = admin.post("/returns", return_request("P-1", o["lines"][0]["id"])).json()
    actor = system_actor(tenant_by_slug(container.db, tenant_slug).id, "tracking")
    results = _race(50, lambda i: credits.fire(container.db, container.clock, actor, ret["id"], "first_scan"))
    created = [r for r in results if isinstance(r, list) and r]
    assert len(created) == 1, results
    assert all(r == [] for r in results if r is not created[0])
    assert _counts(container, actor.tenant_id, o["number"]) == (1, 2, 5900)
    assert [r.violations for r in ledger.verify(container.db, [tenant_slug])] == [[]]


def test_racing_partial_returns_of_one_order_never_over_credit(admin, container, tenant_slug):
    set_triggers(container, tenant_slug, "immediate")
    o = _order(admin, "P-2", 4)
    lid = o["lines"][0]["id"]
    actor = system_actor(tenant_by_slug(container.db, tenant_slug).id, "portal")
    body = ReturnInput.model_validate(return_request("P-2", lid, quantity=1, reason="defective"))
    results = _race(8, lambda i: request_return(container.db, container.clock, actor, body))
    made = [r for r in results if isinstance(r, dict)]
    assert len(made) == 4, results
    entries, _, allocated = _counts(container, actor.tenant_id, o["number"])
    assert entries == 4 and allocated == 4 * 5900
    assert [r.violations for r in ledger.verify(container.db, [tenant_slug])] == [[]]


def test_overlapping_claims_fired_at_once_credit_only_what_was_paid(admin, container, tenant_slug):
    set_triggers(container, tenant_slug, "first_scan")
    o = _order(admin, "P-3", 3)
    lid = o["lines"][0]["id"]
    tid = tenant_by_slug(container.db, tenant_slug).id
    ids = []
    for _batch in range(2):  # claims overlap, as after a bad import: six returns for three units
        for _ in range(3):
            r = admin.post("/returns", return_request("P-3", lid, quantity=1, reason="defective"))
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        with container.db.uow(tid) as uow:
            uow.session.execute(
                update(OrderLineRow)
                .where(OrderLineRow.tenant_id == tid, OrderLineRow.id == lid)
                .values(returned_quantity=0)
            )
            uow.commit()
    actor = system_actor(tid, "tracking")
    results = _race(
        len(ids), lambda i: credits.fire(container.db, container.clock, actor, ids[i], "first_scan")
    )
    assert sum(1 for r in results if isinstance(r, list) and r) == 3, results
    entries, _, allocated = _counts(container, tid, o["number"])
    assert entries == 3 and allocated == 3 * 5900
    assert [r.violations for r in ledger.verify(container.db, [tenant_slug])] == [[]]
