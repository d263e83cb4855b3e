"""`returnflow report kpis`: the return KPIs of a period as Rich tables or JSON (the API's document)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from returnflow.domain.kpis import DurationSummary, ReturnKpis, rfc3339
from returnflow.entrypoints.cli import container, out, run_domain
from returnflow.entrypoints.cli_reports import money, report_app

__all__ = ["report_kpis"]


class KpiFormat(StrEnum):
    """Output formats of the KPIs."""

    table = "table"
    json = "json"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.2f} %"


def _hours(d: DurationSummary) -> str:
    if not d.count:
        return "— (none measured)"
    return f"p50 {d.p50:.2f} · p90 {d.p90:.2f} (n = {d.count})"


def _figures(k: ReturnKpis) -> Table:
    table = Table(title="Figures", title_justify="left", show_header=False)
    table.add_column("KPI")
    table.add_column("Value", justify="right")
    for name, value in (
        ("Returns created", str(k.returns)),
        ("Approval rate", _percent(k.approval_rate)),
        ("Orders placed", str(k.orders)),
        ("Units sold", str(k.units_sold)),
        ("Units returned", str(k.units_returned)),
        ("Return rate", _percent(k.return_rate)),
        ("Keep-it share", f"{_percent(k.keep_it_share)} ({k.keep_it_returns})"),
        ("Time to credit (h)", _hours(k.time_to_credit_hours)),
        ("Time to receive (h)", _hours(k.time_to_receive_hours)),
        ("Dwell (h)", _hours(k.dwell_hours)),
        ("Value recovery rate", _percent(k.value_recovery_rate)),
    ):
        table.add_row(name, value)
    return table


def _by_status(k: ReturnKpis) -> Table:
    table = Table(title="Returns by status", title_justify="left")
    table.add_column("Status")
    table.add_column("Returns", justify="right")
    for status, n in k.by_status.items():
        if n:
            table.add_row(status, str(n))
    return table


def _money_table(k: ReturnKpis) -> Table:
    table = Table(title="Money by currency", title_justify="left")
    for name in ("Currency", "Refunded", "Refunds", "Recovered", "Value", "Recovery"):
        table.add_column(name, justify="left" if name == "Currency" else "right", no_wrap=True)
    refunds = {r["currency"]: r for r in k.refunded}
    recovery = {r["currency"]: r for r in k.value_recovery}
    for cur in sorted(refunds.keys() | recovery.keys()):
        ref, rec = refunds.get(cur), recovery.get(cur)
        table.add_row(
            cur,
            money(ref["amount"], cur) if ref else "—",
            str(ref["count"]) if ref else "0",
            money(rec["recovered"], cur) if rec else "—",
            money(rec["value"], cur) if rec else "—",
            _percent(rec["rate"]) if rec else "—",
        )
    return table


def _reasons(k: ReturnKpis) -> Table:
    table = Table(title="Top reasons (units returned)", title_justify="left")
    table.add_column("Reason")
    table.add_column("Units", justify="right")
    table.add_column("Share", justify="right")
    for r in k.top_reasons:
        table.add_row(str(r["label"]), str(r["units"]), _percent(r["share"]))
    return table


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
    out.print(_figures(kpis))
    if kpis.returns:
        out.print(_by_status(kpis))
    if kpis.refunded or kpis.value_recovery:
        out.print(_money_table(kpis))
    if kpis.top_reasons:
        out.print(_reasons(kpis))
