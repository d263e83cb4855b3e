"""Receiving through the API: scans matched by tracking number, RMA number and label payload;
blind receipts matched later; node-bound keys; partial, short and wrong-item parcels."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.integration.conftest import as_role
from tests.integration.floor_helpers import approved_return, container, inspect, network, receive

__all__ = ["container"]


def test_receive_by_tracking_number_marks_the_return_received_at_the_node(admin, client, keys):
    network(admin)
    ret = approved_return(admin, "F-1")
    label = admin.get(f"/returns/{ret['id']}/label", params={"format": "zpl"})
    assert label.status_code == 200, label.text
    tracking = label.headers["x-tracking-number"]
    warehouse = as_role(client, keys, "warehouse")
    r = receive(warehouse, f" {tracking.lower()} ")
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["matched"] is True and got["return_id"] == ret["id"] and got["kind"] == "matched"
    assert got["matched_by"] == "tracking_number" and got["return_status"] == "received"
    assert [ln["received_quantity"] for ln in got["lines"]] == [1]
    view = admin.get(f"/returns/{ret['id']}").json()
    assert view["status"] == "received"
    assert "return.received" in [e["action"] for e in view["timeline"]]
    again = receive(warehouse, tracking)
    assert again.status_code == 409 and again.json()["code"] == "already_received"


def test_receive_by_rma_number_or_label_payload(admin, client, keys):
    network(admin)
    first = approved_return(admin, "F-2")
    warehouse = as_role(client, keys, "warehouse")
    r = receive(warehouse, first["number"].lower().replace("-", " "))
    assert r.status_code == 201, r.text
    assert r.json()["matched_by"] == "rma_number" and r.json()["return_id"] == first["id"]
    second = approved_return(admin, "F-3")
    label = admin.get(f"/returns/{second['id']}/label", params={"format": "zpl"})
    payload = f"RF1:{second['number']}:{label.headers['x-tracking-number']}"
    r = receive(warehouse, payload)
    assert r.status_code == 201, r.text
    assert r.json()["matched_by"] == "label_payload" and r.json()["return_id"] == second["id"]


def test_blind_receipt_is_matched_later_keeping_its_arrival_time(admin, client, keys, clock):
    network(admin)
    ret = approved_return(admin, "F-4")
    warehouse = as_role(client, keys, "warehouse")
    arrived = clock.now
    blind = receive(warehouse, "UNKNOWN-LABEL-77")
    assert blind.status_code == 201, blind.text
    assert blind.json()["matched"] is False and blind.json()["kind"] == "blind"
    assert admin.get(f"/returns/{ret['id']}").json()["status"] == "approved"
    listed = warehouse.get("/receipts").json()["items"]
    assert [b["id"] for b in listed] == [blind.json()["id"]]
    clock.now += timedelta(hours=3)
    matched = warehouse.post(f"/receipts/{blind.json()['id']}/match", {"scan": ret["number"]})
    assert matched.status_code == 200, matched.text
    got = matched.json()
    assert got["matched"] is True and got["return_id"] == ret["id"] and got["kind"] == "matched"
    assert datetime.fromisoformat(got["received_at"]) == arrived
    assert datetime.fromisoformat(got["matched_at"]) == arrived + timedelta(hours=3)
    assert admin.get(f"/returns/{ret['id']}").json()["status"] == "received"
    assert warehouse.get("/receipts").json()["items"] == []
    twice = warehouse.post(f"/receipts/{blind.json()['id']}/match", {"scan": ret["number"]})
    assert twice.status_code == 409 and twice.json()["code"] == "already_matched"
    # Dwell is measured from the parcel's arrival, not from when it was matched.
    insp = inspect(warehouse, ret, grade="A")
    assert insp.status_code == 201, insp.text
    assert insp.json()["inspection"]["dwell_seconds"] == 3 * 3600


def test_a_key_bound_to_another_node_cannot_receive_or_see_that_nodes_parcels(admin, client, keys):
    network(admin)
    ret = approved_return(admin, "F-5")
    warehouse = as_role(client, keys, "warehouse")  # bound to DC1
    refused = receive(warehouse, ret["number"], node="DC2")
    assert refused.status_code == 403 and refused.json()["code"] == "wrong_node"
    assert admin.get(f"/returns/{ret['id']}").json()["status"] == "approved"
    at_dc2 = receive(admin, ret["number"], node="DC2")
    assert at_dc2.status_code == 201, at_dc2.text
    assert warehouse.get(f"/receipts/{at_dc2.json()['id']}").status_code == 404
    hidden = inspect(warehouse, ret)
    assert hidden.status_code == 404
    photo = warehouse.client.post(
        f"/v1/returns/{ret['id']}/lines/{ret['lines'][0]['id']}/photos",
        headers=warehouse.headers,
        files={"file": ("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 10, "image/png")},
    )
    assert photo.status_code == 404
    customer = as_role(client, keys, "customer")
    assert receive(customer, ret["number"]).status_code == 403
    unknown = receive(admin, ret["number"], node="NOPE")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "node_code"


def test_partial_then_rest_short_and_wrong_item_parcels_are_recorded(admin, client, keys):
    network(admin)
    warehouse = as_role(client, keys, "warehouse")
    two = approved_return(admin, "F-6", [("SKU-1", 1, 5900), ("COAT-1", 2, 9900)])
    coat_line = two["lines"][1]["id"]
    first = receive(
        warehouse, two["number"], lines=[{"return_line_id": two["lines"][0]["id"], "quantity": 1}]
    )
    assert first.status_code == 201, first.text
    assert first.json()["kind"] == "partial" and first.json()["return_status"] == "received"
    rest = receive(warehouse, two["number"], lines=[{"return_line_id": coat_line, "quantity": 1}])
    assert rest.status_code == 201, rest.text
    assert rest.json()["kind"] == "short"
    assert rest.json()["lines"] == [
        {
            "return_line_id": coat_line,
            "sku": "COAT-1",
            "expected_quantity": 2,
            "received_quantity": 1,
            "kind": "short",
        }
    ]
    last = receive(warehouse, two["number"])
    assert last.status_code == 201 and last.json()["kind"] == "matched"
    assert [(ln["return_line_id"], ln["received_quantity"]) for ln in last.json()["lines"]] == [
        (coat_line, 1)
    ]
    too_many = approved_return(admin, "F-7")
    bad = receive(
        warehouse, too_many["number"], lines=[{"return_line_id": too_many["lines"][0]["id"], "quantity": 5}]
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "quantity_exceeded"
    wrong = receive(
        warehouse,
        too_many["number"],
        lines=[{"return_line_id": too_many["lines"][0]["id"], "sku": "COAT-1", "quantity": 1}],
    )
    assert wrong.status_code == 201, wrong.text
    assert wrong.json()["kind"] == "wrong_item" and wrong.json()["lines"][0]["sku"] == "COAT-1"
    insp = inspect(warehouse, too_many, grade="C")
    assert insp.status_code == 201, insp.text
    assert "wrong_item" in insp.json()["inspection"]["flags"]
