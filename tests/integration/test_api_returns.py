"""The return spine through the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.builders import line, order, return_request
from tests.integration.conftest import as_role

PLACED = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)


def _order(api, number="A-1", lines=None, **over):
    r = api.post("/orders", order(number, lines or [line(quantity=2)], placed=PLACED, **over))
    assert r.status_code == 201, r.text
    return r.json()


def test_approved_return_claims_units_and_is_listed(admin):
    o = _order(admin)
    lid = o["lines"][0]["id"]
    r = admin.post("/returns", return_request("A-1", lid, quantity=1))
    assert r.status_code == 201, r.text
    ret = r.json()
    assert ret["status"] == "approved"
    assert ret["number"].startswith("RMA-")
    assert ret["decision"]["eligible"] is True
    assert ret["decision"]["policy_version"] == 1
    assert ret["decision"]["currency"] == "USD"
    assert ret["decision"]["refund_total"] == 5900 - sum(f["amount"] for f in ret["decision"]["fees"])
    assert ret["risk"]["tier"] in ("low", "medium", "high")
    assert admin.get("/orders/A-1").json()["lines"][0]["returnable_quantity"] == 1
    listed = admin.get("/returns", params={"order_number": "A-1"}).json()
    assert [x["id"] for x in listed["items"]] == [ret["id"]]
    got = admin.get(f"/returns/{ret['id']}").json()
    assert got["timeline"][0]["action"] == "return.approved"


def test_a_return_reads_the_same_from_post_replay_and_get(admin):
    lid = _order(admin)["lines"][0]["id"]
    headers = {"Idempotency-Key": "same-form"}
    created = admin.post("/returns", return_request("A-1", lid, quantity=1), headers=headers).json()
    replayed = admin.post("/returns", return_request("A-1", lid, quantity=1), headers=headers).json()
    plain = admin.post("/returns", return_request("A-1", lid, quantity=1)).json()
    for ret in (created, plain):
        got = admin.get(f"/returns/{ret['id']}").json()
        assert got["created_at"].endswith("Z")
        assert (ret["created_at"], ret["updated_at"]) == (got["created_at"], got["updated_at"])
    assert replayed["created_at"] == created["created_at"]


def test_several_returns_never_exceed_what_was_bought(admin):
    lid = _order(admin)["lines"][0]["id"]
    assert admin.post("/returns", return_request("A-1", lid, quantity=2)).status_code == 201
    r = admin.post("/returns", return_request("A-1", lid, quantity=1))
    assert r.status_code == 422
    body = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "quantity_exceeded" in {e["code"] for e in body["errors"]}
    assert admin.get("/orders/A-1").json()["lines"][0]["returnable_quantity"] == 0


def test_cancel_gives_units_back_and_cannot_be_undone(admin):
    lid = _order(admin)["lines"][0]["id"]
    ret = admin.post("/returns", return_request("A-1", lid, quantity=2)).json()
    r = admin.post(f"/returns/{ret['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert admin.get("/orders/A-1").json()["lines"][0]["returnable_quantity"] == 2
    again = admin.post(f"/returns/{ret['id']}/approve")
    assert again.status_code == 409
    assert again.json()["code"] == "illegal_transition"


def test_policy_rejections_carry_codes_and_write_nothing(admin, clock):
    _order(admin, "OLD-1", delivered=PLACED + timedelta(days=2))
    o = admin.get("/orders/OLD-1").json()
    clock.now = PLACED + timedelta(days=120)
    r = admin.post("/returns", return_request("OLD-1", o["lines"][0]["id"]))
    assert r.status_code == 422
    assert "window_expired" in {e["code"] for e in r.json()["errors"]}
    assert admin.get("/returns", params={"order_number": "OLD-1"}).json()["items"] == []
    fs = _order(admin, "FS-1", [line(final_sale=True)])
    r = admin.post("/returns", return_request("FS-1", fs["lines"][0]["id"]))
    assert r.status_code == 422
    assert "not_returnable" in {e["code"] for e in r.json()["errors"]}


def test_bad_input_is_a_problem_naming_the_field(admin, client):
    lid = _order(admin)["lines"][0]["id"]
    cases = [
        (return_request("A-1", lid, quantity=-1), "lines[0].quantity"),
        (return_request("A-1", "orl_nope"), "lines[0].order_line_id"),
        (return_request("A-1", lid, reason="because"), "lines[0].reason"),
        ({**return_request("A-1", lid), "surprise": 1}, "surprise"),
        (return_request("A-1", lid, resolution="cash"), "resolution"),
    ]
    for body, field in cases:
        r = admin.post("/returns", body)
        assert r.status_code == 422, (body, r.text)
        assert field in {e["field"] for e in r.json()["errors"]}, r.json()
    r = client.post(
        "/v1/returns", content=b"{not json", headers={**admin.headers, "content-type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["code"] == "malformed_json"
    r = client.post(
        "/v1/orders", content=b"x" * 2_000_000, headers={**admin.headers, "content-type": "application/json"}
    )
    assert r.status_code == 413
    assert admin.get("/returns").json()["items"] == []


def test_orders_reject_unknown_skus_duplicates_and_currency_junk(admin):
    r = admin.post("/orders", order("B-1", [line(sku="NOPE")], placed=PLACED))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "unknown_sku"
    _order(admin, "B-2")
    r = admin.post("/orders", order("B-2", [line()], placed=PLACED))
    assert r.status_code == 409
    r = admin.post("/orders", order("B-3", [line()], placed=PLACED, currency="US"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "currency"
    assert admin.get("/orders/B-1").status_code == 404


def test_idempotency_key_replays_and_refuses_a_different_body(admin):
    lid = _order(admin)["lines"][0]["id"]
    headers = {"Idempotency-Key": "k-123"}
    first = admin.post("/returns", return_request("A-1", lid), headers=headers)
    second = admin.post("/returns", return_request("A-1", lid), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert second.headers.get("idempotent-replayed") == "true"
    assert admin.get("/orders/A-1").json()["lines"][0]["returnable_quantity"] == 1
    other = admin.post("/returns", return_request("A-1", lid, quantity=2), headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


def test_access_roles_customers_and_tenants(admin, client, keys, container):
    from returnflow.services.tenants import create_key, create_tenant

    lid = _order(admin)["lines"][0]["id"]
    ret = admin.post("/returns", return_request("A-1", lid)).json()
    assert client.get("/v1/returns").status_code == 401
    assert client.get("/v1/returns", headers={"Authorization": "Bearer rf_nope"}).status_code == 401
    customer = as_role(client, keys, "customer")
    assert customer.get(f"/returns/{ret['id']}").status_code == 200
    assert customer.put("/products/X", {"name": "x"}).status_code in (403, 422)
    assert customer.post(f"/returns/{ret['id']}/approve").status_code == 403
    other = as_role(client, keys, "other_customer")
    assert other.get(f"/returns/{ret['id']}").status_code == 404
    assert other.get("/orders/A-1").status_code == 404
    assert other.get("/returns").json()["items"] == []
    create_tenant(
        container.db,
        container.clock,
        f"x{keys['admin'][-6:].lower().replace('_', 'a').replace('-', 'b')}",
        "Other",
    )
    stranger_slug = f"x{keys['admin'][-6:].lower().replace('_', 'a').replace('-', 'b')}"
    stranger = as_role(client, {"k": create_key(container.db, container.clock, stranger_slug, "admin")}, "k")
    assert stranger.get(f"/returns/{ret['id']}").status_code == 404
    assert stranger.get("/orders/A-1").status_code == 404


def test_cursor_pagination_walks_every_return_once(admin):
    lines = [line(quantity=1) for _ in range(5)]
    o = _order(admin, "P-1", lines)
    ids = set()
    for ln in o["lines"]:
        ids.add(admin.post("/returns", return_request("P-1", ln["id"])).json()["id"])
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = admin.get("/returns", params=params).json()
        seen += [x["id"] for x in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    assert admin.get("/returns", params={"cursor": "!!"}).status_code == 422
    assert admin.get("/returns", params={"limit": 201}).status_code == 422


def test_openapi_documents_every_operation(client):
    doc = client.get("/openapi.json").json()
    post_returns = doc["paths"]["/v1/returns"]["post"]["responses"]
    assert {"201", "401", "403", "404", "409", "413", "422"} <= set(post_returns)
