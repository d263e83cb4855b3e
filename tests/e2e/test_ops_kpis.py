"""The ops console's KPI page in a real browser: the figures, the reason Pareto, periods and roles."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from returnflow.entrypoints.amounts import money
from returnflow.services.tenants import create_key
from tests.e2e.conftest import Live, Shop, file_return
from tests.e2e.test_ops_reports import sign_in

pytestmark = pytest.mark.e2e


def test_a_specialist_reads_the_periods_kpis_and_why_customers_return(
    page: Page, shop: Shop, live: Live
) -> None:
    c = live.container
    sweaters = file_return(c, shop, "A-1001", "SWEATER-M", quantity=2, reason="size_too_small")
    tv = file_return(c, shop, "B-2002", "TV-55", reason="defective")
    assert (sweaters["status"], tv["status"]) == ("approved", "pending_review")

    sign_in(page, shop.keys["specialist"])
    page.get_by_role("link", name="KPIs").click()
    expect(page.get_by_role("heading", name="Return KPIs")).to_be_visible()
    # The default period is the 30 days up to today (15 March on the test clock), both included.
    expect(page.get_by_label("From", exact=True)).to_have_value("2026-02-14")
    expect(page.get_by_label("To", exact=True)).to_have_value("2026-03-15")
    expect(page.get_by_test_id("returns")).to_have_text("2")
    expect(page.get_by_test_id("approval-rate")).to_have_text("100.0 %")  # the TV is not decided yet
    expect(page.get_by_test_id("return-rate")).to_have_text("75.0 % (3)")  # 3 of the 4 units sold
    expect(page.get_by_test_id("keep-it-share")).to_have_text("0.0 % (0)")
    expect(page.get_by_test_id("time-to-credit")).to_have_text("0.0 h · p90 0.0 h")  # credited on approval
    expect(page.get_by_test_id("time-to-receive")).to_have_text("—")
    refund = money(sweaters["decision"]["refund_total"], "USD")
    expect(page.get_by_test_id("refunded-USD")).to_have_text(refund)
    expect(page.get_by_test_id("recovery-USD")).to_have_text("—")  # nothing dispositioned yet

    chart = page.get_by_role("img", name="Units returned per reason, most first")
    bars = chart.locator("g.bar")
    expect(bars).to_have_count(2)
    expect(bars.nth(0)).to_contain_text("Too small")
    expect(bars.nth(0)).to_contain_text("2 units · 67 %")
    expect(bars.nth(1)).to_contain_text("Defective or doesn't work")
    expect(bars.nth(1)).to_contain_text("1 unit · 100 %")
    boxes = [bars.nth(i).locator("rect").bounding_box() for i in range(2)]
    assert all(b is not None for b in boxes)
    small, defective = (b["width"] for b in boxes if b is not None)
    assert round(defective / small, 2) == 0.5  # drawn to scale
    statuses = page.get_by_role("img", name="Returns per status").locator("g.bar")
    expect(statuses).to_have_count(2)
    expect(statuses.nth(0)).to_have_attribute("data-key", "pending_review")

    # Both ends are whole days: the day after the returns holds none of them.
    page.get_by_label("From", exact=True).fill("2026-03-16")
    page.get_by_label("To", exact=True).fill("2026-03-16")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("returns")).to_have_text("0")
    expect(page.get_by_test_id("return-rate")).to_have_text("— (0)")
    expect(page.get_by_test_id("no-reasons")).to_be_visible()
    page.get_by_label("From", exact=True).fill("2026-03-15")
    page.get_by_label("To", exact=True).fill("2026-03-15")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("returns")).to_have_text("2")

    response = page.goto("/ops/reports/kpis?from=2026-03-20&to=2026-03-01")
    assert response is not None and response.status == 422
    expect(page.get_by_role("alert")).to_contain_text("`to` (2026-03-01) is before `from` (2026-03-20)")
    response = page.goto("/ops/reports/kpis?from=2024-01-01&to=2026-03-01")
    assert response is not None and response.status == 422
    expect(page.get_by_role("alert")).to_contain_text("a period may span at most 366 days")


def test_warehouse_staff_have_no_kpi_page(page: Page, shop: Shop, live: Live) -> None:
    key = create_key(live.container.db, live.container.clock, shop.slug, "warehouse")
    sign_in(page, key)
    expect(page.get_by_role("link", name="Inventory")).to_be_visible()
    expect(page.get_by_role("link", name="KPIs")).to_have_count(0)
    response = page.goto("/ops/reports/kpis?from=nonsense")
    assert response is not None and response.status == 403  # the role is checked before the dates
    expect(page.get_by_role("alert")).to_contain_text("may not read analytics")
