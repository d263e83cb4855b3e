"""Failed deliveries through the API: shipments, cases opened by carrier webhooks, their actions."""

from __future__ import annotations

import secrets
from typing import Any

from returnflow.services.tenants import tenant_by_slug
from tests.builders import line, order
from tests.integration.conftest import as_role
from tests.integration.tracking_helpers import (
    PLACED,
    configure_secret,
    generic_body,
    post_webhook,
    scan,
    sign,
)

ADDRESS = {"line1": "12 Elm St", "city": "Springfield", "postal_code": "62704", "country": "us"}


def _shipment(admin: Any, quantity: int = 2, unit_price: int = 5900, **over: Any) -> dict[str, Any]:
    number = f"S-{secrets.token_hex(3)}"
    o = admin.post("/orders", order(number, [line(quantity=quantity, unit_price=unit_price)], placed=PLACED))
    assert o.status_code == 201, o.text
    body = {"order_number": number, "tracking_number": f"1z-{secrets.token_hex(5)}", "carrier": "ups", **over}
    r = admin.post("/shipments", body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _scan(client: Any, slug: str, event_id: str, number: str, status: str, at: str, **extra: Any) -> Any:
    body = generic_body(scan(event_id, number, status, at, **extra))
    r = post_webhook(client, slug, "generic", body, sign("generic", body))
    assert r.status_code == 200, r.text
    return r.json()


def _open_cases(admin: Any, shipment_id: str) -> list[dict[str, Any]]:
    items = admin.get("/delivery-cases", params={"status": "open"}).json()["items"]
    return [c for c in items if c["shipment"]["id"] == shipment_id]


def _topics(container: Any, slug: str) -> list[str]:
    with container.db.uow(tenant_by_slug(container.db, slug).id, readonly=True) as uow:
        return [m.topic for m in uow.records.events(limit=1000)]


def test_shipment_registration_validates_and_refuses_a_second_copy(admin, client, keys):
    shipment = _shipment(admin)
    assert shipment["status"] == "active" and shipment["tracking_number"].startswith("1Z")
    again = admin.post(
        "/shipments",
        {"order_number": shipment["order_number"], "tracking_number": shipment["tracking_number"]},
    )
    assert again.status_code == 409 and again.json()["code"] == "shipment_exists"
    unknown = admin.post("/shipments", {"order_number": "NOPE", "tracking_number": "1Z1"})
    assert unknown.status_code == 404
    bad = admin.post("/shipments", {"order_number": shipment["order_number"], "tracking_number": "1Z 9/9"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "tracking_number"
    customer = as_role(client, keys, "customer")
    assert customer.get("/delivery-cases").status_code == 403
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/shipments", "/v1/delivery-cases", "/v1/delivery-cases/{case_id}/actions"} <= set(paths)


def test_an_exception_opens_one_case_and_a_reattempt_resolves_it(admin, client, container, tenant_slug):
    configure_secret(container, tenant_slug, "generic")
    shipment = _shipment(admin)
    number = shipment["tracking_number"]
    _scan(client, tenant_slug, "o-1", number, "in_transit", "2026-03-10T08:00:00Z")
    assert _open_cases(admin, shipment["id"]) == []
    _scan(
        client, tenant_slug, "o-2", number, "exception", "2026-03-11T08:00:00Z", message="addressee not home"
    )
    _scan(
        client, tenant_slug, "o-2", number, "exception", "2026-03-11T08:00:00Z", message="addressee not home"
    )
    _scan(client, tenant_slug, "o-3", number, "failure", "2026-03-12T08:00:00Z", location="Reno, NV")
    cases = _open_cases(admin, shipment["id"])
    assert len(cases) == 1  # one open case per shipment; a re-sent event counts once
    case = cases[0]
    assert (case["status"], case["reason"], case["events"]) == ("open", "failure", 2)
    assert "Reno, NV" in case["note"]
    assert admin.get(f"/shipments/{shipment['id']}").json()["status"] == "exception"
    r = admin.post(f"/delivery-cases/{case['id']}/actions", {"action": "reattempt", "note": "call first"})
    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["status"], done["action"], done["shipment"]["status"]) == ("resolved", "reattempt", "active")
    again = admin.post(f"/delivery-cases/{case['id']}/actions", {"action": "reattempt"})
    assert again.status_code == 409 and again.json()["code"] == "case_closed"
    # The next failure is new trouble: a new case.
    _scan(client, tenant_slug, "o-4", number, "exception", "2026-03-13T08:00:00Z")
    assert [c["id"] != case["id"] for c in _open_cases(admin, shipment["id"])] == [True]
    topics = _topics(container, tenant_slug)
    assert topics.count("delivery_case.opened") == 2 and topics.count("delivery_case.resolved") == 1
    assert topics.count("shipment.registered") == 1


def test_an_address_correction_needs_the_address_and_keeps_it(admin, client, container, tenant_slug):
    configure_secret(container, tenant_slug, "generic")
    shipment = _shipment(admin)
    _scan(client, tenant_slug, "a-1", shipment["tracking_number"], "exception", "2026-03-11T08:00:00Z")
    case = _open_cases(admin, shipment["id"])[0]
    path = f"/delivery-cases/{case['id']}/actions"
    missing = admin.post(path, {"action": "address_correction"})
    assert missing.status_code == 422
    r = admin.post(path, {"action": "address_correction", "address": ADDRESS})
    assert r.status_code == 200, r.text
    assert r.json()["action_details"]["address"]["country"] == "US"
    got = admin.get(f"/shipments/{shipment['id']}").json()
    assert got["address"]["line1"] == "12 Elm St" and got["status"] == "active"
    assert [c["action"] for c in got["cases"]] == ["address_correction"]


def test_return_to_origin_creates_a_failed_delivery_return_credited_in_full_when_back(
    admin, client, container, tenant_slug
):
    configure_secret(container, tenant_slug, "generic")
    shipment = _shipment(admin, quantity=2, unit_price=5900)
    number = shipment["tracking_number"]
    _scan(client, tenant_slug, "r-0", number, "in_transit", "2026-03-10T08:00:00Z")
    _scan(client, tenant_slug, "r-1", number, "returned_to_sender", "2026-03-11T08:00:00Z")
    case = _open_cases(admin, shipment["id"])[0]
    assert case["reason"] == "returned_to_sender"
    r = admin.post(f"/delivery-cases/{case['id']}/actions", {"action": "return_to_origin"})
    assert r.status_code == 200, r.text
    resolved = r.json()
    assert resolved["shipment"]["status"] == "returning" and resolved["return_id"]
    ret = admin.get(f"/returns/{resolved['return_id']}").json()
    assert (ret["type"], ret["status"], ret["resolution"]) == ("failed_delivery", "approved", "refund")
    assert ret["tracking_number"] == number and ret["order_number"] == shipment["order_number"]
    assert sum(ln["quantity"] for ln in ret["lines"]) == 2
    assert ret["decision"]["fees"] == [] and ret["decision"]["refund_total"] == 2 * 5900
    order_lines = admin.get(f"/orders/{shipment['order_number']}").json()["lines"]
    assert order_lines[0]["returnable_quantity"] == 0
    # The outbound scans are the parcel's history: they do not move the new return.
    assert admin.get(f"/returns/{ret['id']}/credits").json() == []
    # More trouble on the way back opens no new case; the delivery back credits the full price.
    _scan(client, tenant_slug, "r-2", number, "exception", "2026-03-12T08:00:00Z")
    assert _open_cases(admin, shipment["id"]) == []
    _scan(client, tenant_slug, "r-3", number, "delivered", "2026-03-14T08:00:00Z")
    assert admin.get(f"/returns/{ret['id']}").json()["status"] == "delivered"
    credits = admin.get(f"/returns/{ret['id']}/credits").json()
    assert [(c["kind"], c["amount"]) for c in credits] == [("refund", 2 * 5900)]
    topics = _topics(container, tenant_slug)
    assert topics.count("return.failed_delivery") == 1 and topics.count("credit.issued") == 1
    assert "return.approved" not in topics  # no "ship your return" email for a parcel the carrier brings


def test_return_to_origin_may_choose_store_credit_and_refuses_when_nothing_is_left(
    admin, client, container, tenant_slug
):
    configure_secret(container, tenant_slug, "generic")
    first = _shipment(admin, quantity=1)
    _scan(client, tenant_slug, "s-1", first["tracking_number"], "failure", "2026-03-11T08:00:00Z")
    case = _open_cases(admin, first["id"])[0]
    body = {"action": "return_to_origin", "resolution": "store_credit"}
    r = admin.post(f"/delivery-cases/{case['id']}/actions", body)
    assert r.status_code == 200, r.text
    assert admin.get(f"/returns/{r.json()['return_id']}").json()["resolution"] == "store_credit"
    # A second parcel of the same, now fully returned, order has nothing left to bring back.
    second = admin.post(
        "/shipments", {"order_number": first["order_number"], "tracking_number": f"9R{secrets.token_hex(5)}"}
    ).json()
    _scan(client, tenant_slug, "s-2", second["tracking_number"], "exception", "2026-03-12T08:00:00Z")
    case2 = _open_cases(admin, second["id"])[0]
    refused = admin.post(f"/delivery-cases/{case2['id']}/actions", {"action": "return_to_origin"})
    assert refused.status_code == 409 and refused.json()["code"] == "nothing_returnable"
    assert _open_cases(admin, second["id"]) != []  # nothing changed


def test_exceptions_of_unknown_parcels_open_no_case(admin, client, container, tenant_slug):
    configure_secret(container, tenant_slug, "generic")
    before = len(admin.get("/delivery-cases").json()["items"])
    result = _scan(client, tenant_slug, "u-1", "1ZUNKNOWN0001", "exception", "2026-03-11T08:00:00Z")
    assert result["unmatched"] == 1
    assert len(admin.get("/delivery-cases").json()["items"]) == before
