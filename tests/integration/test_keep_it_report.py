"""The keep-it report over the API and the CLI: exact sums by currency, category, reason and SKU."""

from __future__ import annotations

import csv
import io
import json
import secrets
from datetime import UTC, datetime
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

PLACED = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
REPORT = "/reports/keep-it"


def keep_it_policy(container: Container, slug: str, currency: str = "USD") -> None:
    """Keep-it for items under $40 when returning costs more than 20 % of their cost; 50 a year each."""
    text = default_policy_text()
    for old, new in (
        ('max_item_value: "15.00"', 'max_item_value: "40.00"'),
        ('return_cost_estimate: "8.50"', 'return_cost_estimate: "9.00"'),
        ("recovery_percent: 35", "recovery_percent: 20"),
        ("max_per_customer_365d: 2", "max_per_customer_365d: 50"),
        ("currency: USD", f"currency: {currency}"),
    ):
        assert old in text
        text = text.replace(old, new)
    tid = tenant_by_slug(container.db, slug).id
    save_policy(container.db, container.clock, system_actor(tid, "test"), text)


def catalogue(api: Api) -> None:
    for sku, body in {
        "SOCK-3": product(name="Wool socks", category="apparel", unit_cost=500, weight_grams=120),
        "MUG-1": product(name="Stoneware mug", category="home", unit_cost=700, weight_grams=400),
    }.items():
        assert api.put(f"/products/{sku}", body).status_code == 200


def file(
    api: Api, number: str, email: str, items: list[tuple[str, int, int, str]], currency: str = "USD"
) -> dict[str, Any]:
    """An order of `items` (sku, quantity, unit price, reason) by `email`, all of it returned."""
    customer = {"email": email, "name": "Shopper", "postal_code": "10001", "country": "US"}
    body = order(
        number,
        [line(sku, quantity=q, unit_price=p) for sku, q, p, _ in items],
        placed=PLACED,
        customer=customer,
        currency=currency,
    )
    o = api.post("/orders", body)
    assert o.status_code == 201, o.text
    lines = [
        {"order_line_id": ol["id"], "quantity": q, "reason": reason}
        for ol, (_, q, _, reason) in zip(o.json()["lines"], items, strict=True)
    ]
    r = api.post("/returns", {"order_number": number, "resolution": "refund", "lines": lines})
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.fixture
def seeded(admin: Api, container: Container, tenant_slug: str, clock: FrozenClock) -> dict[str, Any]:
    """Three keep-its on 15 March (one with two lines), one shipped return, one keep-it on 20 March."""
    keep_it_policy(container, tenant_slug)
    catalogue(admin)
    kept = [
        file(admin, "K-1", "a1@example.com", [("SKU-1", 1, 1900, "size_too_small")]),
        file(admin, "K-2", "a2@example.com", [("MUG-1", 2, 1250, "damaged_in_transit")]),
        file(
            admin,
            "K-3",
            "a3@example.com",
            [("SOCK-3", 1, 900, "changed_mind"), ("MUG-1", 1, 1250, "damaged_in_transit")],
        ),
    ]
    # Worth more than the policy's $40 keep-it limit: it must travel back, so it is not reported.
    shipped = file(admin, "S-1", "a4@example.com", [("SKU-1", 1, 5900, "size_too_small")])
    clock.now = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
    later = file(admin, "K-4", "a5@example.com", [("SOCK-3", 1, 800, "changed_mind")])
    assert all(r["method"] == "keep_it" and r["status"] == "completed" for r in [*kept, later])
    assert shipped["method"] != "keep_it"
    return {"kept": kept, "later": later}


# Policy estimate (no network loaded): $9.00 avoided per return, 20 % of unit cost forgone.
#   K-1 SKU-1 ×1 @19.00   avoided 900         forgone 480 (20 % of 24.00)
#   K-2 MUG-1 ×2 @12.50   avoided 900         forgone 280 (20 % of 14.00)
#   K-3 SOCK-3 @9.00 + MUG-1 @12.50: avoided 900 split by units 450 / 450, forgone 100 + 140
TOTAL = {
    "returns": 3,
    "units": 5,
    "refund_value": 6550,
    "shipping_handling_avoided": 2700,
    "recovery_forgone": 1000,
    "net_saving": 1700,
}


def figures(returns: int, units: int, refund: int, avoided: int, forgone: int) -> dict[str, int]:
    return {
        "returns": returns,
        "units": units,
        "refund_value": refund,
        "shipping_handling_avoided": avoided,
        "recovery_forgone": forgone,
        "net_saving": avoided - forgone,
    }


def test_report_sums_exactly_by_category_reason_and_sku(seeded: dict[str, Any], keys: dict[str, str], client):
    finance = as_role(client, keys, "finance")
    r = finance.get(REPORT, params={"from": "2026-03-01", "to": "2026-03-15"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["from"], body["to"], body["returns"]) == ("2026-03-01", "2026-03-15", 3)
    [usd] = body["currencies"]
    assert usd["currency"] == "USD" and usd["estimated_returns"] == 3
    assert {k: usd[k] for k in TOTAL} == TOTAL
    assert usd["by_category"] == [
        {"category": "home", "label": "Home", **figures(2, 3, 3750, 1350, 420)},
        {"category": "apparel", "label": "Apparel", **figures(2, 2, 2800, 1350, 580)},
    ]
    assert usd["by_reason"] == [
        {"reason": "damaged_in_transit", "label": "Arrived damaged", **figures(2, 3, 3750, 1350, 420)},
        {"reason": "size_too_small", "label": "Too small", **figures(1, 1, 1900, 900, 480)},
        {"reason": "changed_mind", "label": "Changed my mind", **figures(1, 1, 900, 450, 100)},
    ]
    assert [(s["sku"], s["name"], s["units"], s["refund_value"]) for s in usd["top_skus"]] == [
        ("MUG-1", "Stoneware mug", 3, 3750),
        ("SKU-1", "Merino Crew Sweater — Navy, M", 1, 1900),
        ("SOCK-3", "Wool socks", 1, 900),
    ]
    # The last day is included; the keep-it of 20 March joins once the period reaches it.
    wider = finance.get(REPORT, params={"from": "2026-03-15", "to": "2026-03-20", "top": 1}).json()
    [usd] = wider["currencies"]
    assert (usd["returns"], usd["refund_value"], usd["net_saving"]) == (4, 7350, 1700 + 900 - 100)
    assert [s["sku"] for s in usd["top_skus"]] == ["MUG-1"]
    empty = finance.get(REPORT, params={"from": "2026-03-16", "to": "2026-03-19"}).json()
    assert (empty["returns"], empty["currencies"]) == (0, [])


def test_several_currencies_are_reported_apart(
    seeded: dict[str, Any], admin: Api, container: Container, tenant_slug: str
):
    keep_it_policy(container, tenant_slug, currency="EUR")
    euro = file(admin, "E-1", "e1@example.com", [("MUG-1", 1, 1500, "wrong_item")], currency="EUR")
    assert euro["method"] == "keep_it" and euro["decision"]["currency"] == "EUR"
    body = admin.get(REPORT, params={"from": "2026-03-01", "to": "2026-03-20"}).json()
    assert [(c["currency"], c["returns"]) for c in body["currencies"]] == [("USD", 4), ("EUR", 1)]
    eur = body["currencies"][1]
    assert {k: eur[k] for k in TOTAL} == figures(1, 1, 1500, 900, 140)


def test_carrier_quotes_are_used_when_the_network_could_price_the_return(
    admin: Api, container: Container, tenant_slug: str
):
    keep_it_policy(container, tenant_slug)
    catalogue(admin)
    body = {
        "kind": "return_center",
        "name": "Edison Returns",
        "postal_code": "08817",
        "country": "US",
        "capabilities": ["receive", "inspect", "restock"],
        "handling_cost": 200,
    }
    assert admin.put("/nodes/RC-NJ", body).status_code == 200
    kept = [
        file(admin, f"Q-{i}", f"q{i}@example.com", [("SOCK-3", 1, 900, "changed_mind")]) for i in range(2)
    ]
    economics = [admin.get(f"/returns/{r['id']}").json()["routing"] for r in kept]
    assert all(e["source"] == "routing" and e["node_code"] == "RC-NJ" for e in economics)
    avoided = sum(e["return_cost"] for e in economics)
    forgone = sum(e["recovery"] for e in economics)
    [usd] = admin.get(REPORT, params={"from": "2026-03-15", "to": "2026-03-15"}).json()["currencies"]
    assert usd["estimated_returns"] == 0
    assert {k: usd[k] for k in TOTAL} == figures(2, 2, 1800, avoided, forgone)


def test_who_may_read_it_and_bad_periods(
    seeded: dict[str, Any], keys: dict[str, str], client, container: Container
):
    period = {"from": "2026-03-01", "to": "2026-03-31"}
    for role in ("admin", "specialist", "finance"):
        assert as_role(client, keys, role).get(REPORT, params=period).json()["returns"] == 4
    for role in ("warehouse", "customer"):
        r = as_role(client, keys, role).get(REPORT, params=period)
        assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"/v1{REPORT}", params=period).status_code == 401
    other = f"t-{secrets.token_hex(5)}"
    create_tenant(container.db, container.clock, other, "Other shop")
    stranger = Api(client, create_key(container.db, container.clock, other, "finance"))
    assert stranger.get(REPORT, params=period).json() == {**period, "returns": 0, "currencies": []}

    finance = as_role(client, keys, "finance")
    for params, field, code in (
        ({"from": "2026-02-30", "to": "2026-03-31"}, "from", "invalid_date"),
        ({"from": "2026-03-01", "to": "soon"}, "to", "invalid_date"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "to", "period_reversed"),
        ({"from": "", "to": "2026-03-01"}, "from", "missing"),
        ({"to": "2026-03-01"}, "from", "missing"),
    ):
        r = finance.get(REPORT, params=params)
        assert r.status_code == 422, params
        assert r.headers["content-type"].startswith("application/problem+json")
        assert any(e["field"] == field and e["code"] == code for e in r.json()["errors"]), r.json()


def test_cli_prints_the_same_report_as_json_csv_and_a_table(
    seeded: dict[str, Any], cli: CliRunner, admin: Api, tenant_slug: str
):
    args = ["report", "keep-it", "--tenant", tenant_slug, "--from", "2026-03-01", "--to", "2026-03-15"]
    as_json = cli.invoke(app, [*args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    api = admin.get(REPORT, params={"from": "2026-03-01", "to": "2026-03-15"}).json()
    assert json.loads(as_json.stdout) == api

    as_csv = cli.invoke(app, [*args, "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    total = next(r for r in rows if r["group"] == "total")
    assert {k: int(total[k]) for k in TOTAL} == TOTAL and total["currency"] == "USD"
    home = next(r for r in rows if r["group"] == "category" and r["key"] == "home")
    assert (int(home["refund_value"]), int(home["net_saving"])) == (3750, 930)
    assert [r["key"] for r in rows if r["group"] == "sku"] == ["MUG-1", "SKU-1", "SOCK-3"]

    table = cli.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "3 keep-it return(s)" in table.stdout
    assert "refund given $65.50" in table.stdout and "net saving $17.00" in table.stdout
    assert "MUG-1 Stoneware mug" in table.stdout and "Arrived damaged" in table.stdout

    bad = cli.invoke(app, ["report", "keep-it", "--tenant", tenant_slug, "--from", "2026-03-31", "--to", "x"])
    assert bad.exit_code == 1 and "not valid" in bad.output
    missing = cli.invoke(app, [*args[:2], "--tenant", "no-such-shop", *args[4:]])
    assert missing.exit_code == 1 and "no tenant" in missing.output
