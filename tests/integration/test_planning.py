"""Batch routing of a day's open returns and network design over stored data, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from returnflow.adapters.candidate_sites import parse_candidates
from returnflow.adapters.optimization.batch_routing import BatchInfeasible
from returnflow.services.access import system_actor
from returnflow.services.planning import design_network, route_day
from returnflow.services.tenants import tenant_by_slug
from tests.builders import line, order, return_request

PLACED = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
DAY = date(2026, 3, 15)
NODE = {"kind": "warehouse", "country": "US", "capabilities": ["receive", "inspect", "restock"]}


def _setup(admin, ny_capacity: int, la_capacity: int) -> list[dict]:
    for code, name, zip_code, cap in (
        ("DC-NY", "New York DC", "10001", ny_capacity),
        ("DC-LA", "LA DC", "90012", la_capacity),
    ):
        r = admin.put(
            f"/nodes/{code}", {**NODE, "name": name, "postal_code": zip_code, "daily_capacity": cap}
        )
        assert r.status_code == 200, r.text
    made = []
    for i, zip_code in enumerate(("10001", "10011", "90012")):
        customer = {"email": f"c{i}@example.com", "name": "C", "postal_code": zip_code, "country": "US"}
        o = admin.post("/orders", order(f"P-{i}", [line()], placed=PLACED, customer=customer))
        assert o.status_code == 201, o.text
        r = admin.post("/returns", return_request(f"P-{i}", o.json()["lines"][0]["id"]))
        assert r.status_code == 201 and r.json()["status"] == "approved", r.text
        made.append(r.json())
    return made


def test_route_day_places_every_open_return_within_capacity(admin, container, tenant_slug):
    made = _setup(admin, ny_capacity=1, la_capacity=10)
    actor = system_actor(tenant_by_slug(container.db, tenant_slug).id, "planning")
    plan = route_day(container.db, container.clock, actor, DAY)
    assert plan.returns == 3 and plan.currency == "USD"
    loads = {n.code: n.returns for n in plan.nodes}
    assert loads == {"DC-NY": 1, "DC-LA": 2}
    assert plan.total_cost <= plan.greedy_cost
    stored = {m["number"]: admin.get(f"/returns/{m['id']}").json() for m in made}
    nodes = [s["destination"]["node_code"] for s in stored.values()]
    assert nodes.count("DC-NY") == 1
    assert stored[made[2]["number"]]["destination"]["node_code"] == "DC-LA"  # the LA customer stays west
    with container.db.uow(actor.tenant_id, readonly=True) as uow:
        history = uow.records.entity_history("return", made[0]["id"])
    batch_entries = [
        e for e in history if e.action == "return.routed" and e.data.get("batch_day") == "2026-03-15"
    ]
    assert len(batch_entries) == 1
    assert batch_entries[0].data["node_code"] == stored[made[0]["number"]]["destination"]["node_code"]
    # Running it again finds the same optimum: the batch's own earlier places are not counted as used.
    again = route_day(container.db, container.clock, actor, DAY)
    assert again.total_cost == plan.total_cost and again.moved == 0


def test_route_day_with_too_little_capacity_changes_nothing(admin, container, tenant_slug):
    made = _setup(admin, ny_capacity=1, la_capacity=1)
    before = [admin.get(f"/returns/{m['id']}").json()["destination"] for m in made]
    actor = system_actor(tenant_by_slug(container.db, tenant_slug).id, "planning")
    with pytest.raises(BatchInfeasible) as err:
        route_day(container.db, container.clock, actor, DAY)
    assert err.value.code == "capacity_short"
    assert [admin.get(f"/returns/{m['id']}").json()["destination"] for m in made] == before


def test_route_day_without_open_returns_reports_zero(admin, container, tenant_slug):
    actor = system_actor(tenant_by_slug(container.db, tenant_slug).id, "planning")
    plan = route_day(container.db, container.clock, actor, DAY)
    assert plan.returns == 0 and plan.nodes == ()


def test_design_opens_the_site_near_the_returns(admin, container, tenant_slug):
    _setup(admin, ny_capacity=50, la_capacity=50)
    admin.put("/nodes/DC-LA", {**NODE, "name": "LA DC", "postal_code": "90012", "kind": "drop_off"})
    candidates = parse_candidates(
        "code,postal_code,fixed_cost,capacity\nRC-LA,90021,10.00,\nRC-MIA,33101,10.00,\n"
    )
    actor = system_actor(tenant_by_slug(container.db, tenant_slug).id, "planning")
    report = design_network(container.db, actor, candidates, 1)
    assert report.design.opened == ("RC-LA",)
    assert report.returns == 3 and report.unlocated == 0
    today = report.design.today
    assert today is not None and report.design.plan.average_km < today.average_km
    assert report.design.cost_change is not None and report.design.cost_change < 0


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]*)"', html)
    assert found, "no csrf field"
    return found.group(1)


def test_network_page_draws_the_design_and_refuses_a_bad_file(admin, client, keys):
    _setup(admin, ny_capacity=50, la_capacity=50)
    assert (
        client.post("/ops/signin", data={"api_key": keys["admin"]}, follow_redirects=False).status_code == 303
    )
    html = client.get("/ops/network").text
    assert 'href="/ops/network"' in html and "Candidate sites (CSV)" in html
    good = "code,postal_code,fixed_cost\nRC-LA,90021,10.00\nRC-MIA,33101,10.00\n"
    r = client.post("/ops/network", data={"csrf": _csrf(html), "candidates": good, "open_k": "1"})
    assert r.status_code == 200, r.text
    assert 'data-site="RC-MIA" data-role="candidate"' in r.text
    assert re.search(r'data-site="RC-\w+" data-role="opened"', r.text)
    assert 'data-role="existing"' in r.text and "<svg" in r.text
    bad = "code,postal_code,fixed_cost\nRC-LA,90021,10.00\nRC-X,00000,1.00\n"
    r = client.post("/ops/network", data={"csrf": _csrf(html), "candidates": bad, "open_k": "1"})
    assert r.status_code == 422
    assert "row 3" in r.text and "00000" in r.text
    assert (
        client.post("/ops/network", data={"csrf": "forged", "candidates": good, "open_k": "1"}).status_code
        == 403
    )
