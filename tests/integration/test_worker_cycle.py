"""The worker's cycle pays out refunds and applies kept tracking events, once, on both databases."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import event

from returnflow.adapters.payments.builtin import BuiltinGateway
from returnflow.entrypoints.worker import Worker
from returnflow.services import catch_up
from returnflow.services.payment_port import RefundInstruction, RefundOutcome
from returnflow.services.tenants import tenant_by_slug
from tests.integration.test_api_credits import set_triggers
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
