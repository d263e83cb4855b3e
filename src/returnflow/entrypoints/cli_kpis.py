"""`returnflow report kpis`: the return KPIs of a period as Rich tables or JSON (the API's document)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer

from returnflow.domain.kpis import rfc3339
from returnflow.entrypoints.cli import container, out, run_domain
from returnflow.entrypoints.cli_reports import report_app
from returnflow.entrypoints.kpi_tables import by_status_table, figures_table, money_table, reasons_table

__all__ = ["report_kpis"]


class KpiFormat(StrEnum):
    """Output formats of the KPIs."""

    table = "table"
    json = "json"


@report_app.command("kpis")
@run_domain
def report_kpis(
    tenant: Annotated[str, typer.Option("--tenant", help="tenant slug")],
    date_from: Annotated[
        str | None,
        typer.Option("--from", help="start, included: YYYY-MM-DD (UTC) or RFC 3339; default: --to − 30 days"),
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="end, excluded: YYYY-MM-DD (UTC) or RFC 3339; default: now")
    ] = None,
    fmt: Annotated[KpiFormat, typer.Option("--format", help="table or json")] = KpiFormat.table,
) -> None:
    """Return KPIs of the period [from, to): volumes, rates, time to credit, recovery, refunds, reasons."""
    from returnflow.services.access import system_actor
    from returnflow.services.analytics import return_kpis
    from returnflow.services.tenants import tenant_by_slug

    c = container()
    t = tenant_by_slug(c.db, tenant)
    kpis = return_kpis(c.db, c.clock, system_actor(t.id, "report"), date_from, date_to)
    if fmt is KpiFormat.json:
        sys.stdout.write(json.dumps(kpis.as_dict(), indent=2) + "\n")
        return
    start, end = rfc3339(kpis.period.start), rfc3339(kpis.period.end)
    out.print(f"Return KPIs of {t.slug}, {start} to {end} (excluded)", highlight=False, soft_wrap=True)
    out.print(figures_table(kpis))
    if kpis.returns:
        out.print(by_status_table(kpis))
    if kpis.refunded or kpis.value_recovery:
        out.print(money_table(kpis))
    if kpis.top_reasons:
        out.print(reasons_table(kpis))
