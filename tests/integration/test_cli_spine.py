"""The spine's CLI as an operator runs it: order imports, the audit check, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from returnflow.bootstrap import Container
from returnflow.entrypoints.cli import app
from returnflow.services import catalog
from returnflow.services.access import system_actor
from returnflow.services.inputs import ProductInput
from returnflow.services.tenants import tenant_by_slug
from tests.builders import product

HEADER = (
    "order_number,channel,currency,placed_at,delivered_at,customer_email,customer_name,"
    "postal_code,country,sku,quantity,unit_price,list_price,final_sale,serials\n"
)


@pytest.fixture
def shop(container: Container, tenant_slug: str) -> str:
    """The test tenant with one product."""
    tenant = tenant_by_slug(container.db, tenant_slug)
    actor = system_actor(tenant.id, "test")
    body = ProductInput.model_validate(product())
    catalog.upsert_product(container.db, container.clock, actor, "SKU-1", body)
    return tenant_slug


def _order_count(container: Container, slug: str) -> int:
    tenant = tenant_by_slug(container.db, slug)
    with container.db.engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM orders WHERE tenant_id = :t"), {"t": tenant.id})
        return int(count.scalar_one())


def test_csv_import_with_bad_rows_is_rejected_whole_naming_each_row(
    cli: CliRunner, container: Container, shop: str, tmp_path: Path
) -> None:
    rows = [
        "A-1,web,USD,2026-03-01T10:00:00+00:00,,ada@example.com,Ada,10001,US,SKU-1,1,2500,,,\n",
        "A-2,web,USD,2026-03-01T10:00:00+00:00,,bob@example.com,Bob,10001,US,SKU-1,-3,2500,,,\n",
        "A-3,web,USD,not-a-date,,cy@example.com,Cy,10001,US,SKU-1,1,2500,,,\n",
    ]
    bad = tmp_path / "orders.csv"
    bad.write_text(HEADER + "".join(rows), encoding="utf-8")
    result = cli.invoke(app, ["import", "orders", str(bad), "--tenant", shop])
    assert result.exit_code == 1
    assert "row 3" in result.output and "row 4" in result.output
    assert "row 2" not in result.output
    assert _order_count(container, shop) == 0  # the good row was not applied either

    good = tmp_path / "good.csv"
    good.write_text(HEADER + rows[0], encoding="utf-8")
    result = cli.invoke(app, ["import", "orders", str(good), "--tenant", shop])
    assert result.exit_code == 0, result.output
    assert _order_count(container, shop) == 1


def test_audit_verify_names_the_first_tampered_entry(cli: CliRunner, container: Container, shop: str) -> None:
    ok = cli.invoke(app, ["audit", "verify", "--tenant", shop])
    assert ok.exit_code == 0, ok.output
    assert "chain intact" in ok.output

    tenant = tenant_by_slug(container.db, shop)
    with container.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_log SET actor = 'mallory' WHERE tenant_id = :t AND seq = 2"), {"t": tenant.id}
        )
    bad = cli.invoke(app, ["audit", "verify", "--tenant", shop])
    assert bad.exit_code == 1
    assert "TAMPERED" in bad.output and "#2" in bad.output
