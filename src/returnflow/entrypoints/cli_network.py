"""Network commands: import nodes and rate cards.

Imported by `returnflow.entrypoints.cli` after its command groups exist; commands register on them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from returnflow.entrypoints.cli import app, container, import_app, out, run_domain

__all__ = ["app", "import_app"]

FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]
TenantOpt = Annotated[str, typer.Option("--tenant", help="tenant slug")]


@import_app.command("nodes")
@run_domain
def import_nodes(file: FileArg, tenant: TenantOpt = "demo") -> None:
    """Import nodes from CSV or JSON (code, kind, name, postal_code, country, …); a bad row rejects all."""
    from returnflow.services.access import system_actor
    from returnflow.services.network_imports import import_nodes as run
    from returnflow.services.network_imports import parse_nodes
    from returnflow.services.tenants import tenant_by_slug

    c = container()
    t = tenant_by_slug(c.db, tenant)
    nodes = parse_nodes(file.read_text(encoding="utf-8-sig"), file.suffix.lower())
    out.print(f"imported {run(c.db, c.clock, system_actor(t.id, 'import'), nodes)} node(s) into {t.slug}")


@import_app.command("rates")
@run_domain
def import_rates(
    file: FileArg,
    tenant: TenantOpt = "demo",
    currency: Annotated[str, typer.Option("--currency")] = "USD",
) -> None:
    """Import rate cards from CSV: service,zone,max_km,max_grams,price,transit_days; a bad row rejects all."""
    from returnflow.services.access import system_actor
    from returnflow.services.network_imports import import_rates as run
    from returnflow.services.tenants import tenant_by_slug

    c = container()
    t = tenant_by_slug(c.db, tenant)
    n = run(c.db, c.clock, system_actor(t.id, "import"), file.read_text(encoding="utf-8-sig"), currency)
    out.print(f"imported rate cards of {n} service(s) into {t.slug}")
