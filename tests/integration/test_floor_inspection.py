"""Inspection and disposition through the API: weight and serial checks, hazmat, grade F,
overrides audited, checklists and photos, the `inspected` credit, transit-damage claims."""

from __future__ import annotations

from tests.integration.conftest import as_role
from tests.integration.floor_helpers import approved_return, container, inspect, network, receive

__all__ = ["container"]


def _received(admin, warehouse, number, items=None, serials=None):
    ret = approved_return(admin, number, items, serials)
    r = receive(warehouse, ret["number"])
    assert r.status_code == 201, r.text
    return ret


def _alternatives(result):
    return {a["path"]: a for a in result["disposition"]["alternatives"]}


def test_inspection_flags_a_weight_mismatch_and_quarantines_the_unit(admin, client, keys):
    network(admin)
    warehouse = as_role(client, keys, "warehouse")
    ret = _received(admin, warehouse, "I-1", [("PHONE-1", 1, 59900)])
    r = inspect(warehouse, ret, grade="A", weight_grams=60)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["inspection"]["weight_check"]["direction"] == "light"
    assert got["inspection"]["weight_check"]["expected_grams"] == 400
    assert "weight_mismatch" in got["inspection"]["flags"]
    assert got["disposition"]["path"] == "quarantine"
    assert got["grade"] == "A" and got["status"] == "inspected"
    view = admin.get(f"/returns/{ret['id']}").json()
    assert view["lines"][0]["grade"] == "A"
    assert view["lines"][0]["disposition"]["path"] == "quarantine"


def test_a_serial_mismatch_is_quarantined_and_flagged_for_fraud_review(admin, client, keys):
    network(admin)
    warehouse = as_role(client, keys, "warehouse")
    ret = _received(admin, warehouse, "I-2", [("PHONE-1", 1, 59900)], serials=["SN-0001"])
    r = inspect(warehouse, ret, grade="A", serial="SN-9999", weight_grams=400)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["inspection"]["serial_check"]["unexpected"] == ["SN-9999"]
    assert {"serial_mismatch"} <= set(got["inspection"]["flags"])
    assert got["disposition"]["path"] == "quarantine"
    assert "fraud_review" in got["disposition"]["flags"]
    restock = _alternatives(got)["restock"]
    assert not restock["allowed"] and "fraud_review" in [e["code"] for e in restock["excluded"]]
    ok = _received(admin, warehouse, "I-3", [("PHONE-1", 1, 59900)], serials=["SN-0002"])
    fine = inspect(warehouse, ok, grade="A", serial="sn-0002", weight_grams=410)
    assert fine.status_code == 201, fine.text
    assert fine.json()["inspection"]["serial_check"]["ok"] is True
    assert fine.json()["disposition"]["path"] == "restock"
    assert fine.json()["disposition"]["expected_recovery"] > 0


def test_hazmat_goes_only_to_a_certified_handler(admin, client, keys):
    network(admin)
    warehouse = as_role(client, keys, "warehouse")
    ret = _received(admin, warehouse, "I-4", [("BATT-1", 1, 4900)])
    r = inspect(warehouse, ret, grade="D")
    assert r.status_code == 201, r.text
    got = r.json()
    alternatives = _alternatives(got)
    for a in alternatives.values():
        if a["allowed"] and a["path"] != "quarantine":
            assert a["node_code"] == "HAZ1", a
    assert "hazmat_handler" in [e["code"] for e in alternatives["liquidate"]["excluded"]]
    assert got["disposition"]["node_code"] in ("HAZ1", "DC1")


def test_grade_f_is_never_resold(admin, client, keys):
    network(admin)
    warehouse = as_role(client, keys, "warehouse")
    ret = _received(admin, warehouse, "I-5", [("COAT-1", 1, 12900)])
    r = inspect(warehouse, ret, grade="F")
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["disposition"]["path"] in ("recycle", "dispose", "quarantine")
    alternatives = _alternatives(got)
    for path in ("restock", "open_box", "liquidate", "donate"):
        assert not alternatives[path]["allowed"]
        assert "grade_f" in [e["code"] for e in alternatives[path]["excluded"]]


def test_a_specialist_override_is_audited_and_moves_the_stock(admin, client, keys):
    network(admin)
    warehouse = as_role(client, keys, "warehouse")
    specialist = as_role(client, keys, "specialist")
    ret = _received(admin, warehouse, "I-6", [("COAT-1", 1, 12900)])
    got = inspect(warehouse, ret, grade="B").json()
    assert got["disposition"]["path"] == "open_box"
    path = f"/returns/{ret['id']}/lines/{ret['lines'][0]['id']}/disposition/override"
    assert warehouse.post(path, {"path": "liquidate", "reason": "overstock"}).status_code == 403
    no_reason = specialist.post(path, {"path": "liquidate", "reason": "  "})
    assert no_reason.status_code == 422
    excluded = specialist.post(path, {"path": "restock", "reason": "looks new"})
    assert excluded.status_code == 422 and excluded.json()["code"] == "path_not_allowed"
    r = specialist.post(path, {"path": "liquidate", "reason": "season over: clear the lot"})
    assert r.status_code == 200, r.text
    over = r.json()
    assert over["path"] == "liquidate" and over["overridden"] is True
    assert over["recommended"]["path"] == "open_box"
    assert over["override"]["reason"] == "season over: clear the lot"
    timeline = admin.get(f"/returns/{ret['id']}").json()["timeline"]
    audit = next(e for e in timeline if e["action"] == "disposition.overridden")
    assert audit["data"]["reason"] == "season over: clear the lot"
    assert audit["data"]["from"]["path"] == "open_box" and audit["data"]["to"]["path"] == "liquidate"
    stock = admin.get("/inventory", params={"node": "DC1", "sku": "COAT-1"}).json()["items"]
    assert stock[0]["buckets"]["open_box"] == 0 and stock[0]["buckets"]["liquidation"] == 1
    line = admin.get(f"/returns/{ret['id']}").json()["lines"][0]
    assert line["disposition"]["path"] == "liquidate" and line["disposition"]["overridden"] is True


def test_checklist_answers_cap_the_grade_and_required_photos_are_enforced(admin, client, keys):
    network(admin)
    warehouse = as_role(client, keys, "warehouse")
    ret = _received(admin, warehouse, "I-7", [("COAT-1", 1, 12900)])
    asked = warehouse.get(f"/returns/{ret['id']}/lines/{ret['lines'][0]['id']}/checklist").json()
    assert asked["checklist_category"] == "apparel"
    assert [p["code"] for p in asked["photos"] if not p["taken"]] == ["front", "label"]
    assert asked["weight"] == {"expected_grams": 1200, "allowed_grams": 180}
    answers = {"tags_attached": True, "unworn": False, "no_stains": True, "no_tears": True}
    missing_photos = inspect(warehouse, ret, grade="C", checklist=answers)
    assert missing_photos.status_code == 422
    assert {e["field"] for e in missing_photos.json()["errors"]} == {"photos.front", "photos.label"}
    line_id = ret["lines"][0]["id"]
    for code in ("front", "label"):
        up = warehouse.client.post(
            f"/v1/returns/{ret['id']}/lines/{line_id}/photos",
            headers=warehouse.headers,
            files={"file": (f"{code}.jpg", b"\xff\xd8\xff\xe0" + b"1" * 500, "image/jpeg")},
            data={"code": code},
        )
        assert up.status_code == 201, up.text
    too_high = inspect(warehouse, ret, grade="B", checklist=answers)
    assert too_high.status_code == 422 and too_high.json()["errors"][0]["code"] == "grade_too_high"
    r = inspect(warehouse, ret, grade="C", checklist=answers)
    assert r.status_code == 201, r.text
    assert r.json()["inspection"]["max_grade"] == "C"
    assert [i["code"] for i in r.json()["inspection"]["items"] if not i["passed"]] == ["unworn"]
    again = inspect(warehouse, ret, grade="C", checklist=answers)
    assert again.status_code == 409 and again.json()["code"] == "already_inspected"


def _inspected_trigger_with_grade_deductions(container, slug):
    from returnflow.adapters.policy_document import default_policy_text
    from returnflow.services.access import system_actor
    from returnflow.services.policies import save_policy
    from returnflow.services.tenants import tenant_by_slug

    text = default_policy_text().replace(
        "  low: immediate\n  medium: first_scan\n  high: inspected\n",
        "  low: inspected\n  medium: inspected\n  high: inspected\n",
    )
    text += "\ngrade_deductions: {C: 10, D: 40}\n"
    tid = tenant_by_slug(container.db, slug).id
    save_policy(container.db, container.clock, system_actor(tid, "test"), text)
    return tid


def test_the_inspected_credit_fires_once_when_every_line_is_inspected(
    admin, client, keys, container, tenant_slug
):
    from returnflow.services import credits
    from returnflow.services.access import system_actor

    tid = _inspected_trigger_with_grade_deductions(container, tenant_slug)
    network(admin)
    warehouse = as_role(client, keys, "warehouse")
    ret = _received(admin, warehouse, "I-8", [("SKU-1", 1, 5900), ("COAT-1", 1, 12900)])
    assert ret["credit_trigger"] == "inspected"
    assert admin.get(f"/returns/{ret['id']}/credits").json() == []
    first = inspect(warehouse, ret, 0, grade="A")
    assert first.status_code == 201 and first.json()["return_status"] == "received"
    assert admin.get(f"/returns/{ret['id']}/credits").json() == []
    second = inspect(warehouse, ret, 1, grade="C")
    assert second.status_code == 201, second.text
    assert second.json()["return_status"] == "inspected"
    by_kind = {c["kind"]: c for c in admin.get(f"/returns/{ret['id']}/credits").json()}
    assert set(by_kind) == {"refund", "fee"} and by_kind["refund"]["trigger"] == "inspected"
    assert by_kind["fee"]["amount"] == 595 + 1290  # return shipping + 10 % of the grade-C coat
    assert by_kind["refund"]["amount"] == 5900 + 12900 - 595 - 1290
    view = admin.get(f"/returns/{ret['id']}").json()
    assert view["status"] == "inspected"
    assert [(d["code"], d["grade"], d["amount"]) for d in view["decision"]["deductions"]] == [
        ("grade", "C", 1290)
    ]
    again = credits.fire(container.db, container.clock, system_actor(tid, "test"), ret["id"], "inspected")
    assert again == []
    assert len(admin.get(f"/returns/{ret['id']}/credits").json()) == 2
    actions = [e["action"] for e in view["timeline"]]
    assert actions.count("credit.issued") == 1 and actions.count("return.inspected") == 1


def test_units_never_received_are_not_credited(admin, client, keys, container, tenant_slug):
    _inspected_trigger_with_grade_deductions(container, tenant_slug)
    network(admin)
    warehouse = as_role(client, keys, "warehouse")
    ret = approved_return(admin, "I-9", [("COAT-1", 2, 12900)])
    line_id = ret["lines"][0]["id"]
    r = receive(warehouse, ret["number"], lines=[{"return_line_id": line_id, "quantity": 1}])
    assert r.status_code == 201 and r.json()["kind"] == "short"
    got = inspect(warehouse, ret, grade="A")
    assert got.status_code == 201 and got.json()["return_status"] == "inspected"
    assert got.json()["received_quantity"] == 1
    by_kind = {c["kind"]: c["amount"] for c in admin.get(f"/returns/{ret['id']}/credits").json()}
    assert by_kind["refund"] == 12900 - 595
    deductions = admin.get(f"/returns/{ret['id']}").json()["decision"]["deductions"]
    assert [(d["code"], d["units"], d["amount"]) for d in deductions] == [("not_received", 1, 12900)]


def test_transit_damage_opens_a_carrier_claim_with_evidence(admin, client, keys):
    network(admin)
    warehouse = as_role(client, keys, "warehouse")
    finance = as_role(client, keys, "finance")
    ret = approved_return(admin, "I-10", [("PHONE-1", 1, 59900)])
    label = admin.get(f"/returns/{ret['id']}/label", params={"format": "zpl"})
    assert receive(warehouse, label.headers["x-tracking-number"]).status_code == 201
    line_id = ret["lines"][0]["id"]
    photo = warehouse.client.post(
        f"/v1/returns/{ret['id']}/lines/{line_id}/photos",
        headers=warehouse.headers,
        files={"file": ("crack.png", b"\x89PNG\r\n\x1a\n" + b"2" * 300, "image/png")},
        data={"code": "front"},
    )
    assert photo.status_code == 201, photo.text
    r = inspect(warehouse, ret, grade="C", weight_grams=395, transit_damage=True, notes="box crushed")
    assert r.status_code == 201, r.text
    claim = r.json()["claim"]
    assert claim["status"] == "opened" and claim["currency"] == "USD"
    assert claim["tracking_number"] == label.headers["x-tracking-number"]
    assert claim["amount"] == 59900 - max(r.json()["disposition"]["expected_recovery"], 0)
    assert claim["evidence"]["photos"][0]["sha256"] == photo.json()["sha256"]
    assert claim["evidence"]["weights"]["measured_grams"] == 395
    assert "transit_damage" in claim["evidence"]["flags"]
    assert [c["id"] for c in finance.get("/claims").json()["items"]] == [claim["id"]]
    assert warehouse.post(f"/claims/{claim['id']}/status", {"status": "submitted"}).status_code == 403
    sub = finance.post(
        f"/claims/{claim['id']}/status", {"status": "submitted", "carrier_reference": "UPS-77"}
    )
    assert sub.status_code == 200 and sub.json()["status"] == "submitted"
    unpaid = finance.post(f"/claims/{claim['id']}/status", {"status": "paid"})
    assert unpaid.status_code == 422
    paid = finance.post(f"/claims/{claim['id']}/status", {"status": "paid", "paid_amount": 40000})
    assert paid.status_code == 200 and paid.json()["paid_amount"] == 40000
    assert [h["status"] for h in paid.json()["history"]] == ["opened", "submitted", "paid"]
    back = finance.post(f"/claims/{claim['id']}/status", {"status": "denied"})
    assert back.status_code == 409


def test_a_tenant_checklist_is_validated_and_used(admin, client, keys):
    network(admin)
    warehouse = as_role(client, keys, "warehouse")
    assert admin.get("/floor/checklists").json()["version"] == 0
    bad = admin.put("/floor/checklists", {"document": "weight_tolerance: {percent: 5}\ncategories: {}\n"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "categories.other"
    assert warehouse.put("/floor/checklists", {"document": "x: 1"}).status_code == 403
    doc = (
        "weight_tolerance: {percent: 5, min_grams: 10}\n"
        "categories:\n"
        "  other:\n"
        "    questions:\n"
        "      - {code: lid_closes, prompt: Lid closes, fail_grade: D}\n"
    )
    saved = admin.put("/floor/checklists", {"document": doc})
    assert saved.status_code == 200 and saved.json()["version"] == 1
    ret = _received(admin, warehouse, "I-11", [("SKU-1", 1, 5900)])
    unknown = inspect(warehouse, ret, grade="A", checklist={"tags_attached": True})
    assert unknown.status_code == 422
    assert {e["code"] for e in unknown.json()["errors"]} == {"unknown_question", "required"}
    r = inspect(warehouse, ret, grade="D", checklist={"lid_closes": False}, weight_grams=700)
    assert r.status_code == 201, r.text
    assert r.json()["inspection"]["max_grade"] == "D"
    # 5 % of the sweater's 450 g is 22 g: 700 g is out of the tenant's tolerance.
    assert "weight_mismatch" in r.json()["inspection"]["flags"]
