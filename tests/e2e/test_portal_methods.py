"""The portal in a real browser: pick a return method by its fee, download the label, scan it, follow it."""

from __future__ import annotations

import io
import re
import socket
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from aiosmtpd.controller import Controller
from PIL import Image
from playwright.sync_api import Page, expect

from returnflow.adapters.email.smtp import SmtpMailer
from returnflow.adapters.email.templates import JinjaTemplates
from returnflow.bootstrap import Container
from returnflow.demo.nodes import generate_nodes
from returnflow.domain.tracking import CarrierEvent, TrackingStatus
from returnflow.services import catalog, notifications, orders, relay, returns, tracking
from returnflow.services.access import system_actor
from returnflow.services.inputs import NodeInput, OrderInput, ProductInput
from tests.builders import line, order, product
from tests.e2e.conftest import NOW, PLACED, Live, Shop, file_return
from tests.e2e.test_portal import find_order
from tests.e2e.test_portal import line as order_line

pytestmark = pytest.mark.e2e


class Inbox:
    """An SMTP handler that keeps every message it is sent."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(envelope.content)  # type: ignore[attr-defined]
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def with_network(c: Container, shop: Shop) -> Shop:
    """The demo return network loaded into the shop, so approved returns are routed and get methods."""
    admin = system_actor(shop.tenant_id, "tests")
    for body in generate_nodes():
        code = body.pop("code")
        catalog.upsert_node(c.db, c.clock, admin, code, NodeInput.model_validate(body))
    return shop


def add_order(c: Container, shop: Shop, number: str, sku: str, email: str = "ada@example.com") -> None:
    """One more order of the shop (its line id kept in `shop.lines` under the SKU)."""
    customer = {"email": email, "name": email.split("@")[0], "postal_code": "10001", "country": "US"}
    body = order(number, [line(sku, unit_price=4900)], placed=PLACED, customer=customer)
    created = orders.create_order(
        c.db, c.clock, system_actor(shop.tenant_id, "tests"), OrderInput.model_validate(body)
    )
    shop.lines[sku] = created["lines"][0]["id"]


def request_sweater_return(page: Page, shop: Shop) -> str:
    """Find order A-1001 and ask to return one sweater for a refund; the RMA number shown."""
    find_order(page, shop)
    sweater = order_line(page, "SWEATER-M")
    sweater.get_by_label("Quantity").fill("1")
    sweater.get_by_label("Reason").select_option(label="Too small")
    page.get_by_label("Refund").check()
    page.get_by_role("button", name="Request return").click()
    expect(page.get_by_test_id("status")).to_have_text("Approved")
    return page.get_by_test_id("rma").inner_text()


def barcodes(image: Image.Image) -> dict[str, str]:
    """Barcode format -> text for every symbol zxing-cpp finds in the image."""
    return {symbol.format.name: symbol.text for symbol in zxingcpp.read_barcodes(image)}


def pdf_barcodes(pdf: bytes) -> dict[str, str]:
    """The barcodes on the label's first page, rasterised at 300 dpi as a printer would."""
    return barcodes(pdfium.PdfDocument(pdf)[0].render(scale=300 / 72).to_pil())


def download(page: Page, link_name: str) -> bytes:
    """Click a download link and return the file the browser saved."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    saved = info.value.path()
    return Path(saved).read_bytes()


def deliver_updates(c: Container) -> list[bytes]:
    """Run the worker's relay and email sending once, through a real local SMTP server."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        mailer = SmtpMailer("127.0.0.1", controller.port, "returns@shop.example")
        while relay.fan_out(c.db, c.clock):
            pass
        while notifications.send_due(c.db, c.clock, mailer, JinjaTemplates()):
            pass
    finally:
        controller.stop()
    return inbox.messages


def test_pick_printed_label_drop_off_download_scan_and_follow_it(page: Page, live: Live, shop: Shop) -> None:
    c = live.container
    with_network(c, shop)
    rma = request_sweater_return(page, shop)

    methods = page.get_by_role("group", name="How will you send it back?")
    for title in ("Box-free drop-off", "Drop-off with a printed label", "Carrier pickup", "Return in store"):
        option = methods.locator("p.check", has=page.get_by_label(title))
        expect(option.get_by_test_id("fee")).to_have_text("$5.95 return fee")
    expect(page.locator('li[data-method="keep_it"]')).to_contain_text("Keep it")
    expect(methods.get_by_label("Keep it")).to_have_count(0)

    # Keyboard only: focus the option, Space picks it, Tab to the button, Enter sends the form.
    methods.get_by_label("Drop-off with a printed label").focus()
    page.keyboard.press("Space")
    expect(methods.get_by_label("Drop-off with a printed label")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Use this method")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text("Your return label is ready: download it below.")
    expect(page.get_by_test_id("chosen-method")).to_have_text("Drop-off with a printed label")
    tracking_number = page.get_by_test_id("tracking-number").inner_text()
    return_id = page.url.split("/returns/")[1].split("?")[0]
    stored = returns.get_return(c.db, system_actor(shop.tenant_id, "tests"), return_id)
    assert stored["tracking_number"] == tracking_number and stored["method"] == "drop_off"

    pdf = download(page, "Download the label (PDF, 4×6 in)")
    assert pdf.startswith(b"%PDF")
    assert pdf_barcodes(pdf)["Code128"] == tracking_number
    zpl = download(page, "Download the label for thermal printers (ZPL)")
    assert zpl.startswith(b"^XA") and f"^FD{tracking_number}^FS".encode() in zpl

    qr = page.get_by_role("img", name=f"QR code of return {rma}, tracking number {tracking_number}")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    # What the shopper's screen shows is what a drop-off scanner reads.
    shown = Image.open(io.BytesIO(qr.screenshot()))
    assert barcodes(shown)["QRCode"] == f"RF1:{rma}:{tracking_number}"

    # The carrier scans the parcel; the worker sends the emails and writes the customer timeline.
    scan = CarrierEvent(
        provider="generic",
        event_id=f"scan-{tracking_number}",
        tracking_number=tracking_number,
        carrier="ReturnFlow Ground",
        status=TrackingStatus.PICKED_UP,
        raw_status="picked_up",
        substatus=None,
        occurred_at=NOW,
        location="New York, NY",
    )
    tracking.import_scans(c.db, c.clock, system_actor(shop.tenant_id, "carrier"), [scan])
    sent = deliver_updates(c)
    assert any(f"Your return {rma} is approved".encode() in m and b"ada@example.com" in m for m in sent)

    page.reload()
    expect(page.get_by_test_id("status")).to_have_text("On its way back")
    updates = page.get_by_role("region", name="Updates")
    for entry in (
        "Return approved",
        f"Email sent: Your return {rma} is approved",
        "Return label ready",
        "On its way back",
    ):
        expect(updates.get_by_role("listitem").filter(has_text=entry).first).to_be_visible()
    # The label can be printed again once the parcel travels; the method is settled.
    expect(page.get_by_role("link", name="Download the label (PDF, 4×6 in)")).to_be_visible()
    expect(page.get_by_role("button", name="Use this method")).to_have_count(0)


def test_a_method_the_return_does_not_qualify_for_is_refused_on_the_page(
    page: Page, live: Live, shop: Shop
) -> None:
    c = live.container
    with_network(c, shop)
    admin = system_actor(shop.tenant_id, "tests")
    body = product(name="Power Bank", category="electronics", hazmat_class="lithium_ion")
    catalog.upsert_product(c.db, c.clock, admin, "BATT-1", ProductInput.model_validate(body))
    add_order(c, shop, "C-3003", "BATT-1")
    ret = file_return(c, shop, "C-3003", "BATT-1")
    assert ret["status"] == "approved"

    find_order(page, shop, number="C-3003")
    page.get_by_role("link", name=ret["number"]).click()
    not_offered = page.locator('li[data-method="drop_off_qr"]')
    expect(not_offered).to_contain_text("Dangerous goods must be packed as instructed")
    expect(page.get_by_label("Box-free drop-off")).to_have_count(0)

    # A form changed in the browser (or an outdated page) still cannot choose it.
    page.get_by_label("Drop-off with a printed label").evaluate("radio => { radio.value = 'drop_off_qr'; }")
    page.get_by_label("Drop-off with a printed label").check()
    page.get_by_role("button", name="Use this method").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This return does not qualify for box-free drop-off.")
    expect(alert).to_contain_text("Dangerous goods must be packed as instructed")
    expect(alert).to_be_focused()
    again = returns.get_return(c.db, admin, ret["id"])
    assert again["method"] is None and again["tracking_number"] is None
    expect(page.get_by_role("link", name=re.compile("Download the label"))).to_have_count(0)


def test_another_shoppers_label_is_not_found(page: Page, live: Live, shop: Shop) -> None:
    c = live.container
    with_network(c, shop)
    ada = file_return(c, shop, "A-1001", "SWEATER-M")
    add_order(c, shop, "D-4004", "SWEATER-M", email="bob@example.com")

    find_order(page, shop, number="D-4004", email="bob@example.com")
    expect(page.get_by_role("heading", name="Order D-4004")).to_be_visible()
    base = f"/portal/{shop.slug}/returns/{ada['id']}"
    for fmt in ("pdf", "zpl", "qr"):
        response = page.request.get(f"{base}/label/{fmt}")
        assert response.status == 404, fmt
        assert "We could not find this return." in response.text()
    page.goto(base)
    expect(page.get_by_text("We could not find this return.")).to_be_visible()
    untouched = returns.get_return(c.db, system_actor(shop.tenant_id, "tests"), ada["id"])
    assert untouched["tracking_number"] is None  # looking did not issue Ada's label either
