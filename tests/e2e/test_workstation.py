"""The returns-center workstation and the inventory page in a real browser, driven by the keyboard."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from returnflow.adapters.storage.local import LocalPhotoStore
from returnflow.services import catalog, floor_documents, inspection, labels, receiving, returns
from returnflow.services.access import system_actor
from returnflow.services.inputs import NodeInput
from returnflow.services.tenants import create_key
from tests.e2e.conftest import Live, Shop, file_return

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
# A checklist of the tenant's own: two quick questions for apparel, no photos required.
QUICK_CHECKLISTS = """
weight_tolerance: {percent: 15, min_grams: 50}
categories:
  apparel:
    questions:
      - {code: folded, prompt: "Folded in its bag", fail_grade: B}
      - {code: no_stains, prompt: "No stains", fail_grade: C}
  other:
    questions:
      - {code: complete, prompt: "Complete", fail_grade: C}
"""


def seed_floor(live: Live, shop: Shop, checklists: str | None = None) -> None:
    """A returns center that receives, inspects and restocks (and the tenant's checklists, if given)."""
    admin = system_actor(shop.tenant_id, "tests")
    body = {
        "kind": "return_center",
        "name": "Dallas Returns",
        "postal_code": "76177",
        "country": "US",
        "capabilities": ["receive", "inspect", "restock"],
        "handling_cost": 150,
    }
    catalog.upsert_node(live.container.db, live.container.clock, admin, "DC1", NodeInput.model_validate(body))
    if checklists:
        floor_documents.save_document(
            live.container.db, live.container.clock, admin, "checklists", checklists
        )


def labelled_return(
    live: Live, shop: Shop, order_number: str = "A-1001", sku: str = "SWEATER-M", **over: Any
) -> dict[str, Any]:
    """An approved return with its label printed (so it has a tracking number)."""
    c, admin = live.container, system_actor(shop.tenant_id, "tests")
    ret = file_return(c, shop, order_number, sku, **over)
    if ret["status"] == "pending_review":  # the $1,500 TV is reviewed first
        ret = returns.approve(c.db, c.clock, admin, ret["id"])
    assert ret["status"] == "approved", ret["status"]
    label = labels.label_for(c.db, c.clock, admin, ret["id"])
    return {**ret, "tracking_number": label.tracking_number}


def sign_in(page: Page, key: str) -> None:
    """Type the key into the sign-in form and press Enter."""
    page.goto("/ops")
    page.get_by_label("API key").focus()
    page.keyboard.type(key)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Returns", exact=True)).to_be_visible()


def scan_in(page: Page, text: str) -> None:
    """Type into the (focused) scan field and press Enter, as a barcode scanner does."""
    expect(page.get_by_label("Scan", exact=True)).to_be_focused()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def line_state(live: Live, shop: Shop, ret: dict[str, Any]) -> dict[str, Any]:
    """The return's first line as the floor services see it."""
    actor = system_actor(shop.tenant_id, "tests")
    return inspection.get_line(live.container.db, actor, ret["id"], ret["lines"][0]["id"])


def test_scan_checklist_grade_and_disposition_with_the_keyboard_alone(
    page: Page, shop: Shop, live: Live
) -> None:
    seed_floor(live, shop, QUICK_CHECKLISTS)
    ret = labelled_return(live, shop)
    sign_in(page, shop.keys["specialist"])
    page.goto("/ops/workstation")
    scan = page.get_by_label("Scan", exact=True)
    expect(page.get_by_role("heading", name="Workstation at DC1")).to_be_visible()

    scan_in(page, ret["tracking_number"])
    expect(page.get_by_role("heading", name=f"Return {ret['number']}")).to_be_visible()
    expect(page.get_by_test_id("return-status")).to_have_text("Received")
    expect(page.get_by_test_id("notice")).to_have_text("Everything on the return came.")
    expect(page.locator('tr[data-line="SWEATER-M"]')).to_contain_text("Merino Crew Sweater")
    folded = page.get_by_role("group", name="Folded in its bag")  # the tenant's own checklist
    expect(folded).to_be_visible()
    expect(scan).to_be_focused()

    scan_in(page, "P")  # every open check passes
    expect(folded.get_by_label("Pass")).to_be_checked()
    expect(page.get_by_role("group", name="No stains").get_by_label("Pass")).to_be_checked()
    expect(scan).to_be_focused()

    scan_in(page, "1")  # grade A, recorded
    expect(page.get_by_test_id("path")).to_have_text("Restock")
    expect(page.get_by_test_id("disposition-node")).to_have_text("DC1")
    expect(page.get_by_test_id("expected-recovery")).to_contain_text("$")
    expect(scan).to_be_focused()
    rows = page.locator("table.alternatives tbody tr")
    expect(rows).to_have_count(10)
    expect(page.locator('tr[data-path="restock"]')).to_contain_text("chosen")
    expect(page.locator('tr[data-path="refurbish"]')).to_contain_text("No: ")
    expect(page.get_by_role("alert")).to_have_count(0)
    state = line_state(live, shop, ret)
    assert state["status"] == "inspected" and state["grade"] == "A"
    assert state["inspection"]["answers"] == {"folded": True, "no_stains": True}
    assert state["disposition"]["path"] == "restock"

    # Enter on the empty scan field: every line is done, the next parcel can come.
    scan_in(page, "")
    expect(page.get_by_test_id("notice")).to_have_text(f"Every line of {ret['number']} is done.")
    expect(scan).to_be_focused()
    scan_in(page, ret["tracking_number"])  # the same parcel again is refused, in the page
    expect(page.get_by_role("alert")).to_contain_text(
        f"Return {ret['number']} is inspected; it cannot be received"
    )
    expect(scan).to_be_focused()

    # A specialist overrides with a reason, by keyboard: Tab to the form from the result page.
    page.goto(f"/ops/workstation/returns/{ret['id']}?line={ret['lines'][0]['id']}")
    page.get_by_label("Send the unit to").focus()
    page.keyboard.press("Tab")
    page.keyboard.type("outer carton crushed, sell as open box")
    page.get_by_label("Send the unit to").select_option("open_box")
    page.get_by_role("button", name="Override").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("path")).to_have_text("Open box")
    expect(page.get_by_test_id("notice")).to_contain_text("Disposition changed")
    expect(page.get_by_text("outer carton crushed, sell as open box")).to_be_visible()
    expect(scan).to_be_focused()


def test_the_inventory_page_shows_the_unit_in_its_bucket_and_charts_it(
    page: Page, shop: Shop, live: Live
) -> None:
    seed_floor(live, shop, QUICK_CHECKLISTS)
    ret = labelled_return(live, shop)
    sign_in(page, shop.keys["admin"])
    page.goto("/ops/inventory")
    expect(page.get_by_text("No units in stock.")).to_be_visible()

    page.goto("/ops/workstation")
    scan_in(page, ret["number"])  # the RMA number works as well as the tracking number
    expect(page.get_by_role("heading", name=f"Return {ret['number']}")).to_be_visible()
    scan_in(page, "P")
    expect(page.get_by_role("group", name="No stains").get_by_label("Pass")).to_be_checked()
    scan_in(page, "B")
    expect(page.get_by_test_id("path")).to_have_text("Open box")

    page.get_by_role("link", name="Inventory").click()
    row = page.locator('table.inventory tr[data-node="DC1"][data-sku="SWEATER-M"]')
    expect(row.locator('td[data-bucket="open_box"]')).to_have_text("1")
    expect(row.locator('td[data-bucket="sellable"]')).to_have_text("0")
    chart = page.locator("svg.chart.buckets")
    expect(chart).to_be_visible()
    expect(chart.locator('g[data-bucket="open_box"]')).to_have_attribute("data-units", "1")
    expect(chart).to_contain_text("Open box")
    width = chart.locator('g[data-bucket="open_box"] rect').get_attribute("width")
    assert width is not None and int(width) > 0

    page.get_by_label("SKU").fill("TV-55")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No balances match this filter.")).to_be_visible()
    page.get_by_label("SKU").fill("SWEATER-M")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.inventory tbody tr")).to_have_count(1)
    href = page.get_by_role("link", name="Download CSV").get_attribute("href")
    assert href == "/ops/inventory/export?sku=SWEATER-M"
    export = page.request.get(href)
    assert export.ok and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text())))
    assert [(r["node_code"], r["sku"], r["open_box"], r["total"]) for r in rows] == [
        ("DC1", "SWEATER-M", "1", "1")
    ]


def test_a_non_image_upload_is_refused_and_nothing_is_recorded(
    page: Page, shop: Shop, live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live.container, "photo_store", LocalPhotoStore(tmp_path / "photos"))
    seed_floor(live, shop)  # the default checklists: apparel needs a front and a label photo
    ret = labelled_return(live, shop)
    sign_in(page, shop.keys["specialist"])
    page.goto("/ops/workstation")
    scan = page.get_by_label("Scan", exact=True)
    scan_in(page, ret["tracking_number"])
    expect(page.get_by_label("Front of the garment")).to_have_attribute(
        "accept", "image/jpeg,image/png,image/webp"
    )
    scan_in(page, "P")
    page.get_by_label("Front of the garment").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"this is not a photo"}
    )
    page.get_by_label("Care / size label").set_input_files(
        {"name": "label.png", "mimeType": "image/png", "buffer": PNG}
    )
    expect(scan).to_be_focused()
    scan_in(page, "1")

    alert = page.locator("#ws-alert")
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("Nothing was recorded.")
    expect(alert).to_contain_text("Front of the garment (notes.txt): the file is not an image")
    expect(page.get_by_test_id("path")).to_have_count(0)
    expect(scan).to_be_focused()
    state = line_state(live, shop, ret)
    assert state["status"] == "received" and state["inspection"] is None and state["photos"] == []
    assert not list((tmp_path / "photos").rglob("*.png"))
    # The answers were kept; with real photos the same keystrokes record the inspection.
    expect(page.get_by_role("group", name="Original tags attached").get_by_label("Pass")).to_be_checked()
    page.get_by_label("Front of the garment").set_input_files(
        {"name": "front.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_label("Care / size label").set_input_files(
        {"name": "label.png", "mimeType": "image/png", "buffer": PNG}
    )
    scan_in(page, "1")
    expect(page.get_by_test_id("path")).to_have_text("Restock")
    state = line_state(live, shop, ret)
    assert sorted(p["code"] for p in state["photos"]) == ["front", "label"]
    assert len(list((tmp_path / "photos").rglob("*.png"))) == 2


def test_too_large_photo_and_mismatch_flags_are_alerts(
    page: Page, shop: Shop, live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = live.container.settings.model_copy(update={"max_photo_bytes": 1000})
    monkeypatch.setattr(live.container, "settings", small)
    monkeypatch.setattr(live.container, "photo_store", LocalPhotoStore(tmp_path / "photos"))
    seed_floor(live, shop)
    ret = labelled_return(live, shop, "B-2002", "TV-55")
    sign_in(page, shop.keys["specialist"])
    page.goto("/ops/workstation")
    scan = page.get_by_label("Scan", exact=True)
    scan_in(page, ret["tracking_number"])
    page.get_by_label("Front with screen on").set_input_files(
        {"name": "huge.png", "mimeType": "image/png", "buffer": PNG + b"\x00" * 2000}
    )
    alert = page.locator("#ws-client-alert")
    expect(alert).to_be_visible()
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("huge.png is 2,208 bytes; a photo may be at most 1,000 bytes")
    expect(scan).to_be_focused()

    # Graded alone (no photos): a scanned serial that the order never sold, and a light parcel.
    page.goto(f"/ops/workstation/returns/{ret['id']}")
    scan_in(page, "SN-FAKE")  # lands in the serial field
    expect(page.get_by_label("Serial", exact=True)).to_have_value("SN-FAKE")
    page.get_by_label("Weight (grams)").focus()
    page.keyboard.type("900")
    scan.focus()
    scan_in(page, "P")
    for code in ("front", "serial_label"):
        page.locator(f"#photo-{code}").set_input_files(
            {"name": f"{code}.png", "mimeType": "image/png", "buffer": PNG}
        )
    scan_in(page, "1")
    alerts = page.get_by_test_id("qc-alerts")
    expect(alerts).to_have_attribute("role", "alert")
    expect(alerts).to_contain_text("Serial mismatch: scanned SN-FAKE, but this order sold serial SN-1.")
    expect(alerts).to_contain_text("Weight mismatch: measured 900 g, expected 18,000 g")
    expect(page.get_by_test_id("path")).to_have_text("Quarantine")
    expect(scan).to_be_focused()


def test_an_unknown_scan_records_a_blind_receipt(page: Page, shop: Shop, live: Live) -> None:
    seed_floor(live, shop)
    c = live.container
    warehouse = create_key(c.db, c.clock, shop.slug, "warehouse", node_code="DC1")
    sign_in(page, warehouse)
    page.goto("/ops/workstation?node=ELSEWHERE")
    expect(page.get_by_text("(your key works here)")).to_be_visible()  # the key's node is fixed
    expect(page.get_by_label("Node")).to_have_count(0)
    scan = page.get_by_label("Scan", exact=True)
    scan_in(page, "1Z999AA10123456784")
    blind = page.get_by_test_id("blind")
    expect(blind).to_contain_text("Unknown parcel — blind receipt recorded.")
    expect(blind).to_contain_text("1Z999AA10123456784")
    expect(page.get_by_role("heading", name="Unmatched parcels at DC1")).to_be_visible()
    expect(page.get_by_role("cell", name="1Z999AA10123456784")).to_be_visible()
    expect(scan).to_be_focused()
    waiting = receiving.blind_receipts(live.container.db, system_actor(shop.tenant_id), "DC1")
    assert [(b["scan"], b["kind"], b["node_code"]) for b in waiting] == [
        ("1Z999AA10123456784", "blind", "DC1")
    ]


def test_a_short_parcel_is_counted_before_it_is_received(page: Page, shop: Shop, live: Live) -> None:
    seed_floor(live, shop, QUICK_CHECKLISTS)
    ret = labelled_return(live, shop, quantity=2)
    sign_in(page, shop.keys["specialist"])
    page.goto("/ops/workstation")
    scan = page.get_by_label("Scan", exact=True)
    page.get_by_label("Count the items first (partial, short or wrong item)").focus()
    page.keyboard.press("Space")
    scan.focus()
    scan_in(page, ret["tracking_number"])
    expect(page.get_by_role("heading", name="What came in this parcel")).to_be_visible()
    expect(scan).to_have_value(ret["tracking_number"])
    assert line_state(live, shop, ret)["received_quantity"] == 0  # nothing recorded before the count
    units = page.get_by_label("Units that came")
    expect(units).to_have_value("2")
    units.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("notice")).to_have_text(
        "Fewer units came than the return names (short-shipped)."
    )
    expect(page.locator('tr[data-line="SWEATER-M"] td').nth(1)).to_have_text("1")
    expect(scan).to_be_focused()
    assert line_state(live, shop, ret)["received_quantity"] == 1


def test_without_javascript_the_commands_and_the_photo_limit_work_on_the_server(
    browser: Browser, shop: Shop, live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = live.container.settings.model_copy(update={"max_photo_bytes": 1000})
    monkeypatch.setattr(live.container, "settings", small)
    monkeypatch.setattr(live.container, "photo_store", LocalPhotoStore(tmp_path / "photos"))
    seed_floor(live, shop)
    ret = labelled_return(live, shop)
    context = browser.new_context(base_url=live.url, java_script_enabled=False)
    context.set_default_timeout(5000)
    page = context.new_page()
    try:
        sign_in(page, shop.keys["admin"])
        page.goto("/ops/workstation")
        scan = page.get_by_label("Scan", exact=True)
        scan_in(page, ret["tracking_number"])
        expect(page.get_by_role("heading", name=f"Return {ret['number']}")).to_be_visible()
        scan_in(page, "pass")
        expect(page.get_by_test_id("notice")).to_have_text("Every open check is marked as passed.")
        expect(
            page.get_by_role("group", name="No stains or discoloration").get_by_label("Pass")
        ).to_be_checked()
        expect(scan).to_be_focused()
        page.get_by_label("Front of the garment").set_input_files(
            {"name": "big.png", "mimeType": "image/png", "buffer": PNG + b"\x00" * 2000}
        )
        page.get_by_label("Care / size label").set_input_files(
            {"name": "label.png", "mimeType": "image/png", "buffer": PNG}
        )
        scan.focus()
        scan_in(page, "A")
        alert = page.locator("#ws-alert")
        expect(alert).to_have_attribute("role", "alert")
        expect(alert).to_contain_text(
            "Front of the garment (big.png): the photo is 2,208 bytes; the limit is 1,000 bytes"
        )
        expect(scan).to_be_focused()
        state = line_state(live, shop, ret)
        assert state["inspection"] is None and state["photos"] == []
    finally:
        context.close()
