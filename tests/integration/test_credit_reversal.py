"""Credits reversed when a return ends without its items, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from returnflow.adapters.payments.builtin import BuiltinGateway
from returnflow.bootstrap import Container
from returnflow.domain.errors import Conflict
from returnflow.entrypoints import cli_ledger
from returnflow.entrypoints.cli import app
from returnflow.services import credit_reversal, expiry, ledger, refunds, returns
from returnflow.services.access import system_actor
from returnflow.services.tenants import tenant_by_slug
from tests.builders import line, order, return_request
from tests.integration.conftest import as_role
from tests.integration.test_api_credits import set_triggers

PLACED = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)


def _return(api: Any, number: str, quantity: int = 1, ordered: int = 2, **over: Any) -> dict[str, Any]:
    o = api.post("/orders", order(number, [line(quantity=ordered)], placed=PLACED))
    assert o.status_code == 201, o.text
    r = api.post("/returns", return_request(number, o.json()["lines"][0]["id"], quantity=quantity, **over))
    assert r.status_code == 201, r.text
    return dict(r.json())


def _balances(client: Any, keys: dict[str, str]) -> dict[str, int]:
    items = as_role(client, keys, "finance").get("/ledger/balances").json()["items"]
    return {b["account"]: b["balance"] for b in items}


def _verify(container: Container, slug: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_ledger, "container", lambda migrate=False: container)
    result = CliRunner().invoke(app, ["ledger", "verify", "--tenant", slug])
    assert result.exit_code == 0, result.output
    assert "balanced" in result.output


def _actor(container: Container, slug: str) -> Any:
    return system_actor(tenant_by_slug(container.db, slug).id, "test")


def test_cancelling_a_credited_return_reverses_its_credits_and_the_ledger_nets_to_zero(
    admin, client, keys, container, tenant_slug, monkeypatch
):
    ret = _return(admin, "R-1")
    before = admin.get(f"/returns/{ret['id']}/credits").json()
    assert {c["kind"]: c["status"] for c in before} == {"refund": "pending", "fee": "withheld"}
    r = admin.post(f"/returns/{ret['id']}/cancel")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    after = admin.get(f"/returns/{ret['id']}/credits").json()
    # The credits stay listed, with their amounts, and show that they were reversed.
    assert [(c["id"], c["kind"], c["amount"]) for c in after] == [
        (c["id"], c["kind"], c["amount"]) for c in before
    ]
    assert {c["status"] for c in after} == {"reversed"}
    assert set(_balances(client, keys).values()) == {0}
    finance = as_role(client, keys, "finance")
    instructions = finance.get("/refund-instructions").json()["items"]
    assert [(i["return_id"], i["status"]) for i in instructions] == [(ret["id"], "cancelled")]
    # The worker finds nothing to pay: the cancelled refund never reaches the gateway.
    assert refunds.execute_refunds(container.db, container.clock, _actor(container, tenant_slug),
                                   BuiltinGateway()) == 0  # fmt: skip
    with container.db.uow(_actor(container, tenant_slug).tenant_id, readonly=True) as uow:
        entries = [e for e, _ in uow.ledger.entries_with_postings()]
        topics = [m.topic for m in uow.records.events(limit=1000) if m.entity_id == ret["id"]]
    assert len(entries) == 2  # the original entry stays, beside its reversal
    assert topics.count("credit.reversed") == 1
    _verify(container, tenant_slug, monkeypatch)


def test_a_paid_out_refund_refuses_the_cancellation_with_a_clear_problem(
    admin, client, keys, container, tenant_slug, monkeypatch
):
    ret = _return(admin, "R-2")
    actor = _actor(container, tenant_slug)
    assert refunds.execute_refunds(container.db, container.clock, actor, BuiltinGateway()) == 1
    r = admin.post(f"/returns/{ret['id']}/cancel")
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["code"] == "refund_already_paid"
    assert ret["number"] in problem["detail"] and "paid out" in problem["detail"]
    got = admin.get(f"/returns/{ret['id']}").json()
    assert got["status"] == "approved"
    statuses = {c["kind"]: c["status"] for c in admin.get(f"/returns/{ret['id']}/credits").json()}
    assert statuses == {"refund": "instructed", "fee": "withheld"}
    assert admin.get("/orders/R-2").json()["lines"][0]["returnable_quantity"] == 1
    _verify(container, tenant_slug, monkeypatch)


def test_a_new_return_of_the_same_items_is_credited_after_the_reversal(
    admin, client, keys, container, tenant_slug, monkeypatch
):
    ret = _return(admin, "R-3", quantity=2, ordered=2, reason="defective")
    assert admin.post(f"/returns/{ret['id']}/cancel").status_code == 200
    lid = admin.get("/orders/R-3").json()["lines"][0]["id"]
    again = admin.post("/returns", return_request("R-3", lid, quantity=2, reason="defective"))
    assert again.status_code == 201, again.text
    credited = admin.get(f"/returns/{again.json()['id']}/credits").json()
    assert sum(c["amount"] for c in credited if c["kind"] == "refund") == 2 * 5900
    balances = _balances(client, keys)
    assert balances["sales_returns"] == 2 * 5900  # credited once net, never beyond what was paid
    _verify(container, tenant_slug, monkeypatch)


def test_an_expired_return_has_its_credits_reversed(admin, client, keys, container, clock):
    ret = _return(admin, "R-4", resolution="store_credit")
    assert {c["kind"] for c in admin.get(f"/returns/{ret['id']}/credits").json()} == {"store_credit", "fee"}
    clock.now += timedelta(days=40)
    expiry.expire_overdue(container.db, container.clock)
    assert admin.get(f"/returns/{ret['id']}").json()["status"] == "expired"
    assert {c["status"] for c in admin.get(f"/returns/{ret['id']}/credits").json()} == {"reversed"}
    assert set(_balances(client, keys).values()) == {0}


def test_finance_reverses_a_credit_once_without_moving_the_return(
    admin, client, keys, container, tenant_slug
):
    ret = _return(admin, "R-5", resolution="exchange")
    actor = _actor(container, tenant_slug)
    reason = "issued in error"
    views = credit_reversal.reverse_credits(container.db, container.clock, actor, ret["id"], reason)
    assert {v["kind"] for v in views} == {"exchange", "store_credit"}
    assert admin.get(f"/returns/{ret['id']}").json()["status"] == "approved"
    assert set(_balances(client, keys).values()) == {0}
    with pytest.raises(Conflict) as err:
        credit_reversal.reverse_credits(container.db, container.clock, actor, ret["id"], "again")
    assert err.value.code == "nothing_to_reverse"


def test_random_returns_and_cancellations_keep_the_ledger_sound(
    admin, client, keys, container, tenant_slug, monkeypatch
):
    rng = random.Random(20260315)
    actor = _actor(container, tenant_slug)
    live: dict[str, dict[str, Any]] = {}
    for i in range(12):
        resolution = rng.choice(["refund", "store_credit", "exchange"])
        ret = _return(admin, f"RR-{i}", quantity=rng.randint(1, 2), ordered=2, resolution=resolution)
        live[ret["id"]] = ret
        if rng.random() < 0.3:
            refunds.execute_refunds(container.db, container.clock, actor, BuiltinGateway())
        if rng.random() < 0.5:
            victim = rng.choice(sorted(live))
            r = admin.post(f"/returns/{victim}/cancel")
            assert r.status_code in (200, 409), r.text
            if r.status_code == 200:
                live.pop(victim)
            else:
                assert r.json()["code"] in ("refund_already_paid", "illegal_transition")
    expected_sales = 0
    for rid in live:
        credits = admin.get(f"/returns/{rid}/credits").json()
        assert "reversed" not in {c["status"] for c in credits}
        if credits:  # higher-risk returns wait for a scan or the inspection
            expected_sales += sum(ln["quantity"] * ln["unit_price"] for ln in live[rid]["lines"])
    balances = _balances(client, keys)
    assert balances.get("sales_returns", 0) == expected_sales
    reports = ledger.verify(container.db, [tenant_slug])
    assert [r.violations for r in reports] == [[]]
    _verify(container, tenant_slug, monkeypatch)


def test_cancellations_racing_the_payout_never_leave_a_paid_refund_on_a_cancelled_return(
    admin, client, keys, container, tenant_slug, database_url
):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serializes every write through one gate; row-lock races need PostgreSQL")
    set_triggers(container, tenant_slug, "immediate")
    actor = _actor(container, tenant_slug)
    rets = []
    for i in range(8):  # one customer each: no return history sends any of them to review
        customer = {"email": f"rc{i}@example.com", "postal_code": "10001", "country": "US"}
        o = admin.post("/orders", order(f"RC-{i}", [line()], placed=PLACED, customer=customer)).json()
        rets.append(admin.post("/returns", return_request(f"RC-{i}", o["lines"][0]["id"])).json())
    assert {r["status"] for r in rets} == {"approved"}
    paid: list[str] = []

    class Gateway(BuiltinGateway):
        def submit_refund(self, instruction: Any) -> Any:
            paid.append(instruction.return_number)
            return super().submit_refund(instruction)

    gate = threading.Barrier(len(rets) + 2)

    def cancel(ret: dict[str, Any]) -> str:
        gate.wait()
        try:
            return str(returns.cancel(container.db, container.clock, actor, ret["id"])["status"])
        except Conflict as err:
            return err.code

    def pay() -> int:
        gate.wait()
        done = 0
        for _ in range(len(rets)):  # one refund at a time, so cancellations interleave with payouts
            done += refunds.execute_refunds(container.db, container.clock, actor, Gateway(), limit=1)
            time.sleep(0.01)
        return done

    with ThreadPoolExecutor(max_workers=len(rets) + 2) as pool:
        cancels = [pool.submit(cancel, r) for r in rets]
        payers = [pool.submit(pay) for _ in range(2)]
        codes = [f.result() for f in cancels]
        assert sum(f.result() for f in payers) == len(paid)
    for ret, code in zip(rets, codes, strict=True):
        status = admin.get(f"/returns/{ret['id']}").json()["status"]
        refund = next(c for c in admin.get(f"/returns/{ret['id']}/credits").json() if c["kind"] == "refund")
        if code == "cancelled":
            assert (status, refund["status"]) == ("cancelled", "reversed")
            assert ret["number"] not in paid
        else:
            assert code == "refund_already_paid"
            assert (status, refund["status"]) == ("approved", "instructed")
            assert paid.count(ret["number"]) == 1
    assert [r.violations for r in ledger.verify(container.db, [tenant_slug])] == [[]]
