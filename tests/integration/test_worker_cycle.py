"""The worker's cycle pays out refunds and applies kept tracking events, once, on both databases."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import event

from returnflow.adapters.payments.builtin import BuiltinGateway
from returnflow.entrypoints.worker import Worker
from returnflow.services import catch_up
from returnflow.services.payment_port import RefundInstruction, RefundOutcome
from returnflow.services.refunds import MAX_REFUND_ATTEMPTS, RETRY_BASE_S
from returnflow.services.tenants import tenant_by_slug
from tests.integration.conftest import as_role
from tests.integration.test_api_credits import FlakyGateway, set_triggers, stored_refund
from tests.integration.tracking_helpers import (
    configure_secret,
    generic_body,
    make_return,
    post_webhook,
    scan,
    set_return_fields,
    sign,
)


class CountingGateway:
    """The built-in gateway, counting how often each refund (by idempotency key) is handed over."""

    name = "builtin"

    def __init__(self) -> None:
        self.inner = BuiltinGateway()
        self.calls: Counter[str] = Counter()

    def submit_refund(self, instruction: RefundInstruction) -> RefundOutcome:
        self.calls[instruction.idempotency_key] += 1
        return self.inner.submit_refund(instruction)


def _topics(container: Any, slug: str, return_id: str) -> list[str]:
    tid = tenant_by_slug(container.db, slug).id
    with container.db.uow(tid, readonly=True) as uow:
        return sorted(m.topic for m in uow.records.events(limit=1000) if m.entity_id == return_id)


def _refund(admin: Any, return_id: str) -> dict[str, Any]:
    return next(c for c in admin.get(f"/returns/{return_id}/credits").json() if c["kind"] == "refund")


def test_a_cycle_pays_the_credited_refund_and_a_second_cycle_pays_nothing_again(
    admin, client, keys, container, tenant_slug
):
    ret = make_return(admin, container, tenant_slug, None)
    assert _refund(admin, ret["id"])["status"] == "pending"
    gateway = CountingGateway()
    worker = Worker(container, gateway=gateway)
    assert worker.run_once() > 0
    refund = _refund(admin, ret["id"])
    assert refund["status"] == "instructed"
    finance = client.get("/v1/refund-instructions", headers={"Authorization": f"Bearer {keys['finance']}"})
    mine = [i for i in finance.json()["items"] if i["return_id"] == ret["id"]]
    assert [(i["status"], i["amount"]) for i in mine] == [("instructed", refund["amount"])]
    key = mine[0]["idempotency_key"]
    worker.run_once()
    worker.run_once()
    assert gateway.calls[key] == 1
    assert _topics(container, tenant_slug, ret["id"]).count("refund.instructed") == 1


def _instruction_of(client: Any, keys: Any, return_id: str, **params: Any) -> dict[str, Any]:
    finance = as_role(client, keys, "finance")
    items = finance.get("/refund-instructions", params=params).json()["items"]
    [mine] = [i for i in items if i["return_id"] == return_id]
    return mine


def _flaky_worker(container: Any, gateway: FlakyGateway, seed: int) -> Worker:
    worker = Worker(container, gateway=gateway)
    worker.rng = random.Random(seed)  # the jitter, made repeatable
    return worker


def test_a_failed_refund_is_not_submitted_again_before_its_growing_backoff_has_passed(
    admin, client, keys, container, tenant_slug, clock
):
    ret = make_return(admin, container, tenant_slug, None)
    tid = tenant_by_slug(container.db, tenant_slug).id
    mine = _instruction_of(client, keys, ret["id"])
    refund_id = mine["refund_id"]
    gateway = FlakyGateway(clock, {mine["idempotency_key"]: 3})
    worker = _flaky_worker(container, gateway, seed=7)
    waits: list[float] = []
    for attempt in (1, 2, 3):
        worker.run_once()
        assert len(gateway.keys_of(refund_id)) == attempt
        stored = stored_refund(container, tid, refund_id)
        assert (stored["status"], stored["attempts"]) == ("pending", attempt)
        assert stored["last_error"] == "gateway unavailable"
        due = stored["next_attempt_at"]
        waits.append((due - clock.now).total_seconds())
        clock.now = due - timedelta(seconds=1)
        worker.run_once()
        worker.run_once()
        assert len(gateway.keys_of(refund_id)) == attempt  # still waiting
        clock.now = due
    worker.run_once()
    assert len(gateway.keys_of(refund_id)) == 4  # submitted again once the wait was over
    assert _instruction_of(client, keys, ret["id"])["status"] == "instructed"
    # Exponential with jitter in the upper half of each step: every wait is longer than the last.
    for n, wait in enumerate(waits, start=1):
        step = RETRY_BASE_S * 2 ** (n - 1)
        assert step / 2 <= wait <= step
    assert waits[0] < waits[1] < waits[2]
    submitted_at = [at for i, at in gateway.calls if i.refund_id == refund_id]
    gaps = [(b - a).total_seconds() for a, b in pairwise(submitted_at)]
    assert gaps == waits


def test_a_refund_failing_every_attempt_becomes_failed_is_announced_and_never_submitted_again(
    admin, client, keys, container, tenant_slug, clock
):
    ret = make_return(admin, container, tenant_slug, None)
    tid = tenant_by_slug(container.db, tenant_slug).id
    mine = _instruction_of(client, keys, ret["id"])
    refund_id, key = mine["refund_id"], mine["idempotency_key"]
    gateway = FlakyGateway(clock, {key: 1_000})
    worker = _flaky_worker(container, gateway, seed=11)
    for attempt in range(1, MAX_REFUND_ATTEMPTS + 1):
        worker.run_once()
        assert len(gateway.keys_of(refund_id)) == attempt
        stored = stored_refund(container, tid, refund_id)
        if attempt < MAX_REFUND_ATTEMPTS:
            assert stored["status"] == "pending"
            clock.now = stored["next_attempt_at"]
    assert stored == {
        "status": "failed",
        "attempts": MAX_REFUND_ATTEMPTS,
        "next_attempt_at": None,
        "last_error": "gateway unavailable",
    }
    clock.now += timedelta(days=30)
    worker.run_once()
    worker.run_once()
    assert gateway.keys_of(refund_id) == [key] * MAX_REFUND_ATTEMPTS  # given up: never again
    topics = _topics(container, tenant_slug, ret["id"])
    assert topics.count("refund.failed") == 1 and "refund.instructed" not in topics
    with container.db.uow(tid, readonly=True) as uow:
        event = next(e for e in uow.records.events(limit=1000) if e.topic == "refund.failed")
        audit = [a for a in uow.records.entity_history("return", ret["id"]) if a.action == "refund.failed"]
    assert event.entity_id == ret["id"] and event.payload["refund_id"] == refund_id
    assert event.payload["status"] == "failed" and event.payload["attempts"] == MAX_REFUND_ATTEMPTS
    assert [a.data["last_error"] for a in audit] == ["gateway unavailable"]
    assert _refund(admin, ret["id"])["status"] == "failed"
    # Finance finds it in the export, by status too (JSON and CSV).
    assert _instruction_of(client, keys, ret["id"], status="failed")["idempotency_key"] == key
    finance = as_role(client, keys, "finance")
    csv_text = finance.get("/refund-instructions", params={"status": "failed", "format": "csv"}).text
    assert [(r["refund_id"], r["status"]) for r in csv.DictReader(io.StringIO(csv_text))] == [
        (refund_id, "failed")
    ]
    # No money moved, so the return can still be cancelled: the credit is reversed, the refund cancelled.
    assert admin.post(f"/returns/{ret['id']}/cancel").status_code == 200
    assert _refund(admin, ret["id"])["status"] == "reversed"
    assert stored_refund(container, tid, refund_id)["status"] == "cancelled"


def test_a_gateway_that_recovers_after_two_failures_instructs_the_refund_once_under_one_key(
    admin, client, keys, container, tenant_slug, clock
):
    ret = make_return(admin, container, tenant_slug, None)
    tid = tenant_by_slug(container.db, tenant_slug).id
    mine = _instruction_of(client, keys, ret["id"])
    refund_id, key = mine["refund_id"], mine["idempotency_key"]
    gateway = FlakyGateway(clock, {key: 2})
    worker = _flaky_worker(container, gateway, seed=3)
    for _ in range(2):
        worker.run_once()
        clock.now = stored_refund(container, tid, refund_id)["next_attempt_at"]
    worker.run_once()
    paid_at = clock.now
    clock.now += timedelta(days=1)
    for _ in range(3):
        worker.run_once()
    assert gateway.keys_of(refund_id) == [key, key, key]
    got = _instruction_of(client, keys, ret["id"])
    assert (got["status"], got["idempotency_key"], got["instructed_at"]) == (
        "instructed",
        key,
        paid_at.isoformat(),
    )
    assert stored_refund(container, tid, refund_id)["attempts"] == 3
    topics = _topics(container, tenant_slug, ret["id"])
    assert topics.count("refund.instructed") == 1 and "refund.failed" not in topics
    assert _refund(admin, ret["id"])["status"] == "instructed"


def test_a_kept_event_is_applied_by_the_cycle_and_its_first_scan_credit_paid_out(
    admin, client, container, tenant_slug
):
    set_triggers(container, tenant_slug, "first_scan")
    configure_secret(container, tenant_slug, "generic")
    ret = make_return(admin, container, tenant_slug, None)
    number = f"1ZRACE{ret['id'][-10:].upper()}"
    body = generic_body(scan("race-1", number, "in_transit", "2026-03-14T09:00:00Z", location="Reno, NV"))
    r = post_webhook(client, tenant_slug, "generic", body, sign("generic", body))
    assert r.status_code == 200, r.text
    assert r.json()["unmatched"] == 1
    # The label's transaction gave the return its number without seeing the event (they raced).
    tid = tenant_by_slug(container.db, tenant_slug).id
    set_return_fields(container, tid, ret["id"], tracking_number=number)
    assert admin.get(f"/returns/{ret['id']}").json()["status"] == "approved"
    assert admin.get(f"/returns/{ret['id']}/credits").json() == []
    worker = Worker(container, gateway=CountingGateway())
    worker.run_once()
    got = admin.get(f"/returns/{ret['id']}").json()
    assert got["status"] == "in_transit"
    assert _refund(admin, ret["id"])["status"] == "instructed"  # credited and paid in the same cycle
    topics = _topics(container, tenant_slug, ret["id"])
    assert topics.count("return.in_transit") == 1 and topics.count("credit.issued") == 1
    worker._last_match = float("-inf")  # look again at once: nothing is applied twice
    worker.run_once()
    assert _topics(container, tenant_slug, ret["id"]) == topics


def test_an_idle_cycle_asks_two_questions(container, admin, tenant_slug):
    make_return(admin, container, tenant_slug, None)
    worker = Worker(container, gateway=CountingGateway())
    while worker.run_once():
        pass  # drain what this database holds from every test so far
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(container.db.engine, "before_cursor_execute", count)
    try:
        assert catch_up.pay_due_refunds(container.db, container.clock, worker.gateway) == 0
        assert catch_up.apply_kept_events(container.db, container.clock) == 0
    finally:
        event.remove(container.db.engine, "before_cursor_execute", count)
    assert len(statements) == 2, statements
