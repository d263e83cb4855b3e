"""Inventory commands: check the balances table against the movement ledger.

Imported by `returnflow.entrypoints.cli` after its command groups exist; commands register on them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from returnflow.entrypoints.cli import CheckResult, app, container, fail, report_checks, run_domain

inventory_app = typer.Typer(no_args_is_help=True, help="Stock per node, SKU and condition bucket.")
app.add_typer(inventory_app, name="inventory")

__all__ = ["inventory_app"]


@inventory_app.command("verify")
@run_domain
def inventory_verify(
    tenant: Annotated[str | None, typer.Option("--tenant", help="tenant slug (default: all)")] = None,
) -> None:
    """Check that every stored balance equals the fold of the movements; exit 1 naming each difference."""
    from returnflow.services.inventory import verify

    reports = verify(container().db, [tenant] if tenant else None)
    if tenant and not reports:
        raise fail(f"no tenant '{tenant}'")
    report_checks(
        CheckResult(
            r.tenant_slug,
            r.ok,
            f"{r.rows} balances, equal to the movements",
            "MISMATCH",
            f"{len(r.mismatches)} balance(s)",
            r.mismatches,
        )
        for r in reports
    )
