"""Return KPIs of a period over the API: a March of returns with known answers, boundaries, roles."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from returnflow.adapters.policy_document import default_policy_text
from returnflow.bootstrap import Container
from returnflow.entrypoints.cli import app
from returnflow.services.access import system_actor
from returnflow.services.policies import save_policy
from returnflow.services.tenants import create_key, create_tenant, tenant_by_slug
from tests.builders import line, order, product
from tests.conftest import FrozenClock
from tests.integration.conftest import Api, as_role
from tests.integration.floor_helpers import container, inspect, network, receive

__all__ = ["container"]

KPIS = "/analytics/kpis"
MARCH = {"from": "2026-03-01", "to": "2026-04-01"}


def at(text: str) -> datetime:
    """An instant of the scenario, written without its (UTC) offset for brevity."""
    return datetime.fromisoformat(f"{text}+00:00")


def credit_on_delivery(container: Container, slug: str) -> None:
    """Low-risk returns are credited when the parcel is received, so credit times vary."""
    text = default_policy_text()
    assert "  low: immediate\n" in text
    tid = tenant_by_slug(container.db, slug).id
    save_policy(
        container.db,
        container.clock,
        system_actor(tid, "test"),
        text.replace("  low: immediate\n", "  low: delivered\n"),
    )


class March:
    """Builds the scenario: one order per customer, each return requested at a set time."""

    def __init__(self, api: Api, clock: FrozenClock) -> None:
        self.api = api
        self.clock = clock

    def order(self, number: str, placed: str, quantity: int = 1, unit_price: int = 5900) -> dict[str, Any]:
        customer = {"email": f"{number.lower()}@example.com", "postal_code": "10001", "country": "US"}
        body = order(number, [line("SKU-1", quantity, unit_price)], placed=at(placed), customer=customer)
        r = self.api.post("/orders", body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def ret(
        self, o: dict[str, Any], when: str, reason: str, method: str | None = "drop_off"
    ) -> dict[str, Any]:
        self.clock.now = at(when)
        ol = o["lines"][0]
        body = {
            "order_number": o["number"],
            "resolution": "refund",
            "lines": [{"order_line_id": ol["id"], "quantity": ol["quantity"], "reason": reason}],
        }
        if method:
            body["method"] = method
        r = self.api.post("/returns", body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def act(self, when: str, path: str, body: Any = None, api: Api | None = None, **kw: Any) -> Any:
        self.clock.now = at(when)
        r = (api or self.api).post(path, body, **kw)
        assert r.status_code in (200, 201), r.text
        return r.json()


@pytest.fixture
def march(
    admin: Api, client, keys, container: Container, tenant_slug: str, clock: FrozenClock
) -> dict[str, Any]:
    """A March of returns (UTC; "credit" is the first credit, "recv" the first receipt).

    R0  created 28 Feb 23:59:59 (before); recv + refund 2 Mar 10:00, inspected 12:00; 1 defective
    R1  1 Mar 00:00; recv + credit 3 Mar 00:00 (48 h), inspected 06:00; 2 defective
    R2  10 Mar 12:00; recv + credit 11 Mar 12:00 (24 h), inspected 16:00; 1 size_too_small
    R3  14 Mar 08:00; recv + credit 15 Mar 08:00 (24 h), not inspected; 1 size_too_large
    R4  12 Mar 09:00; pending review ($1,200); 1 not_as_described
    R5  12 Mar 10:00; keep-it, credited at once (0 h); 1 changed_mind
    R6  13 Mar 09:00; credited by finance 15:00 (6 h), cancelled 14 Mar; 2 wrong_item
    R7  12 Mar 11:00; pending review ($1,200), rejected 13 Mar; 1 defective
    R8  12 Mar 11:30; reviewed ($1,200), approved 14 Mar, recv 16 Mar 10:00 (94.5 h),
        inspected 20:00 and so credited (104.5 h); 1 not_as_described
    R9  20 Mar 09:00; approved, not received; 2 changed_mind
    RB  1 Apr 00:00 (after); approved; 1 size_too_small

    Orders placed in March: B (1 Mar 00:00), C, D, E, F, G (31 Mar 23:59:59), I, J, L, M:
    10 orders, 15 units. A0 and A (February) and H (1 Apr 00:00, 5 units) are outside.
    """
    credit_on_delivery(container, tenant_slug)
    warehouse = as_role(client, keys, "warehouse")
    finance = as_role(client, keys, "finance")
    m = March(admin, clock)
    a0 = m.order("A0", "2026-02-10T09:00:00")
    a = m.order("A", "2026-02-20T10:00:00", quantity=2)
    b = m.order("B", "2026-03-01T00:00:00")
    c = m.order("C", "2026-03-05T09:00:00")
    d = m.order("D", "2026-03-05T09:00:00", unit_price=120000)
    e = m.order("E", "2026-03-06T09:00:00", unit_price=1200)
    f = m.order("F", "2026-03-06T09:00:00", quantity=2)
    m.order("G", "2026-03-31T23:59:59", quantity=4)
    m.order("H", "2026-04-01T00:00:00", quantity=5)
    i = m.order("I", "2026-03-07T09:00:00", unit_price=120000)
    j = m.order("J", "2026-03-07T09:00:00", unit_price=120000)
    lo = m.order("L", "2026-03-08T09:00:00")
    mo = m.order("M", "2026-03-08T09:00:00", quantity=2)

    # Before the network is loaded, so the policy's estimate makes it a keep-it (no carrier quote).
    r5 = m.ret(e, "2026-03-12T10:00:00", "changed_mind", method=None)
    network(admin)
    r0 = m.ret(a0, "2026-02-28T23:59:59", "defective")
    r1 = m.ret(a, "2026-03-01T00:00:00", "defective")
    r2 = m.ret(c, "2026-03-10T12:00:00", "size_too_small")
    r3 = m.ret(lo, "2026-03-14T08:00:00", "size_too_large")
    r4 = m.ret(d, "2026-03-12T09:00:00", "not_as_described")
    r6 = m.ret(f, "2026-03-13T09:00:00", "wrong_item")
    r7 = m.ret(i, "2026-03-12T11:00:00", "defective")
    r8 = m.ret(j, "2026-03-12T11:30:00", "not_as_described")
    r9 = m.ret(mo, "2026-03-20T09:00:00", "changed_mind")
    rb = m.ret(b, "2026-04-01T00:00:00", "size_too_small")
    assert [r["status"] for r in (r0, r1, r2, r3, r6, r9, rb)] == ["approved"] * 7
    assert all(r["credit_trigger"] == "delivered" for r in (r0, r1, r2, r3, r6, r9, rb))
    assert (r5["method"], r5["status"], r5["credit_trigger"]) == ("keep_it", "completed", "immediate")
    assert [r["status"] for r in (r4, r7, r8)] == ["pending_review"] * 3
    assert r8["credit_trigger"] == "inspected"

    m.act(
        "2026-03-13T15:00:00", f"/returns/{r6['id']}/credits", api=finance, headers={"Idempotency-Key": "r6"}
    )
    m.act("2026-03-13T16:00:00", f"/returns/{r7['id']}/reject", {"reason": "outside policy"})
    m.act("2026-03-14T09:00:00", f"/returns/{r6['id']}/cancel")
    m.act("2026-03-14T10:00:00", f"/returns/{r8['id']}/approve")

    recovered = 0
    for r, received, inspected in (
        (r0, "2026-03-02T10:00:00", "2026-03-02T12:00:00"),
        (r1, "2026-03-03T00:00:00", "2026-03-03T06:00:00"),
        (r2, "2026-03-11T12:00:00", "2026-03-11T16:00:00"),
        (r3, "2026-03-15T08:00:00", None),
        (r8, "2026-03-16T10:00:00", "2026-03-16T20:00:00"),
    ):
        clock.now = at(received)
        assert receive(warehouse, r["number"]).status_code == 201
        if inspected:
            clock.now = at(inspected)
            got = inspect(warehouse, r, grade="A")
            assert got.status_code == 201, got.text
            recovered += got.json()["disposition"]["expected_recovery"]
    clock.now = at("2026-04-02T12:00:00")
    returns = {"R0": r0, "R1": r1, "R2": r2, "R3": r3, "R4": r4, "R5": r5, "R6": r6, "R7": r7, "R8": r8}
    return {"recovered": recovered, "returns": {**returns, "R9": r9, "RB": rb}}


def test_a_month_of_returns_gives_exact_kpis(march: dict[str, Any], keys, client):
    r = as_role(client, keys, "specialist").get(KPIS, params=MARCH)
    assert r.status_code == 200, r.text
    k = r.json()
    assert (k["from"], k["to"]) == ("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")
    # R1–R9: R0 was created a second before the period, RB at its (excluded) end.
    assert k["returns"] == 9
    assert k["by_status"] == {
        "requested": 0,
        "pending_review": 1,  # R4
        "approved": 1,  # R9
        "rejected": 1,  # R7
        "in_transit": 0,
        "delivered": 0,
        "received": 1,  # R3
        "inspected": 3,  # R1, R2, R8
        "completed": 1,  # R5, keep-it
        "cancelled": 1,  # R6
        "expired": 0,
    }
    assert k["approval_rate"] == 0.8571  # 6 approved or further of 7 decided
    assert (k["orders"], k["units_sold"]) == (10, 15)
    # R1 2 + R2 1 + R3 1 + R4 1 + R5 1 + R8 1 + R9 2; not the rejected R7 or the cancelled R6.
    assert k["units_returned"] == 9
    assert k["return_rate"] == 0.6  # 9 of 15
    # R5 0, R6 6, R2 24, R3 24, R1 48, R8 104.5 hours: p50 between 24 and 24, p90 = 48 + 0.5 × 56.5.
    assert k["time_to_credit_hours"] == {"p50": 24.0, "p90": 76.25, "count": 6}
    # R2 24, R3 24, R1 48, R8 94.5: p50 = 36, p90 = 48 + 0.7 × 46.5.
    assert k["time_to_receive_hours"] == {"p50": 36.0, "p90": 80.55, "count": 4}
    # R2 4, R1 6, R8 10 (R3 is not inspected yet): p90 = 6 + 0.8 × 4.
    assert k["dwell_hours"] == {"p50": 6.0, "p90": 9.2, "count": 3}
    # Dispositions decided in March: R0 (created in February), R1, R2, R8.
    value = 5900 + 2 * 5900 + 5900 + 120000
    assert march["recovered"] > 0
    assert k["value_recovery"] == [
        {
            "currency": "USD",
            "recovered": march["recovered"],
            "value": value,
            "rate": round(march["recovered"] / value, 4),
        }
    ]
    assert k["value_recovery_rate"] == round(march["recovered"] / value, 4)
    # Refunds made in March: R0 5900, R1 11800, R2 5305 and R3 5305 ($5.95 return shipping kept),
    # R5 1200 (keep-it), R8 120000 − 595. R6's refund was reversed when it was cancelled.
    assert k["refunded"] == [{"currency": "USD", "amount": 148915, "count": 6}]
    assert (k["keep_it_returns"], k["keep_it_share"]) == (1, 0.1111)
    assert k["top_reasons"] == [
        {"reason": "changed_mind", "label": "Changed my mind", "units": 3, "share": 0.3333},
        {"reason": "defective", "label": "Defective or doesn't work", "units": 2, "share": 0.2222},
        {"reason": "not_as_described", "label": "Not as described", "units": 2, "share": 0.2222},
        {"reason": "size_too_large", "label": "Too large", "units": 1, "share": 0.1111},
        {"reason": "size_too_small", "label": "Too small", "units": 1, "share": 0.1111},
    ]


@pytest.mark.parametrize(
    ("period", "returns", "orders", "units_sold"),
    [
        # `from` is included, `to` excluded, to the second.
        ({"from": "2026-02-28T23:59:59Z", "to": "2026-03-01"}, 1, 0, 0),  # R0
        ({"from": "2026-03-01T01:00:00+01:00", "to": "2026-03-01T00:00:01Z"}, 1, 1, 1),  # R1, B
        ({"from": "2026-03-31T23:59:59Z", "to": "2026-04-01T00:00:00Z"}, 0, 1, 4),  # G
        ({"from": "2026-04-01", "to": "2026-04-02"}, 1, 1, 5),  # RB, H
    ],
)
def test_from_is_included_and_to_excluded(march, admin: Api, period, returns, orders, units_sold):
    k = admin.get(KPIS, params=period).json()
    assert (k["returns"], k["orders"], k["units_sold"]) == (returns, orders, units_sold)


def test_the_refunds_and_dispositions_of_a_day_follow_when_they_were_made(march, admin: Api):
    k = admin.get(KPIS, params={"from": "2026-03-02", "to": "2026-03-03"}).json()
    assert k["returns"] == 0 and k["time_to_credit_hours"]["count"] == 0
    # R0 (requested in February) was received, refunded and inspected on 2 March.
    assert k["refunded"] == [{"currency": "USD", "amount": 5900, "count": 1}]
    [usd] = k["value_recovery"]
    assert (usd["currency"], usd["value"]) == ("USD", 5900)


def test_an_empty_period_is_zeros_and_nulls(march, admin: Api):
    k = admin.get(KPIS, params={"from": "2025-06-01", "to": "2025-07-01"}).json()
    assert k["from"] == "2025-06-01T00:00:00Z"
    assert (k["returns"], k["orders"], k["units_sold"], k["units_returned"]) == (0, 0, 0, 0)
    assert set(k["by_status"].values()) == {0}
    for rate in ("approval_rate", "return_rate", "value_recovery_rate", "keep_it_share"):
        assert k[rate] is None, rate
    for hours in ("time_to_credit_hours", "time_to_receive_hours", "dwell_hours"):
        assert k[hours] == {"p50": None, "p90": None, "count": 0}
    assert (k["value_recovery"], k["refunded"], k["top_reasons"]) == ([], [], [])


def test_without_bounds_the_period_is_the_thirty_days_up_to_now(march, admin: Api, clock: FrozenClock):
    clock.now = at("2026-03-31T12:00:00")
    k = admin.get(KPIS).json()
    assert (k["from"], k["to"]) == ("2026-03-01T12:00:00Z", "2026-03-31T12:00:00Z")
    assert k["returns"] == 8  # R1, created at midnight, is before this period
    k = admin.get(KPIS, params={"from": "2026-03-20"}).json()
    assert (k["to"], k["returns"]) == ("2026-03-31T12:00:00Z", 1)  # R9


def test_refunds_in_several_currencies_are_listed_apart(
    admin: Api, container: Container, tenant_slug: str, clock: FrozenClock
):
    m = March(admin, clock)
    usd = m.order("U-1", "2026-03-05T09:00:00")
    m.ret(usd, "2026-03-10T09:00:00", "defective")
    tid = tenant_by_slug(container.db, tenant_slug).id
    euro_policy = default_policy_text().replace("currency: USD", "currency: EUR")
    save_policy(container.db, container.clock, system_actor(tid, "test"), euro_policy)
    customer = {"email": "eu@example.com", "postal_code": "10001", "country": "US"}
    body = order("E-1", [line("SKU-1", 2, 4500)], placed=at("2026-03-05T09:00:00"), customer=customer)
    eur = admin.post("/orders", {**body, "currency": "EUR"}).json()
    m.ret(eur, "2026-03-10T10:00:00", "defective")
    k = admin.get(KPIS, params=MARCH).json()
    assert k["refunded"] == [
        {"currency": "EUR", "amount": 9000, "count": 1},
        {"currency": "USD", "amount": 5900, "count": 1},
    ]
    assert (k["returns"], k["time_to_credit_hours"]) == (2, {"p50": 0.0, "p90": 0.0, "count": 2})


def test_who_may_read_kpis_and_another_tenant_is_never_counted(
    march, client, keys, container: Container, tenant_slug: str, clock: FrozenClock
):
    for role in ("admin", "specialist", "finance"):
        assert as_role(client, keys, role).get(KPIS, params=MARCH).json()["returns"] == 9
    partner = Api(client, create_key(container.db, clock, tenant_slug, "partner", node_code="DC1"))
    for api in (as_role(client, keys, "warehouse"), as_role(client, keys, "customer"), partner):
        r = api.get(KPIS, params=MARCH)
        assert r.status_code == 403, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"/v1{KPIS}", params=MARCH).status_code == 401

    other = f"t-{secrets.token_hex(5)}"
    create_tenant(container.db, container.clock, other, "Other shop")
    stranger = Api(client, create_key(container.db, container.clock, other, "admin"))
    assert stranger.put("/products/SKU-1", product()).status_code == 200
    m = March(stranger, clock)
    m.ret(m.order("X-1", "2026-03-05T09:00:00", quantity=3), "2026-03-10T09:00:00", "defective")
    theirs = stranger.get(KPIS, params=MARCH).json()
    assert (theirs["returns"], theirs["orders"], theirs["units_sold"], theirs["units_returned"]) == (
        1,
        1,
        3,
        3,
    )
    assert theirs["refunded"] == [{"currency": "USD", "amount": 17700, "count": 1}]
    ours = as_role(client, keys, "admin").get(KPIS, params=MARCH).json()
    assert (ours["returns"], ours["orders"], ours["refunded"][0]["amount"]) == (9, 10, 148915)


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"from": "2026-02-30", "to": "2026-03-31"}, "from", "invalid_datetime"),
        ({"from": "2026-03-01", "to": "soon"}, "to", "invalid_datetime"),
        ({"from": "2026-03-01T00:00:00", "to": "2026-03-31"}, "from", "missing_offset"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "to", "period_reversed"),
        ({"from": "2026-03-01", "to": "2026-03-01"}, "to", "period_reversed"),
        ({"from": "2025-01-01", "to": "2026-03-01"}, "to", "period_too_long"),
        ({"to": "0001-01-05"}, "to", "out_of_range"),
        ({"from": "2026-03-01" + "0" * 40}, "from", "string_too_long"),
    ],
)
def test_bad_periods_are_422_naming_the_field(admin: Api, params, field, code):
    r = admin.get(KPIS, params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [(field, code)]


def test_the_openapi_document_describes_the_kpis(client):
    op = client.get("/openapi.json").json()["paths"]["/v1/analytics/kpis"]["get"]
    assert set(op["responses"]) == {"200", "401", "403", "422"}
    assert {p["name"] for p in op["parameters"]} == {"from", "to"}
    assert "30 days" in op["description"] and "366 days" in op["description"]
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ReturnKpisOut"]
    assert {"from", "to", "returns", "return_rate", "time_to_credit_hours", "value_recovery_rate"} <= set(
        schema["properties"]
    )


def test_cli_prints_the_same_kpis_as_json_and_tables(march, cli: CliRunner, admin: Api, tenant_slug: str):
    args = ["report", "kpis", "--tenant", tenant_slug, "--from", "2026-03-01", "--to", "2026-04-01"]
    as_json = cli.invoke(app, [*args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == admin.get(KPIS, params=MARCH).json()

    table = cli.invoke(app, args)
    assert table.exit_code == 0, table.output
    text = table.stdout
    assert f"Return KPIs of {tenant_slug}, 2026-03-01T00:00:00Z to 2026-04-01T00:00:00Z" in text
    assert "85.71 %" in text and "60.00 %" in text and "11.11 % (1)" in text
    assert "p50 24.00 · p90 76.25 (n = 6)" in text and "p50 6.00 · p90 9.20 (n = 3)" in text
    assert "$1,489.15" in text and "$1,436.00" in text  # refunded, value dispositioned
    assert "Changed my mind" in text and "33.33 %" in text

    empty = cli.invoke(
        app, ["report", "kpis", "--tenant", tenant_slug, "--from", "2025-06-01", "--to", "2025-07-01"]
    )
    assert empty.exit_code == 0, empty.output
    assert "— (none measured)" in empty.stdout and "Money by currency" not in empty.stdout

    bad = cli.invoke(app, ["report", "kpis", "--tenant", tenant_slug, "--from", "2026-03-31", "--to", "x"])
    assert bad.exit_code == 1 and "the period is not valid" in bad.output and "to: " in bad.output
    missing = cli.invoke(app, ["report", "kpis", "--tenant", "no-such-shop"])
    assert missing.exit_code == 1 and "no tenant" in missing.output
