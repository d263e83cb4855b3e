"""Finance commands: ledger verification, balances, refund-instruction export and execution.

Imported by `returnflow.entrypoints.cli` after its command groups exist; commands register on them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from returnflow.entrypoints.cli import CheckResult, app, container, fail, out, report_checks, run_domain

ledger_app = typer.Typer(no_args_is_help=True, help="The double-entry ledger of credits.")
export_app = typer.Typer(no_args_is_help=True, help="Exports for other systems (CSV).")
app.add_typer(ledger_app, name="ledger")
app.add_typer(export_app, name="export")

__all__ = ["export_app", "ledger_app"]


@ledger_app.command("verify")
@run_domain
def ledger_verify(
    tenant: Annotated[str | None, typer.Option("--tenant", help="tenant slug (default: all)")] = None,
) -> None:
    """Check that every entry balances and no order is over-credited; exit 1 naming the violation."""
    from returnflow.services.ledger import verify

    reports = verify(container().db, [tenant] if tenant else None)
    if tenant and not reports:
        raise fail(f"no tenant '{tenant}'")
    report_checks(
        CheckResult(
            r.tenant_slug,
            r.ok,
            f"{r.entries} entries, {r.postings} postings, balanced",
            "VIOLATION",
            r.violations[0] if r.violations else "",
            r.violations[1:],
        )
        for r in reports
    )


@ledger_app.command("balances")
@run_domain
def ledger_balances(tenant: Annotated[str, typer.Option("--tenant", help="tenant slug")] = "demo") -> None:
    """Debits, credits and balance of each account (minor units, on the account's normal side)."""
    from returnflow.services.access import system_actor
    from returnflow.services.ledger import account_balances
    from returnflow.services.tenants import tenant_by_slug

    c = container()
    t = tenant_by_slug(c.db, tenant)
    rows = account_balances(c.db, system_actor(t.id, "ledger"))
    if not rows:
        out.print(f"{t.slug}: the ledger is empty")
    for b in rows:
        out.print(
            f"{b['account']:<26} {b['currency']} debits {b['debits']:>12} credits {b['credits']:>12} "
            f"balance {b['balance']:>12} ({b['type']})",
            highlight=False,
        )


@ledger_app.command("execute-refunds")
@run_domain
def ledger_execute_refunds(
    tenant: Annotated[str, typer.Option("--tenant", help="tenant slug")] = "demo",
) -> None:
    """Hand pending refund instructions to the built-in gateway (the worker does this too)."""
    from returnflow.adapters.payments.builtin import BuiltinGateway
    from returnflow.services.access import system_actor
    from returnflow.services.refunds import execute_refunds
    from returnflow.services.tenants import tenant_by_slug

    c = container()
    t = tenant_by_slug(c.db, tenant)
    n = execute_refunds(c.db, c.clock, system_actor(t.id, "refunds"), BuiltinGateway())
    out.print(f"{n} refund(s) instructed for {t.slug}")


@export_app.command("refunds")
@run_domain
def export_refunds(
    tenant: Annotated[str, typer.Option("--tenant", help="tenant slug")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="write the CSV here (default: stdout)")
    ] = None,
) -> None:
    """Export the tenant's refund instructions as CSV."""
    from returnflow.adapters.payments.builtin import instructions_csv
    from returnflow.services.access import system_actor
    from returnflow.services.refunds import export_rows
    from returnflow.services.tenants import tenant_by_slug

    c = container()
    t = tenant_by_slug(c.db, tenant)
    text = instructions_csv(export_rows(c.db, system_actor(t.id, "export")))
    if out_file is None:
        sys.stdout.write(text)
    else:
        out_file.write_text(text, encoding="utf-8")
        out.print(f"wrote {max(text.count(chr(10)) - 1, 0)} refund instruction(s) to {out_file}")
