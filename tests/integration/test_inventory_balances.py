"""The inventory balances table: kept equal to the movement ledger, never negative, backfilled by its
migration, paged by GET /v1/inventory, streamed whole by the export, checked by `inventory verify`."""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from returnflow.adapters.db.engine import make_engine
from returnflow.adapters.db.migrate import upgrade
from returnflow.adapters.db.tables_inventory import InventoryBalanceRow
from returnflow.bootstrap import Container, bootstrap
from returnflow.config import Settings
from returnflow.domain.errors import ValidationFailed
from returnflow.domain.inventory import BUCKETS, Movement, StockKey, apply, fold
from returnflow.entrypoints import cli_inventory
from returnflow.entrypoints.api.app import create_app
from returnflow.entrypoints.cli import app
from returnflow.entrypoints.web import ops_inventory
from returnflow.services import inventory
from returnflow.services.access import Actor, system_actor
from returnflow.services.tenants import create_key, create_tenant, tenant_by_slug
from tests.conftest import FrozenClock, _pg_database
from tests.e2e.conftest import web_container
from tests.integration.conftest import Api
from tests.integration.test_credit_concurrency import _race

AT = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def mv(node: str, sku: str, frm: str | None, to: str | None, qty: int = 1) -> Movement:
    """A movement with a generic reason and reference."""
    return Movement(node, sku, frm, to, qty, reason="test", reference="T-1")


def record(c: Container, tenant_id: str, *movements: Movement) -> None:
    """One `move_in` in its own committed transaction."""
    with c.db.uow(tenant_id) as uow:
        inventory.move_in(uow, system_actor(tenant_id, "tests"), AT, list(movements))
        uow.commit()


def listed(c: Container, actor: Actor, **scope: Any) -> list[dict[str, Any]]:
    """Every balance item in scope, read page by page."""
    return [item for page in inventory.all_balances(c.db, actor, **scope) for item in page]


def as_totals(items: list[dict[str, Any]]) -> dict[StockKey, int]:
    """Non-zero units per (node, SKU, bucket) of balance items."""
    return {StockKey(i["node_code"], i["sku"], b): q for i in items for b, q in i["buckets"].items() if q}


def new_tenant(c: Container) -> tuple[str, str]:
    """A fresh tenant: (slug, id)."""
    slug = f"t-{secrets.token_hex(5)}"
    return slug, create_tenant(c.db, c.clock, slug, f"Tenant {slug}").id


# --- the table follows the ledger ---------------------------------------------------------------

NODES, SKUS = ("N1", "N2"), ("A", "B")
moves = st.tuples(
    st.sampled_from(NODES),
    st.sampled_from(SKUS),
    st.sampled_from([None, "sellable", "open_box", "scrap"]),
    st.sampled_from([None, "sellable", "open_box", "scrap"]),
    st.integers(1, 3),
).filter(lambda m: m[2] != m[3])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(moves, min_size=1, max_size=3), max_size=10))
def test_random_movements_keep_the_table_equal_to_the_ledger_and_never_negative(
    container: Container, batches: list[list[tuple[str, str, str | None, str | None, int]]]
) -> None:
    slug, tid = new_tenant(container)
    actor = system_actor(tid, "tests")
    model: dict[StockKey, int] = {}
    for raw in batches:
        batch = [mv(*m) for m in raw]
        after = dict(model)
        try:
            for m in batch:
                apply(after, m)
            expected: dict[StockKey, int] | None = after
        except ValidationFailed:
            expected = None
        refused: ValidationFailed | None = None
        try:
            record(container, tid, *batch)
        except ValidationFailed as err:
            refused = err
        if refused is not None:
            assert refused.code == "insufficient_stock"
            assert expected is None, "a batch the model accepts was refused"
        else:
            assert expected is not None, "a batch going below zero was accepted"
            model = expected
        [report] = inventory.verify(container.db, [slug])
        assert report.ok, report.mismatches
        items = listed(container, actor)
        assert as_totals(items) == {k: q for k, q in model.items() if q}
        assert all(q >= 0 for i in items for q in i["buckets"].values())


def test_a_refused_batch_changes_no_balance_and_a_batch_may_use_what_it_moved_in(container):
    slug, tid = new_tenant(container)
    actor = system_actor(tid, "tests")
    record(container, tid, mv("N1", "A", None, "quarantine", 2))
    with pytest.raises(ValidationFailed) as err:
        record(
            container, tid, mv("N1", "A", "quarantine", "sellable", 1), mv("N1", "A", "quarantine", None, 5)
        )
    assert err.value.code == "insufficient_stock"
    assert listed(container, actor)[0]["buckets"]["quarantine"] == 2
    # Received and sent on within one batch: the pair is listed, its buckets at zero.
    record(container, tid, mv("N2", "B", None, "sellable", 1), mv("N2", "B", "sellable", None, 1))
    items = listed(container, actor)
    assert [(i["node_code"], i["sku"], i["total"]) for i in items] == [("N1", "A", 2), ("N2", "B", 0)]
    assert inventory.verify(container.db, [slug])[0].ok


@pytest.mark.parametrize("with_product", [True, False], ids=["product-row-lock", "no-product-row"])
def test_racing_movers_never_take_more_than_is_there(
    container, admin, tenant_slug, with_product, database_url
):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serializes every write through one gate; row-lock races need PostgreSQL")
    sku = "SKU-1" if with_product else "NO-PRODUCT-1"
    tid = tenant_by_slug(container.db, tenant_slug).id
    record(container, tid, mv("DC1", sku, None, "sellable", 3))

    def take(_: int) -> None:
        record(container, tid, mv("DC1", sku, "sellable", "open_box", 1))

    outcomes = _race(8, take)
    refused = [o for o in outcomes if isinstance(o, ValidationFailed)]
    assert len(refused) == 5 and {o.code for o in refused} == {"insufficient_stock"}
    [item] = listed(container, system_actor(tid, "tests"), sku=sku)
    assert item["buckets"]["sellable"] == 0 and item["buckets"]["open_box"] == 3
    assert inventory.verify(container.db, [tenant_slug])[0].ok


def test_the_table_refuses_a_negative_balance(container, tenant_slug):
    tid = tenant_by_slug(container.db, tenant_slug).id
    record(container, tid, mv("DC1", "SKU-1", None, "sellable", 1))
    with container.db.uow(tid) as uow, pytest.raises(IntegrityError):
        uow.session.execute(
            update(InventoryBalanceRow)
            .where(InventoryBalanceRow.tenant_id == tid)
            .values(quantity=InventoryBalanceRow.quantity - 2)
        )


def test_verify_passes_then_names_a_balance_that_differs_from_the_movements(
    container, tenant_slug, monkeypatch
):
    monkeypatch.setattr(cli_inventory, "container", lambda migrate=False: container)
    tid = tenant_by_slug(container.db, tenant_slug).id
    record(
        container, tid, mv("DC1", "SKU-1", None, "sellable", 3), mv("DC1", "SKU-1", "sellable", "scrap", 1)
    )
    runner = CliRunner()
    ok = runner.invoke(app, ["inventory", "verify", "--tenant", tenant_slug])
    assert ok.exit_code == 0, ok.output
    assert f"ok {tenant_slug}: 2 balances" in ok.output
    with container.db.uow(tid) as uow:
        uow.session.execute(
            update(InventoryBalanceRow)
            .where(InventoryBalanceRow.tenant_id == tid, InventoryBalanceRow.bucket == "sellable")
            .values(quantity=5)
        )
        uow.commit()
    bad = runner.invoke(app, ["inventory", "verify", "--tenant", tenant_slug])
    assert bad.exit_code == 1
    assert "DC1 SKU-1 sellable: table 5, movements 2" in bad.output
    unknown = runner.invoke(app, ["inventory", "verify", "--tenant", "no-such-shop"])
    assert unknown.exit_code == 1 and "no tenant" in unknown.output


# --- the migration backfills from the ledger ----------------------------------------------------


@pytest.fixture
def fresh_url(database_url: str, tmp_path: Any) -> Iterator[str]:
    """An empty database of the session's kind (the migration test runs its own upgrades)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        yield from _pg_database("migration")


def test_the_migration_backfills_balances_from_existing_movements(fresh_url):
    engine = make_engine(fresh_url)
    upgrade(engine, "0008_delivery_cases")
    ledger = [
        mv("DC1", "COAT-1", None, "quarantine", 3),
        mv("DC1", "COAT-1", "quarantine", "refurbish_wip", 2),
        mv("DC1", "COAT-1", "refurbish_wip", "sellable", 1),
        mv("DC2", "COAT-1", None, "sellable", 4),
        mv("DC2", "TEE-1", None, "open_box", 1),
        mv("DC2", "TEE-1", "open_box", None, 1),
    ]
    with engine.begin() as conn:
        for tid in ("ten_a", "ten_b"):
            conn.execute(
                text("INSERT INTO tenants (id, slug, name, created_at) VALUES (:id, :slug, :name, :at)"),
                {"id": tid, "slug": tid.replace("_", "-"), "name": tid, "at": AT},
            )
        for i, m in enumerate(ledger):
            conn.execute(
                text(
                    "INSERT INTO inventory_movements (tenant_id, id, node_code, sku, from_bucket, to_bucket,"
                    " quantity, reason, reference, at, actor) VALUES (:t, :id, :node, :sku, :frm, :to,"
                    " :qty, 'test', 'T-1', :at, 'tests')"
                ),
                {"t": "ten_a", "id": f"mov_{i}", "node": m.node, "sku": m.sku, "frm": m.from_bucket}
                | {"to": m.to_bucket, "qty": m.quantity, "at": AT},
            )
    upgrade(engine, "head")
    engine.dispose()
    c = bootstrap(Settings(database_url=fresh_url))
    try:
        assert all(r.ok for r in inventory.verify(c.db))
        items = listed(c, system_actor("ten_a", "tests"))
        assert as_totals(items) == {k: q for k, q in fold(ledger).items() if q}
        assert [(i["node_code"], i["sku"], i["total"]) for i in items] == [
            ("DC1", "COAT-1", 3),
            ("DC2", "COAT-1", 4),
            ("DC2", "TEE-1", 0),
        ]
        assert listed(c, system_actor("ten_b", "tests")) == []
        record(c, "ten_a", mv("DC2", "TEE-1", None, "open_box", 2))  # the table is live after the backfill
        assert inventory.verify(c.db, ["ten-a"])[0].ok
    finally:
        c.db.engine.dispose()


# --- GET /v1/inventory pages; the export streams everything -------------------------------------


@pytest.fixture
def stocked(container: Container, tenant_slug: str) -> str:
    """21 node/SKU pairs over three nodes (one of them emptied again); the tenant's id."""
    tid = tenant_by_slug(container.db, tenant_slug).id
    for n, node in enumerate(("DC1", "DC2", "DC3")):
        for s in range(7):
            sku = f"SKU-{s:02d}"
            record(container, tid, mv(node, sku, None, BUCKETS[(n + s) % len(BUCKETS)], s + 1))
    record(container, tid, mv("DC2", "SKU-03", None, "scrap", 2), mv("DC2", "SKU-03", "scrap", None, 2))
    record(container, tid, mv("DC2", "SKU-03", BUCKETS[(1 + 3) % len(BUCKETS)], None, 4))
    return tid


def pages(api: Api, **params: Any) -> list[list[dict[str, Any]]]:
    """Follow next_cursor from the first page to the last."""
    out, cursor = [], None
    while True:
        r = api.get("/inventory", params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        out.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return out


def test_inventory_pages_cover_every_pair_once_in_order(admin, client, keys, stocked):
    whole = admin.get("/inventory", params={"limit": 5000}).json()
    assert whole["next_cursor"] is None and len(whole["items"]) == 21
    pairs = [(i["node_code"], i["sku"]) for i in whole["items"]]
    assert pairs == sorted(pairs)
    emptied = next(i for i in whole["items"] if (i["node_code"], i["sku"]) == ("DC2", "SKU-03"))
    assert emptied["total"] == 0 and set(emptied["buckets"]) == set(BUCKETS)
    paged = pages(admin, limit=4)
    assert [len(p) for p in paged] == [4, 4, 4, 4, 4, 1]
    assert [i for p in paged for i in p] == whole["items"]
    assert [i for p in pages(admin, limit=7) for i in p] == whole["items"]  # ends on a full page
    by_node = pages(admin, node="DC2", limit=3)
    assert [i["sku"] for p in by_node for i in p] == [f"SKU-{s:02d}" for s in range(7)]
    by_sku = pages(admin, sku="SKU-05", limit=2)
    assert [i["node_code"] for p in by_sku for i in p] == ["DC1", "DC2", "DC3"]
    assert [len(p) for p in by_sku] == [2, 1]
    warehouse = Api(client, keys["warehouse"])  # bound to DC1
    assert {i["node_code"] for p in pages(warehouse, limit=2) for i in p} == {"DC1"}
    assert len(admin.get("/inventory").json()["items"]) == 21  # default page: 500


def test_inventory_refuses_a_cursor_it_did_not_issue_and_an_oversized_page(admin, stocked):
    for bad in ("not-a-cursor!", "bm90IGpzb24", "WyJEQzEiXQ"):  # not base64 / not JSON / one value
        r = admin.get("/inventory", params={"cursor": bad})
        assert r.status_code == 422 and r.json()["code"] == "invalid_cursor", bad
    assert admin.get("/inventory", params={"limit": 5001}).status_code == 422
    assert admin.get("/inventory", params={"limit": 0}).status_code == 422


def test_the_export_streams_every_pair_whatever_the_page_size(admin, container, stocked):
    actor = system_actor(stocked, "tests")
    in_pages = "".join(inventory.export_csv(container.db, actor, page_size=4))
    api = admin.get("/inventory/export")
    assert api.status_code == 200 and api.headers["content-type"].startswith("text/csv")
    assert api.text == in_pages
    rows = list(csv.DictReader(io.StringIO(in_pages)))
    assert len(rows) == 21 and rows[0]["node_code"] == "DC1" and rows[-1]["node_code"] == "DC3"
    assert "".join(inventory.export_csv(container.db, actor, node="NOWHERE")) == (
        "node_code,sku," + ",".join(BUCKETS) + ",total\n"
    )


def test_the_ops_page_lists_the_first_rows_and_charts_the_whole_filter(
    container, tenant_slug, stocked, monkeypatch
):
    monkeypatch.setattr(ops_inventory, "PAGE_ROWS", 5)
    web = web_container(container, FrozenClock(AT))
    key = create_key(web.db, web.clock, tenant_slug, "admin")
    with TestClient(create_app(web), base_url="http://shop.test") as browser:
        signed = browser.post("/ops/signin", data={"api_key": key}, follow_redirects=False)
        assert signed.status_code == 303
        html = browser.get("/ops/inventory").text
        assert html.count("<tr data-node=") == 5
        assert "The first 5 node and SKU rows" in html
        # The chart counts every pair of the filter, not only the rows listed.
        whole = inventory.bucket_totals(container.db, system_actor(stocked, "tests"))
        charted = {b: int(u) for b, u in re.findall(r'data-bucket="(\w+)" data-units="(\d+)"', html)}
        assert charted == whole and sum(whole.values()) > sum(
            i["total"] for i in listed(container, system_actor(stocked, "tests")) if i["sku"] < "SKU-05"
        )
        narrow = browser.get("/ops/inventory", params={"node": "DC3"}).text
        assert narrow.count("<tr data-node=") == 5 and "The first 5" in narrow
        one = browser.get("/ops/inventory", params={"sku": "SKU-01"}).text
        assert one.count("<tr data-node=") == 3 and "The first" not in one
