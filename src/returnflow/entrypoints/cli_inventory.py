"""Inventory commands: check the balances table against the movement ledger.

Imported by `returnflow.entrypoints.cli` after its command groups exist; commands register on them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from returnflow.entrypoints.cli import app, container, err, fail, out, run_domain

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
    bad = False
    for r in reports:
        if r.ok:
            out.print(f"[green]ok[/] {r.tenant_slug}: {r.rows} balances, equal to the movements")
            continue
        bad = True
        err.print(f"[bold red]MISMATCH[/] {r.tenant_slug}: {len(r.mismatches)} balance(s)", highlight=False)
        for line in r.mismatches:
            err.print(f"  {line}", highlight=False, soft_wrap=True)
    if bad:
        raise typer.Exit(code=1)
