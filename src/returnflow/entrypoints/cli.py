"""The `returnflow` command: database, tenants, keys, imports, policy tools, audit, demo, serve."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Annotated, NamedTuple, ParamSpec, TypeVar

import typer
from rich.console import Console

from returnflow.bootstrap import Container, bootstrap
from returnflow.domain.errors import DomainError

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(no_args_is_help=True, add_completion=False, help="ReturnFlow reverse-logistics platform.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
tenant_app = typer.Typer(no_args_is_help=True, help="Tenants (brands / merchants).")
key_app = typer.Typer(no_args_is_help=True, help="API keys.")
import_app = typer.Typer(no_args_is_help=True, help="Bulk imports (CSV / JSON).")
policy_app = typer.Typer(no_args_is_help=True, help="Return policies.")
audit_app = typer.Typer(no_args_is_help=True, help="The hash-chained audit log.")
for sub, name in (
    (db_app, "db"),
    (tenant_app, "tenant"),
    (key_app, "key"),
    (import_app, "import"),
    (policy_app, "policy"),
    (audit_app, "audit"),
):
    app.add_typer(sub, name=name)

out = Console()
err = Console(stderr=True)


def fail(message: str, problems: list[str] | None = None) -> typer.Exit:
    """Print a one-line error (plus details) to stderr and exit non-zero."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    for line in problems or []:
        err.print(f"  {line}", highlight=False)
    return typer.Exit(code=1)


def container(migrate: bool = False) -> Container:
    """The wired app for one CLI run."""
    return bootstrap(migrate=migrate)


class CheckResult(NamedTuple):
    """One tenant's outcome of a `verify` command, as printed."""

    tenant_slug: str
    ok: bool
    ok_text: str  # shown when nothing was found
    label: str  # the word that marks a finding, e.g. VIOLATION
    headline: str  # the first line of the findings
    details: Sequence[str]  # the lines under it


def report_checks(results: Iterable[CheckResult]) -> None:
    """Print each tenant's check (ok in green, findings on stderr); exit 1 if any failed."""
    bad = False
    for r in results:
        if r.ok:
            out.print(f"[green]ok[/] {r.tenant_slug}: {r.ok_text}")
            continue
        bad = True
        err.print(f"[bold red]{r.label}[/] {r.tenant_slug}: {r.headline}", highlight=False, soft_wrap=True)
        for line in r.details:
            err.print(f"  {line}", highlight=False, soft_wrap=True)
    if bad:
        raise typer.Exit(code=1)


def run_domain(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorator: domain errors become a clear message and exit 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except DomainError as e:
            raise fail(e.message, [f"{p.field}: {p.message} ({p.code})" for p in e.problems]) from None

    return wrapper


@db_app.command("upgrade")
@run_domain
def db_upgrade() -> None:
    """Create or migrate the database at RETURNFLOW_DATABASE_URL."""
    c = container(migrate=True)
    out.print(f"database at revision head ({c.db.engine.url.render_as_string(hide_password=True)})")


@tenant_app.command("create")
@run_domain
def tenant_create(slug: str, name: Annotated[str, typer.Option("--name", help="display name")]) -> None:
    """Create a tenant with the default policy."""
    from returnflow.services.tenants import create_tenant

    c = container()
    t = create_tenant(c.db, c.clock, slug, name)
    out.print(f"tenant {t.slug} created ({t.id})")


@key_app.command("create")
@run_domain
def key_create(
    tenant: Annotated[str, typer.Option("--tenant", help="tenant slug")],
    role: Annotated[str, typer.Option("--role", help="admin|specialist|warehouse|finance|partner|customer")],
    node: Annotated[
        str | None, typer.Option("--node", help="bind a warehouse/partner key to a node code")
    ] = None,
    customer: Annotated[
        str | None, typer.Option("--customer", help="bind a customer key to an email")
    ] = None,
) -> None:
    """Print a new API key, alone on stdout."""
    from returnflow.services.tenants import create_key

    c = container()
    sys.stdout.write(create_key(c.db, c.clock, tenant, role, node_code=node, customer_email=customer) + "\n")


@import_app.command("orders")
@run_domain
def import_orders(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    tenant: Annotated[str, typer.Option("--tenant", help="tenant slug")] = "demo",
) -> None:
    """Import orders from CSV (one row per line) or JSON; a bad row rejects the whole file."""
    from returnflow.adapters.order_files import read_orders
    from returnflow.services.access import system_actor
    from returnflow.services.orders import import_orders as run_import
    from returnflow.services.tenants import tenant_by_slug

    c = container()
    t = tenant_by_slug(c.db, tenant)
    parsed = read_orders(file)
    n = run_import(c.db, c.clock, system_actor(t.id, "import"), parsed.orders, parsed.labels)
    out.print(f"imported {n} order(s) into {t.slug}")


@policy_app.command("check")
@run_domain
def policy_check(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]) -> None:
    """Validate a policy document (YAML or JSON); list every problem."""
    from returnflow.services.policies import check_document

    policy = check_document(file.read_text(encoding="utf-8"))
    out.print(f"[green]ok[/]: policy '{policy.name}' is valid ({len(policy.rules)} rules)")


@policy_app.command("set")
@run_domain
def policy_set(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    tenant: Annotated[str, typer.Option("--tenant", help="tenant slug")] = "demo",
) -> None:
    """Save a policy document as the tenant's new version."""
    from returnflow.services.access import system_actor
    from returnflow.services.policies import save_policy
    from returnflow.services.tenants import tenant_by_slug

    c = container()
    t = tenant_by_slug(c.db, tenant)
    version = save_policy(c.db, c.clock, system_actor(t.id, "policy"), file.read_text(encoding="utf-8"))
    out.print(f"policy version {version} is now in force for {t.slug}")


@policy_app.command("explain")
@run_domain
def policy_explain(
    order_number: str,
    tenant: Annotated[str, typer.Option("--tenant", help="tenant slug")] = "demo",
    resolution: Annotated[str, typer.Option("--resolution")] = "refund",
) -> None:
    """Show what the policy in force would decide today for each line of an order."""
    from returnflow.services.access import system_actor
    from returnflow.services.returns import explain
    from returnflow.services.tenants import tenant_by_slug

    c = container()
    t = tenant_by_slug(c.db, tenant)
    for item in explain(c.db, c.clock, system_actor(t.id, "explain"), order_number, resolution):
        d = item["decision"]
        colour = {"approved": "green", "pending_review": "yellow", "rejected": "red"}[d.outcome]
        out.print(
            f"[bold]{item['sku']}[/] × {item['quantity']}: [{colour}]{d.outcome}[/] "
            f"(refund {d.refund_total} {d.currency} minor units, fees {d.fees_total}, "
            f"trigger {d.credit_trigger}, risk {item['risk'].tier}, policy v{d.policy_version})"
        )
        for r in d.reasons:
            out.print(f"   ✗ {r.code}: {r.message}")
        for hit in d.rules_fired:
            out.print(f"   • {hit.rule_id}: {hit.statement}")
        for fee in d.fees:
            out.print(f"   $ {fee.code} {fee.amount}: {fee.description}")


@audit_app.command("verify")
@run_domain
def audit_verify(
    tenant: Annotated[str | None, typer.Option("--tenant", help="tenant slug (default: all)")] = None,
) -> None:
    """Check the hash-chained audit log; exit 1 naming the first bad entry."""
    from returnflow.services.audit import verify

    c = container()
    reports = verify(c.db, [tenant] if tenant else None)
    if tenant and not reports:
        raise fail(f"no tenant '{tenant}'")
    bad = False
    for r in reports:
        if r.first_break is None:
            out.print(f"[green]ok[/] {r.tenant_slug}: {r.entries} entries, chain intact")
        else:
            bad = True
            err.print(
                f"[bold red]TAMPERED[/] {r.tenant_slug}: entry #{r.first_break.seq}: {r.first_break.problem} "
                f"({r.entries} entries verified before it)"
            )
    if bad:
        raise typer.Exit(code=1)


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option("--host")] = None,
    port: Annotated[int | None, typer.Option("--port")] = None,
    workers: Annotated[int | None, typer.Option("--workers")] = None,
) -> None:
    """Run the web app (API + pages)."""
    from returnflow.config import get_settings
    from returnflow.entrypoints.serving import serve as serve_app

    s = get_settings()
    serve_app(
        "returnflow.entrypoints.api.app:app_from_env",
        host=host or s.host,
        port=port or s.port,
        workers=workers or s.workers,
        log_level="warning",
        access_log=False,
    )


@app.command("demo")
@run_domain
def demo(
    tenant: Annotated[str, typer.Option("--tenant", help="tenant slug to create or refill")] = "demo",
    seed: Annotated[int, typer.Option("--seed")] = 7,
    orders: Annotated[int, typer.Option("--orders", help="orders in the season")] = 3000,
    quiet_keys: Annotated[bool, typer.Option("--no-keys", help="do not issue demo keys")] = False,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="leave an already seeded tenant as it is")
    ] = False,
) -> None:
    """Seed a realistic demo tenant and run a season of returns; prints a summary."""
    from returnflow.entrypoints.demo_run import run_demo

    run_demo(
        container(migrate=True),
        out,
        tenant=tenant,
        seed=seed,
        orders=orders,
        issue_keys=not quiet_keys,
        if_empty=if_empty,
    )


# Command modules of later capabilities register on the groups above (imported last on purpose).
from returnflow.entrypoints import (  # noqa: E402
    cli_inventory,
    cli_kpis,
    cli_ledger,
    cli_network,
    cli_planning,
    cli_reports,
    cli_tracking,
    cli_worker,
)

__all__ = [
    "app",
    "cli_inventory",
    "cli_kpis",
    "cli_ledger",
    "cli_network",
    "cli_planning",
    "cli_reports",
    "cli_tracking",
    "cli_worker",
    "main",
]


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
