"""Routing through the HTTP API: route on approval, methods, labels, hazmat refusal, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.builders import line, order, product, return_request

PLACED = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)


def _network(api):
    nodes = {
        "RC-DFW": {
            "kind": "return_center",
            "name": "Alliance Returns",
            "postal_code": "76177",
            "country": "US",
            "capabilities": ["receive", "inspect", "restock", "hazmat"],
            "daily_capacity": 100,
            "handling_cost": 150,
        },
        "RC-NJ": {
            "kind": "return_center",
            "name": "Edison Returns",
            "postal_code": "08817",
            "country": "US",
            "capabilities": ["receive", "inspect", "restock"],
            "handling_cost": 200,
        },
        "ST-NYC": {
            "kind": "store",
            "name": "SoHo Store",
            "postal_code": "10012",
            "country": "US",
            "capabilities": ["receive", "inspect"],
            "handling_cost": 100,
        },
    }
    for code, body in nodes.items():
        r = api.put(f"/nodes/{code}", body)
        assert r.status_code == 200, r.text


def _return(api, sku="SKU-1", number="R-1", price=5900):
    r = api.post("/orders", order(number, [line(sku=sku, unit_price=price)], placed=PLACED))
    assert r.status_code == 201, r.text
    ret = api.post("/returns", return_request(number, r.json()["lines"][0]["id"]))
    assert ret.status_code == 201, ret.text
    return ret.json()


def test_approved_return_is_routed_with_explanation(admin):
    _network(admin)
    ret = _return(admin)
    # A nearby store resells a sweater straight off the floor: it recovers the most, net of shipping.
    assert ret["destination"]["node_code"] == "ST-NYC"
    got = admin.get(f"/returns/{ret['id']}").json()
    routing = got["routing"]
    assert routing["chosen"]["node_code"] == "ST-NYC"
    assert (
        routing["chosen"]["total"]
        == routing["chosen"]["shipping"] + routing["chosen"]["handling"] - routing["chosen"]["recovery"]
    )
    assert routing["runners_up"] and all(
        o["total"] >= routing["chosen"]["total"] for o in routing["runners_up"]
    )
    assert got["carrier_service"] == "GROUND"
    assert "return.routed" in [e["action"] for e in got["timeline"]]


def test_lithium_item_goes_by_ground_to_hazmat_node(admin):
    _network(admin)
    assert (
        admin.put(
            "/products/BATT-1", product(name="Power bank", category="electronics", hazmat_class="lithium_ion")
        ).status_code
        == 200
    )
    ret = _return(admin, sku="BATT-1")
    got = admin.get(f"/returns/{ret['id']}").json()
    assert got["destination"]["node_code"] == "RC-DFW"
    assert got["routing"]["chosen"]["mode"] == "ground"
    assert all(o["mode"] == "ground" for o in got["routing"]["runners_up"])
    methods = {m["code"]: m for m in admin.get(f"/returns/{ret['id']}/methods").json()["items"]}
    assert methods["drop_off_qr"]["available"] is False
    assert methods["drop_off_label"]["available"] is True


def test_methods_choice_and_label_pdf_zpl(admin):
    _network(admin)
    ret = _return(admin)
    methods = {m["code"]: m for m in admin.get(f"/returns/{ret['id']}/methods").json()["items"]}
    assert methods["drop_off_qr"]["available"] and methods["drop_off_qr"]["cost"] > 0
    assert methods["in_store"]["available"] and methods["in_store"]["node_code"] == "ST-NYC"
    r = admin.post(f"/returns/{ret['id']}/method", {"method": "pickup"})
    assert r.status_code == 200 and r.json()["method"] == "pickup"
    pdf = admin.get(f"/returns/{ret['id']}/label", params={"format": "pdf"})
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF")
    zpl = admin.get(f"/returns/{ret['id']}/label", params={"format": "zpl"})
    assert zpl.status_code == 200 and b"^XA" in zpl.content
    assert pdf.headers["x-tracking-number"] == zpl.headers["x-tracking-number"]
    got = admin.get(f"/returns/{ret['id']}").json()
    assert got["tracking_number"] == pdf.headers["x-tracking-number"]
    assert "return.label_created" in [e["action"] for e in got["timeline"]]
    again = admin.post(f"/returns/{ret['id']}/method", {"method": "drop_off_qr"})
    assert again.status_code == 409


def test_label_refuses_hazmat_on_air(admin):
    _network(admin)
    assert (
        admin.put(
            "/products/AERO-1", product(name="Spray", category="beauty", hazmat_class="aerosol")
        ).status_code
        == 200
    )
    r = admin.put(
        "/carriers/FAST",
        {"name": "Fast Air", "services": [{"code": "FAST-AIR", "name": "Fast Air", "mode": "air"}]},
    )
    assert r.status_code == 200, r.text
    csv = "zone,max_km,max_grams,price,transit_days\n1,9000,30000,9.00,1\n"
    r = admin.client.put(
        "/v1/rate-cards/FAST-AIR", content=csv, headers={**admin.headers, "Content-Type": "text/csv"}
    )
    assert r.status_code == 200, r.text
    ret = _return(admin, sku="AERO-1")
    got = admin.get(f"/returns/{ret['id']}").json()
    # Only an air service exists: the aerosol cannot be routed at all, and no label is issued.
    assert got["destination"] is None
    assert got["routing"]["error"]["code"] in ("no_route", "hazmat_mode")
    label = admin.get(f"/returns/{ret['id']}/label")
    assert label.status_code == 422
    assert label.headers["content-type"].startswith("application/problem+json")


def test_rate_card_with_a_bad_row_is_rejected_whole(admin):
    admin.put("/carriers/C1", {"name": "C1", "services": [{"code": "C1-G", "name": "Ground"}]})
    csv = "zone,max_km,max_grams,price,transit_days\n1,500,1000,5.00,2\n2,oops,1000,6.00,3\n"
    r = admin.client.put(
        "/v1/rate-cards/C1-G", content=csv, headers={**admin.headers, "Content-Type": "text/csv"}
    )
    assert r.status_code == 422
    assert any(e["field"] == "row 3" for e in r.json()["errors"])
    carriers = admin.get("/carriers").json()
    assert carriers[0]["services"][0]["has_rate_card"] is False
