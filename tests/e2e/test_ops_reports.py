"""The ops console's keep-it report in a real browser: the figures, the chart, periods and roles."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from returnflow.adapters.policy_document import default_policy_text
from returnflow.bootstrap import Container
from returnflow.services import catalog, orders, returns
from returnflow.services.access import system_actor
from returnflow.services.inputs import OrderInput, ProductInput, ReturnInput
from returnflow.services.policies import save_policy
from returnflow.services.tenants import create_key
from tests.builders import line, order, product, return_request
from tests.e2e.conftest import PLACED, Live, Shop

pytestmark = pytest.mark.e2e


def allow_keep_it(c: Container, shop: Shop) -> None:
    """Keep-it for items under $40 that cost more to bring back ($9.00) than 20 % of their cost."""
    text = default_policy_text()
    for old, new in (
        ('max_item_value: "15.00"', 'max_item_value: "40.00"'),
        ('return_cost_estimate: "8.50"', 'return_cost_estimate: "9.00"'),
        ("recovery_percent: 35", "recovery_percent: 20"),
    ):
        assert old in text
        text = text.replace(old, new)
    save_policy(c.db, c.clock, system_actor(shop.tenant_id, "tests"), text)


def kept(c: Container, shop: Shop, number: str, email: str, sku: str, quantity: int, price: int) -> None:
    """An order by `email` returned in full; the policy resolves it as a keep-it."""
    actor = system_actor(shop.tenant_id, "tests")
    customer = {"email": email, "name": "Shopper", "postal_code": "10001", "country": "US"}
    body = order(number, [line(sku, quantity=quantity, unit_price=price)], placed=PLACED, customer=customer)
    created = orders.create_order(c.db, c.clock, actor, OrderInput.model_validate(body))
    request = return_request(number, created["lines"][0]["id"], quantity=quantity, reason="changed_mind")
    ret = returns.request_return(c.db, c.clock, actor, ReturnInput.model_validate(request))
    assert (ret["method"], ret["status"]) == ("keep_it", "completed")


def sign_in(page: Page, key: str) -> None:
    page.goto("/ops")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def test_finance_reads_the_keep_it_report_with_its_chart(page: Page, shop: Shop, live: Live) -> None:
    c = live.container
    allow_keep_it(c, shop)
    admin = system_actor(shop.tenant_id, "tests")
    for sku, body in {
        "SOCK-3": product(name="Wool socks", unit_cost=500, weight_grams=120),
        "MUG-1": product(name="Stoneware mug", category="home", unit_cost=700, weight_grams=400),
    }.items():
        catalog.upsert_product(c.db, c.clock, admin, sku, ProductInput.model_validate(body))
    # Socks: $9.00 avoided − $1.00 forgone; two mugs: $9.00 avoided − $2.80 forgone.
    kept(c, shop, "K-1", "k1@example.com", "SOCK-3", 1, 900)
    kept(c, shop, "K-2", "k2@example.com", "MUG-1", 2, 1250)

    sign_in(page, shop.keys["finance"])
    page.get_by_role("link", name="Keep-it report").click()
    expect(page.get_by_role("heading", name="Keep-it report")).to_be_visible()
    # The default period is the last 30 days up to today (15 March on the test clock).
    expect(page.get_by_label("From", exact=True)).to_have_value("2026-02-14")
    expect(page.get_by_label("To", exact=True)).to_have_value("2026-03-15")
    expect(page.get_by_test_id("kept-returns")).to_have_text("2")
    expect(page.get_by_test_id("kept-units")).to_have_text("3")
    expect(page.get_by_test_id("refund-value")).to_have_text("$34.00")
    expect(page.get_by_test_id("avoided")).to_have_text("$18.00")
    expect(page.get_by_test_id("forgone")).to_have_text("$3.80")
    expect(page.get_by_test_id("net-saving")).to_have_text("$14.20")

    chart = page.get_by_role("img", name="Net saving per category (USD)")
    expect(chart).to_be_visible()
    bars = chart.locator("g.bar")
    expect(bars).to_have_count(2)
    expect(bars.nth(0)).to_have_attribute("data-category", "apparel")
    expect(bars.nth(0)).to_contain_text("$8.00")
    expect(bars.nth(1)).to_contain_text("$6.20")
    widths = [bars.nth(i).locator("rect").bounding_box() for i in range(2)]
    assert all(w is not None for w in widths)
    apparel, home = (w["width"] for w in widths if w is not None)
    assert apparel > home > 0  # drawn, and to scale: $8.00 against $6.20
    assert round(home / apparel, 2) == round(620 / 800, 2)

    by_reason = page.locator('table[data-group="reason"] tbody tr')
    expect(by_reason).to_have_count(1)
    expect(by_reason.first).to_contain_text("Changed my mind")
    expect(page.locator('table[data-group="sku"] tbody tr').first).to_contain_text("Stoneware mug")

    page.get_by_label("From", exact=True).fill("2026-03-16")
    page.get_by_label("To", exact=True).fill("2026-03-20")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("no-keep-its")).to_have_text(
        "No keep-it returns from 2026-03-16 to 2026-03-20."
    )

    page.goto("/ops/reports/keep-it?from=2026-03-20&to=2026-03-01")
    expect(page.get_by_role("alert")).to_contain_text("`to` (2026-03-01) is before `from` (2026-03-20)")


def test_warehouse_staff_do_not_see_the_report(page: Page, shop: Shop, live: Live) -> None:
    key = create_key(live.container.db, live.container.clock, shop.slug, "warehouse")
    sign_in(page, key)
    expect(page.get_by_role("link", name="Inventory")).to_be_visible()
    expect(page.get_by_role("link", name="Keep-it report")).to_have_count(0)
    response = page.goto("/ops/reports/keep-it")
    assert response is not None and response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("may not read reports")
