"""Inventory, photos and work orders through the API: balances after moves, the CSV export,
refused uploads leave nothing behind, a refurbished unit returns to stock at its new grade."""

from __future__ import annotations

import csv
import io

from tests.integration.conftest import as_role
from tests.integration.floor_helpers import JPEG, approved_return, container, inspect, network, receive

__all__ = ["container"]


def _received(admin, warehouse, number, items, node="DC1"):
    ret = approved_return(admin, number, items)
    r = receive(warehouse, ret["number"], node=node)
    assert r.status_code == 201, r.text
    return ret


def _upload(api, ret, data, name="p.jpg", code=None):
    line_id = ret["lines"][0]["id"]
    return api.client.post(
        f"/v1/returns/{ret['id']}/lines/{line_id}/photos",
        headers=api.headers,
        files={"file": (name, data, "image/jpeg")},
        data={"code": code} if code else {},
    )


def test_inventory_balances_follow_every_move_and_export_as_csv(admin, client, keys):
    network(admin)
    warehouse = as_role(client, keys, "warehouse")
    coats = _received(admin, warehouse, "V-1", [("COAT-1", 2, 12900)])
    assert inspect(warehouse, coats, grade="A").json()["disposition"]["path"] == "restock"
    worn = _received(admin, warehouse, "V-2", [("COAT-1", 1, 12900)])
    assert inspect(warehouse, worn, grade="B").json()["disposition"]["path"] == "open_box"
    ruined = _received(admin, warehouse, "V-3", [("COAT-1", 1, 12900)])
    assert inspect(warehouse, ruined, grade="F").status_code == 201
    at_dc2 = _received(admin, admin, "V-4", [("SKU-1", 1, 5900)], node="DC2")
    assert inspect(admin, at_dc2, grade="A").status_code == 201
    items = admin.get("/inventory", params={"node": "DC1", "sku": "COAT-1"}).json()["items"]
    assert len(items) == 1
    buckets = items[0]["buckets"]
    assert buckets["sellable"] == 2 and buckets["open_box"] == 1
    assert buckets["scrap"] + buckets["quarantine"] == 1 and items[0]["total"] == 4
    assert set(buckets) == {
        "sellable",
        "open_box",
        "refurbish_wip",
        "repair_wip",
        "quarantine",
        "liquidation",
        "scrap",
    }
    everything = admin.get("/inventory").json()["items"]
    assert {(i["node_code"], i["sku"]) for i in everything} == {("DC1", "COAT-1"), ("DC2", "SKU-1")}
    # A key bound to DC1 sees DC1's stock only; another node's is absent.
    assert [(i["node_code"], i["sku"]) for i in warehouse.get("/inventory").json()["items"]] == [
        ("DC1", "COAT-1")
    ]
    assert warehouse.get("/inventory", params={"node": "DC2"}).status_code == 404
    assert as_role(client, keys, "customer").get("/inventory").status_code == 403
    export = admin.get("/inventory/export")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [(r["node_code"], r["sku"], r["sellable"], r["open_box"], r["total"]) for r in rows] == [
        ("DC1", "COAT-1", "2", "1", "4"),
        ("DC2", "SKU-1", "1", "0", "1"),
    ]
    moves = admin.get("/inventory/movements", params={"sku": "COAT-1"}).json()["items"]
    assert sum(m["quantity"] for m in moves) == 4 and all(m["from_bucket"] is None for m in moves)
    assert {m["reason"] for m in moves} >= {"disposition:restock", "disposition:open_box"}


def test_a_refused_photo_leaves_nothing_recorded(admin, client, keys, container):
    network(admin)
    warehouse = as_role(client, keys, "warehouse")
    ret = _received(admin, warehouse, "V-5", [("COAT-1", 1, 12900)])
    text = _upload(warehouse, ret, b"GIF89a not what we take", name="fake.jpg")
    assert text.status_code == 422 and text.json()["code"] == "not_an_image"
    assert text.headers["content-type"].startswith("application/problem+json")
    big = _upload(warehouse, ret, JPEG + b"0" * 300_000)
    assert big.status_code == 413 and big.json()["code"] == "photo_too_large"
    huge = _upload(warehouse, ret, JPEG + b"0" * 600_000)
    assert huge.status_code == 413
    line = admin.get(f"/returns/{ret['id']}/lines/{ret['lines'][0]['id']}/inspection").json()
    assert line["photos"] == [] and line["inspection"] is None
    root = container.photos.root
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))
    timeline = admin.get(f"/returns/{ret['id']}").json()["timeline"]
    assert "photo.uploaded" not in [e["action"] for e in timeline]
    ok = _upload(warehouse, ret, JPEG, code="front")
    assert ok.status_code == 201, ok.text
    assert ok.json()["content_type"] == "image/jpeg" and ok.json()["size_bytes"] == len(JPEG)
    assert container.photos.get(ok.json()["storage_key"]) == JPEG


def test_a_refurbished_unit_returns_to_stock_with_its_new_grade(admin, client, keys):
    network(admin)
    warehouse = as_role(client, keys, "warehouse")
    ret = _received(admin, warehouse, "V-6", [("PHONE-1", 1, 59900)])
    got = inspect(warehouse, ret, grade="B", weight_grams=400)
    assert got.status_code == 201, got.text
    decided = got.json()["disposition"]
    assert decided["path"] == "refurbish" and decided["node_code"] == "REF1"
    line_id = ret["lines"][0]["id"]
    stock = admin.get("/inventory", params={"node": "DC1", "sku": "PHONE-1"}).json()["items"][0]["buckets"]
    assert stock["refurbish_wip"] == 1
    opened = warehouse.post(f"/returns/{ret['id']}/lines/{line_id}/work-orders", {})
    assert opened.status_code == 201, opened.text
    work = opened.json()
    assert work["kind"] == "refurbish" and work["status"] == "open" and work["node_code"] == "REF1"
    assert work["expected_recovery"] == decided["expected_recovery"]
    twice = warehouse.post(f"/returns/{ret['id']}/lines/{line_id}/work-orders", {})
    assert twice.status_code == 409
    done = warehouse.post(
        f"/work-orders/{work['id']}/complete",
        {
            "outcome": "refurbished",
            "new_grade": "A",
            "parts": [{"sku": "SCREEN-1", "quantity": 1, "unit_cost": 2500}],
            "labor_minutes": 45,
            "labor_rate": 4000,
        },
    )
    assert done.status_code == 200, done.text
    finished = done.json()
    assert finished["status"] == "completed" and finished["new_grade"] == "A"
    assert finished["cost"] == 2500 + 3000
    assert finished["achieved_recovery"] is not None
    assert finished["achieved_recovery"] != finished["expected_recovery"]
    stock = admin.get("/inventory", params={"node": "DC1", "sku": "PHONE-1"}).json()["items"][0]["buckets"]
    assert stock["refurbish_wip"] == 0 and stock["sellable"] == 1
    line = admin.get(f"/returns/{ret['id']}").json()["lines"][0]
    assert line["grade"] == "A"
    assert line["disposition"]["work_order"]["achieved_recovery"] == finished["achieved_recovery"]
    again = warehouse.post(f"/work-orders/{work['id']}/complete", {"outcome": "failed"})
    assert again.status_code == 409
    listed = admin.get("/work-orders", params={"status": "completed"}).json()["items"]
    assert [w["id"] for w in listed] == [work["id"]]
