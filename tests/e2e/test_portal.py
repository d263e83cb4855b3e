"""The customer portal in a real browser: find an order, request a return, see it refused or approved."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Shop

pytestmark = pytest.mark.e2e


def find_order(page: Page, shop: Shop, number: str = "A-1001", email: str = "ada@example.com") -> None:
    """Fill the lookup form with the keyboard only: Tab to the first field, type, Tab, type, Enter."""
    page.goto(f"/portal/{shop.slug}")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "order_number":
            break
    else:
        pytest.fail("the order number field cannot be reached with Tab")
    page.keyboard.type(number)
    page.keyboard.press("Tab")
    page.keyboard.type(email)
    page.keyboard.press("Enter")


def line(page: Page, sku: str) -> Locator:
    """The fieldset of one order line."""
    return page.locator(f'fieldset[data-sku="{sku}"]')


def test_request_a_return_and_see_it_approved(page: Page, shop: Shop) -> None:
    find_order(page, shop)
    expect(page.get_by_role("heading", name="Order A-1001")).to_be_visible()
    sweater = line(page, "SWEATER-M")
    expect(sweater.get_by_test_id("returnable")).to_have_text("2")
    sweater.get_by_label("Quantity").fill("1")
    sweater.get_by_label("Reason").select_option(label="Too small")
    expect(sweater.get_by_label("Return this item")).to_be_checked()  # ticked by the enhancement script
    page.get_by_label("Refund").check()
    page.get_by_role("button", name="Request return").click()

    expect(page.get_by_test_id("rma")).to_have_text(re.compile(r"^RMA-[0-9A-Z]{4}-[0-9A-Z]{4}$"))
    expect(page.get_by_test_id("status")).to_have_text("Approved")
    expect(page.get_by_test_id("refund-total")).to_have_text("$53.05")
    expect(page.get_by_text("Return shipping costs $5.95")).to_be_visible()

    page.get_by_role("link", name="Back to order A-1001").click()
    expect(line(page, "SWEATER-M").get_by_test_id("returnable")).to_have_text("1")
    expect(page.get_by_role("link", name=re.compile(r"^RMA-"))).to_be_visible()


def test_wrong_email_finds_nothing(page: Page, shop: Shop) -> None:
    find_order(page, shop, email="eve@example.com")
    expect(page.get_by_role("alert")).to_have_text("No order with that number and email.")
    expect(page.get_by_role("heading", name="Order A-1001")).to_have_count(0)


def test_policy_rejection_is_explained_on_the_form(page: Page, shop: Shop) -> None:
    find_order(page, shop)
    tee = line(page, "TEE-FINAL")
    tee.get_by_label("Return this item").check()
    tee.get_by_label("Reason").select_option("changed_mind")
    page.get_by_role("button", name="Request return").click()

    alert = page.locator("#form-errors")
    expect(alert).to_contain_text("We can't accept this return")
    expect(alert).to_contain_text("Final-sale items cannot be returned.")
    expect(line(page, "TEE-FINAL").locator(".field-errors")).to_have_text(
        "Final-sale items cannot be returned."
    )
    expect(line(page, "TEE-FINAL").get_by_label("Return this item")).to_be_checked()
    expect(page.get_by_test_id("rma")).to_have_count(0)
