"""Credits, the ledger and refund instructions through the API and CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from typer.testing import CliRunner

from returnflow.adapters.db.tables_ledger import LedgerPostingRow
from returnflow.adapters.payments.builtin import BuiltinGateway
from returnflow.adapters.policy_document import default_policy_text
from returnflow.bootstrap import Container
from returnflow.entrypoints import cli_ledger
from returnflow.entrypoints.cli import app
from returnflow.services import credits, refunds
from returnflow.services.access import system_actor
from returnflow.services.clock import Clock
from returnflow.services.payment_port import FAILED, RefundInstruction, RefundOutcome
from returnflow.services.policies import save_policy
from returnflow.services.tenants import tenant_by_slug
from tests.builders import line, order, return_request
from tests.integration.conftest import as_role

PLACED = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)


def set_triggers(container: Container, slug: str, trigger: str) -> None:
    """Make every risk tier credit on `trigger` (a new policy version)."""
    text = default_policy_text().replace(
        "  low: immediate\n  medium: first_scan\n  high: inspected\n",
        f"  low: {trigger}\n  medium: {trigger}\n  high: {trigger}\n",
    )
    assert f"low: {trigger}" in text
    tid = tenant_by_slug(container.db, slug).id
    save_policy(container.db, container.clock, system_actor(tid, "test"), text)


class FlakyGateway:
    """The built-in gateway, but the refunds under `failures` (idempotency key -> how many) fail
    that many submissions first; every call is logged with the clock's time."""

    name = "builtin"

    def __init__(self, clock: Clock, failures: dict[str, int]) -> None:
        self.clock = clock
        self.failures = Counter(failures)
        self.inner = BuiltinGateway()
        self.calls: list[tuple[RefundInstruction, datetime]] = []

    def submit_refund(self, instruction: RefundInstruction) -> RefundOutcome:
        self.calls.append((instruction, self.clock()))
        if self.failures[instruction.idempotency_key] > 0:
            self.failures[instruction.idempotency_key] -= 1
            return RefundOutcome(status=FAILED, error="gateway unavailable")
        return self.inner.submit_refund(instruction)

    def keys_of(self, refund_id: str) -> list[str]:
        """The idempotency key of every submission of one refund, in order."""
        return [i.idempotency_key for i, _ in self.calls if i.refund_id == refund_id]


def stored_refund(container: Container, tenant_id: str, refund_id: str) -> dict[str, Any]:
    """What the database holds of one refund instruction's retry state."""
    with container.db.uow(tenant_id, readonly=True) as uow:
        row = uow.ledger.refund_instruction(refund_id)
        assert row is not None
        return {
            "status": row.status,
            "attempts": row.attempts,
            "next_attempt_at": row.next_attempt_at,
            "last_error": row.last_error,
        }


def _return(api, number="C-1", quantity=1, ordered=2, **over):
    o = api.post("/orders", order(number, [line(quantity=ordered)], placed=PLACED))
    assert o.status_code == 201, o.text
    r = api.post("/returns", return_request(number, o.json()["lines"][0]["id"], quantity=quantity, **over))
    assert r.status_code == 201, r.text
    return r.json()


def test_immediate_trigger_credits_on_approval_and_the_ledger_balances(admin, client, keys):
    ret = _return(admin)
    assert ret["credit_trigger"] == "immediate"
    got = admin.get(f"/returns/{ret['id']}/credits")
    assert got.status_code == 200
    by_kind = {c["kind"]: c for c in got.json()}
    fees = sum(f["amount"] for f in ret["decision"]["fees"])
    assert by_kind["refund"]["amount"] == ret["decision"]["refund_total"] == 5900 - fees
    assert by_kind["refund"]["status"] == "pending" and by_kind["refund"]["currency"] == "USD"
    assert by_kind["fee"]["amount"] == fees
    finance = as_role(client, keys, "finance")
    balances = {b["account"]: b for b in finance.get("/ledger/balances").json()["items"]}
    assert balances["sales_returns"]["balance"] == 5900
    assert balances["customer_refunds_payable"]["balance"] == 5900 - fees
    assert sum(b["debits"] - b["credits"] for b in balances.values()) == 0
    assert as_role(client, keys, "warehouse").get("/ledger/balances").status_code == 403


def test_refund_instruction_is_stored_first_and_instructed_exactly_once(
    admin, client, keys, container, tenant_slug
):
    ret = _return(admin)
    finance = as_role(client, keys, "finance")
    rows = list(
        csv.DictReader(io.StringIO(finance.get("/refund-instructions", params={"format": "csv"}).text))
    )
    assert [(r["return_number"], r["status"]) for r in rows] == [(ret["number"], "pending")]
    refund_id, key = rows[0]["refund_id"], rows[0]["idempotency_key"]
    actor = system_actor(tenant_by_slug(container.db, tenant_slug).id, "worker")
    assert refunds.execute_refunds(container.db, container.clock, actor, BuiltinGateway()) == 1
    assert refunds.execute_refunds(container.db, container.clock, actor, BuiltinGateway()) == 0
    items = finance.get("/refund-instructions").json()["items"]
    assert [(i["refund_id"], i["idempotency_key"], i["status"]) for i in items] == [
        (refund_id, key, "instructed")
    ]
    with container.db.uow(actor.tenant_id, readonly=True) as uow:
        topics = [e.topic for e in uow.records.events(limit=200)]
    assert topics.count("refund.instructed") == 1 and topics.count("credit.issued") == 1
    refund = next(c for c in admin.get(f"/returns/{ret['id']}/credits").json() if c["kind"] == "refund")
    assert refund["status"] == "instructed"


def test_a_refund_backing_off_does_not_hold_up_the_due_refunds_behind_it(
    admin, client, keys, container, tenant_slug, clock
):
    _return(admin, "D-1")
    _return(admin, "D-2")
    finance = as_role(client, keys, "finance")
    first, second = finance.get("/refund-instructions").json()["items"]  # claimed in this order
    gateway = FlakyGateway(clock, {first["idempotency_key"]: 1})
    actor = system_actor(tenant_by_slug(container.db, tenant_slug).id, "worker")
    rng = random.Random(5)
    assert refunds.execute_refunds(container.db, clock, actor, gateway, limit=1, rng=rng) == 0
    backing_off = stored_refund(container, actor.tenant_id, first["refund_id"])
    assert backing_off["status"] == "pending" and backing_off["next_attempt_at"] > clock.now
    # One place per run, and the first row is not due: the row behind it takes the place.
    assert refunds.execute_refunds(container.db, clock, actor, gateway, limit=1, rng=rng) == 1
    assert [i.refund_id for i, _ in gateway.calls] == [first["refund_id"], second["refund_id"]]
    statuses = {i["refund_id"]: i["status"] for i in finance.get("/refund-instructions").json()["items"]}
    assert statuses == {first["refund_id"]: "pending", second["refund_id"]: "instructed"}
    assert refunds.execute_refunds(container.db, clock, actor, gateway, limit=1, rng=rng) == 0
    clock.now = backing_off["next_attempt_at"]
    assert refunds.execute_refunds(container.db, clock, actor, gateway, limit=1, rng=rng) == 1
    assert gateway.keys_of(first["refund_id"]) == [first["idempotency_key"]] * 2
    assert len(gateway.calls) == 3
    instructed = finance.get("/refund-instructions", params={"status": "instructed"}).json()["items"]
    assert {i["refund_id"] for i in instructed} == {first["refund_id"], second["refund_id"]}


def test_scan_trigger_credits_once_on_the_first_scan(admin, container, tenant_slug):
    set_triggers(container, tenant_slug, "first_scan")
    ret = _return(admin)
    assert admin.get(f"/returns/{ret['id']}/credits").json() == []
    actor = system_actor(tenant_by_slug(container.db, tenant_slug).id, "tracking")
    assert credits.fire(container.db, container.clock, actor, ret["id"], "approved") == []
    first = credits.fire(container.db, container.clock, actor, ret["id"], "first_scan")
    assert {c["kind"] for c in first} == {"refund", "fee"}
    assert credits.fire(container.db, container.clock, actor, ret["id"], "delivered") == []
    assert len(admin.get(f"/returns/{ret['id']}/credits").json()) == 2


def test_manual_credit_needs_an_idempotency_key_and_replays_the_same_credit(
    admin, client, keys, container, tenant_slug
):
    set_triggers(container, tenant_slug, "manual")
    ret = _return(admin, resolution="store_credit")
    assert ret["credit_trigger"] == "manual"
    actor = system_actor(tenant_by_slug(container.db, tenant_slug).id, "tracking")
    assert credits.fire(container.db, container.clock, actor, ret["id"], "inspected") == []
    finance = as_role(client, keys, "finance")
    path = f"/returns/{ret['id']}/credits"
    missing = finance.post(path, {})
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_required"
    forbidden = as_role(client, keys, "specialist").post(path, {}, headers={"Idempotency-Key": "k0"})
    assert forbidden.status_code == 403
    first = finance.post(path, {"note": "goodwill"}, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 201, first.text
    assert [(c["kind"], c["amount"]) for c in first.json()] == [("store_credit", 5900 - 595), ("fee", 595)]
    again = finance.post(path, {"note": "goodwill"}, headers={"Idempotency-Key": "k1"})
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = finance.post(path, {}, headers={"Idempotency-Key": "k2"})
    assert other.status_code == 409 and other.json()["code"] == "already_credited"
    assert len(finance.get(path).json()) == 2


def test_a_recreated_return_never_credits_beyond_what_was_paid(admin):
    ret = _return(admin, quantity=2, ordered=2, reason="defective")
    assert admin.post(f"/returns/{ret['id']}/cancel").status_code == 200  # units released, credit reversed
    lid = admin.get("/orders/C-1").json()["lines"][0]["id"]
    again = admin.post("/returns", return_request("C-1", lid, quantity=2, reason="defective"))
    assert again.status_code == 201, again.text
    assert {c["status"] for c in admin.get(f"/returns/{ret['id']}/credits").json()} == {"reversed"}
    live = [
        c
        for rid in (ret["id"], again.json()["id"])
        for c in admin.get(f"/returns/{rid}/credits").json()
        if c["kind"] == "refund" and c["status"] != "reversed"
    ]
    assert sum(c["amount"] for c in live) == 2 * 5900


def test_ledger_verify_passes_then_names_a_tampered_posting(admin, container, tenant_slug, monkeypatch):
    monkeypatch.setattr(cli_ledger, "container", lambda migrate=False: container)
    runner = CliRunner()
    _return(admin)
    ok = runner.invoke(app, ["ledger", "verify", "--tenant", tenant_slug])
    assert ok.exit_code == 0, ok.output
    assert "balanced" in ok.output
    tid = tenant_by_slug(container.db, tenant_slug).id
    with container.db.uow(tid) as uow:
        uow.session.execute(
            update(LedgerPostingRow)
            .where(LedgerPostingRow.tenant_id == tid, LedgerPostingRow.account == "customer_refunds_payable")
            .values(amount=LedgerPostingRow.amount + 100)
        )
        uow.commit()
    bad = runner.invoke(app, ["ledger", "verify", "--tenant", tenant_slug])
    assert bad.exit_code == 1
    assert "debits and credits differ by -100" in bad.output


def test_export_refunds_writes_the_csv_file(admin, container, tenant_slug, monkeypatch, tmp_path):
    monkeypatch.setattr(cli_ledger, "container", lambda migrate=False: container)
    ret = _return(admin)
    target = tmp_path / "refunds.csv"
    result = CliRunner().invoke(app, ["export", "refunds", "--tenant", tenant_slug, "--out", str(target)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.open()))
    assert [r["return_number"] for r in rows] == [ret["number"]]
    assert int(rows[0]["amount"]) == ret["decision"]["refund_total"]


def test_same_item_exchange_is_reserved_at_equal_value_and_the_bonus_is_store_credit(admin):
    ret = _return(admin, resolution="exchange")
    got = {c["kind"]: c["amount"] for c in admin.get(f"/returns/{ret['id']}/credits").json()}
    assert ret["decision"]["bonus_credit"] == 1000  # the default policy's exchange bonus
    assert got == {"exchange": 5900, "store_credit": 1000}


def test_keep_it_return_is_refunded_in_full_at_once(admin):
    o = admin.post("/orders", order("K-1", [line(unit_price=1200)], placed=PLACED))
    assert o.status_code == 201, o.text
    body = return_request("K-1", o.json()["lines"][0]["id"], method="keep_it")
    r = admin.post("/returns", body)
    assert r.status_code == 201, r.text
    ret = r.json()
    assert ret["method"] == "keep_it" and ret["credit_trigger"] == "immediate"
    got = [(c["kind"], c["amount"]) for c in admin.get(f"/returns/{ret['id']}/credits").json()]
    assert got == [("refund", 1200)]
