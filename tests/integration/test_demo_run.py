"""`returnflow demo` plays a season through the real services: requests, then labels, carrier scans,
receipts and inspections — and leaves a ledger, an audit chain and inventory that verify."""

from __future__ import annotations

import io
import secrets

from rich.console import Console

from returnflow.bootstrap import Container
from returnflow.entrypoints.demo_run import run_demo
from returnflow.services import audit, inventory, ledger, returns
from returnflow.services.access import system_actor
from returnflow.services.tenants import tenant_by_slug


def test_a_demo_season_reaches_the_returns_center_and_everything_verifies(container: Container) -> None:
    slug = f"demo-{secrets.token_hex(4)}"
    out = io.StringIO()
    run_demo(container, Console(file=out, width=120), tenant=slug, seed=7, orders=200, issue_keys=False)
    actor = system_actor(tenant_by_slug(container.db, slug).id, "tests")

    counts = returns.status_counts(container.db, actor)
    # Approved returns went on: some are still on their way, most were received and inspected (a
    # return whose every line is inspected is inspected or completed, by its disposition).
    assert counts.get("completed", 0) + counts.get("inspected", 0) > counts.get("approved", 0)
    assert sum(counts.get(s, 0) for s in ("in_transit", "delivered", "received", "approved")) > 0
    printed = out.getvalue()
    assert "inspected" in printed
    # The season's KPIs close the summary, from the same service as GET /v1/analytics/kpis.
    assert "Return rate" in printed and "Time to receive" in printed

    stock, _ = inventory.balances(container.db, actor, limit=500)
    assert stock  # inspected units landed in their buckets
    assert [r.ok for r in inventory.verify(container.db, [slug])] == [True]
    assert [r.violations for r in ledger.verify(container.db, [slug])] == [[]]
    [chain] = audit.verify(container.db, [slug])
    assert chain.first_break is None and chain.entries > 0
