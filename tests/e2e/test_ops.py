"""The ops console in a real browser: sign in with a key, find a return, approve it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Live, Shop, file_return

pytestmark = pytest.mark.e2e


def sign_in(page: Page, key: str) -> None:
    """Paste a key into the sign-in form."""
    page.goto("/ops")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def test_specialist_finds_and_approves_a_pending_return(page: Page, shop: Shop, live: Live) -> None:
    approved = file_return(live.container, shop, "A-1001", "SWEATER-M")
    pending = file_return(
        live.container, shop, "B-2002", "TV-55"
    )  # $1,500 TV: the high-value rule reviews it
    assert pending["status"] == "pending_review"

    sign_in(page, shop.keys["specialist"])
    expect(page.get_by_role("heading", name="Returns", exact=True)).to_be_visible()
    rows = page.locator("table.returns tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(f'tr[data-return="{approved["number"]}"]')).to_contain_text("$53.05")
    expect(page.locator("svg.chart")).to_contain_text("Pending review")

    page.get_by_label("Status", exact=True).select_option(label="Pending review")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(pending["number"])
    expect(rows.first).to_contain_text("Medium")

    page.get_by_role("link", name=pending["number"]).click()
    expect(page.get_by_test_id("status")).to_have_text("Pending review")
    expect(page.get_by_text("Items over $1,000 are reviewed by our team").first).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_have_text("Return approved.")
    expect(page.get_by_test_id("status")).to_have_text("Approved")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)

    page.get_by_role("link", name="All returns").click()
    page.get_by_label("Search", exact=True).fill(pending["number"])
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Approved")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("API key")).to_be_visible()


def test_customer_key_cannot_sign_in(page: Page, shop: Shop) -> None:
    sign_in(page, shop.keys["customer"])
    expect(page.get_by_role("alert")).to_contain_text("cannot sign in to the ops console")
    page.goto("/ops/returns")
    expect(page.get_by_label("API key")).to_be_visible()
