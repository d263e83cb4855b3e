"""A shopper switches from in-store back to shipping; returns are found by RMA number; label wording."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from returnflow.bootstrap import Container
from returnflow.services.tenants import create_key, create_tenant
from tests.builders import line, order, return_request
from tests.integration.conftest import Api, as_role

PLACED = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)


def network(api: Api) -> None:
    """A store in reach of the shopper (dear to handle) and a return center the carrier route prefers."""
    nodes = {
        "ST-NYC": {
            "kind": "store",
            "name": "SoHo Store",
            "postal_code": "10012",
            "country": "US",
            "capabilities": ["receive", "inspect"],
            "handling_cost": 1000,
        },
        "RC-NJ": {
            "kind": "return_center",
            "name": "Edison Returns",
            "postal_code": "08817",
            "country": "US",
            "capabilities": ["receive", "inspect", "restock"],
            "handling_cost": 100,
        },
    }
    for code, body in nodes.items():
        r = api.put(f"/nodes/{code}", body)
        assert r.status_code == 200, r.text


def filed(admin: Api, shopper: Api, number: str = "M-1", **over: Any) -> dict[str, Any]:
    """An order placed by ada@example.com (the shopper's key) and her return of it."""
    o = admin.post("/orders", order(number, [line(**over)], placed=PLACED))
    assert o.status_code == 201, o.text
    r = shopper.post("/returns", return_request(number, o.json()["lines"][0]["id"]))
    assert r.status_code == 201, r.text
    return dict(r.json())


def methods(api: Api, return_id: str) -> dict[str, dict[str, Any]]:
    r = api.get(f"/returns/{return_id}/methods")
    assert r.status_code == 200, r.text
    return {m["code"]: m for m in r.json()["items"]}


def test_shopper_switches_from_in_store_back_to_drop_off_before_a_label(admin, client, keys):
    network(admin)
    shopper = as_role(client, keys, "customer")
    ret = filed(admin, shopper)
    assert (ret["destination"]["node_code"], ret["carrier_service"]) == ("RC-NJ", "GROUND")

    in_store = shopper.post(f"/returns/{ret['id']}/method", {"method": "in_store"})
    assert in_store.status_code == 200, in_store.text
    assert in_store.json()["method"] == "in_store"
    assert in_store.json()["destination"]["node_code"] == "ST-NYC"
    label = shopper.get(f"/returns/{ret['id']}/label")
    assert label.status_code == 409
    assert label.json()["detail"] == "an in-store return needs no shipping label"

    # The shipping methods are still offered, priced on a fresh carrier route.
    options = methods(shopper, ret["id"])
    assert options["in_store"]["selected"]
    for code in ("drop_off_qr", "drop_off_label"):
        assert options[code]["available"], options[code]["reasons"]
        assert (options[code]["node_code"], options[code]["carrier_service"]) == ("RC-NJ", "GROUND")
        assert options[code]["cost"] > 0

    back = shopper.post(f"/returns/{ret['id']}/method", {"method": "drop_off_label"})
    assert back.status_code == 200, back.text
    got = back.json()
    assert (got["method"], got["destination"]["node_code"], got["carrier_service"]) == (
        "drop_off",
        "RC-NJ",
        "GROUND",
    )
    assert got["routing"]["chosen"]["shipping"] == options["drop_off_label"]["cost"]
    pdf = shopper.get(f"/returns/{ret['id']}/label", params={"format": "pdf"})
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF")
    timeline = [e["action"] for e in admin.get(f"/returns/{ret['id']}").json()["timeline"]]
    assert timeline.count("return.routed") == 2  # on approval, and again when leaving in-store
    assert timeline.index("return.label_created") > timeline.index("return.method_chosen")

    # Once the label exists the method is settled.
    again = shopper.post(f"/returns/{ret['id']}/method", {"method": "in_store"})
    assert again.status_code == 409
    assert methods(shopper, ret["id"])["drop_off_label"]["selected"]


def test_without_a_network_shipping_methods_say_so(admin, client, keys):
    shopper = as_role(client, keys, "customer")
    ret = filed(admin, shopper)
    options = methods(shopper, ret["id"])
    assert not options["drop_off_label"]["available"]
    assert options["drop_off_label"]["reasons"] == ["No carrier route is available for this return yet."]


def test_a_return_is_found_by_its_rma_number(admin, client, keys, container: Container):
    shopper = as_role(client, keys, "customer")
    ret = filed(admin, shopper)
    by_number = admin.get(f"/returns/{ret['number']}")
    assert by_number.status_code == 200, by_number.text
    assert by_number.json()["id"] == ret["id"]
    assert by_number.json()["timeline"]
    assert admin.get(f"/returns/{ret['number'].lower()}").json()["id"] == ret["id"]
    assert shopper.get(f"/returns/{ret['number']}").json()["id"] == ret["id"]

    # Another customer's or another tenant's return is absent, never forbidden.
    other_customer = as_role(client, keys, "other_customer").get(f"/returns/{ret['number']}")
    assert other_customer.status_code == 404
    assert other_customer.headers["content-type"].startswith("application/problem+json")
    slug = f"t-{secrets.token_hex(5)}"
    create_tenant(container.db, container.clock, slug, "Other shop")
    stranger = Api(client, create_key(container.db, container.clock, slug, "admin"))
    assert stranger.get(f"/returns/{ret['number']}").status_code == 404
    assert stranger.get(f"/returns/{ret['id']}").status_code == 404
    assert admin.get("/returns/RMA-0000-0000").status_code == 404


def test_a_return_waiting_for_review_has_no_label_yet(admin, client, keys):
    shopper = as_role(client, keys, "customer")
    ret = filed(admin, shopper, "TV-1", sku="TV-55", unit_price=150000)
    assert ret["status"] == "pending_review"
    label = shopper.get(f"/returns/{ret['id']}/label")
    assert label.status_code == 409
    assert label.json()["detail"] == (
        f"return {ret['number']} is waiting for review; a label is issued once it is approved"
    )
