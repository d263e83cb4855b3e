"""Rich tables of figures shared by the reports and the demo: rates, hours, the return KPIs."""

from __future__ import annotations

from rich.table import Table

from returnflow.domain.kpis import DurationSummary, ReturnKpis
from returnflow.entrypoints.amounts import money


def percent(rate: float | None) -> str:
    """A rate as a percentage, or a dash when there is none."""
    return "—" if rate is None else f"{rate * 100:.2f} %"


def hours(d: DurationSummary) -> str:
    """A duration summary: p50 and p90 in hours, and how many were measured."""
    if not d.count:
        return "— (none measured)"
    return f"p50 {d.p50:.2f} · p90 {d.p90:.2f} (n = {d.count})"


def figures_table(k: ReturnKpis) -> Table:
    """The headline figures."""
    table = Table(title="Figures", title_justify="left", show_header=False)
    table.add_column("KPI")
    table.add_column("Value", justify="right")
    for name, value in (
        ("Returns created", str(k.returns)),
        ("Approval rate", percent(k.approval_rate)),
        ("Orders placed", str(k.orders)),
        ("Units sold", str(k.units_sold)),
        ("Units returned", str(k.units_returned)),
        ("Return rate", percent(k.return_rate)),
        ("Keep-it share", f"{percent(k.keep_it_share)} ({k.keep_it_returns})"),
        ("Time to credit (h)", hours(k.time_to_credit_hours)),
        ("Time to receive (h)", hours(k.time_to_receive_hours)),
        ("Dwell (h)", hours(k.dwell_hours)),
        ("Value recovery rate", percent(k.value_recovery_rate)),
    ):
        table.add_row(name, value)
    return table


def by_status_table(k: ReturnKpis) -> Table:
    """Returns per status (statuses with none left out)."""
    table = Table(title="Returns by status", title_justify="left")
    table.add_column("Status")
    table.add_column("Returns", justify="right")
    for status, n in k.by_status.items():
        if n:
            table.add_row(status, str(n))
    return table


def money_table(k: ReturnKpis) -> Table:
    """Refunds and recovery per currency."""
    table = Table(title="Money by currency", title_justify="left")
    for name in ("Currency", "Refunded", "Refunds", "Recovered", "Value", "Recovery"):
        table.add_column(name, justify="left" if name == "Currency" else "right", no_wrap=True)
    for m in k.money_by_currency():
        cur = m.currency
        table.add_row(
            cur,
            "—" if m.refunded is None else money(m.refunded, cur),
            str(m.refunds),
            "—" if m.recovered is None else money(m.recovered, cur),
            "—" if m.value is None else money(m.value, cur),
            percent(m.recovery_rate),
        )
    return table


def reasons_table(k: ReturnKpis) -> Table:
    """The top reasons by units returned."""
    table = Table(title="Top reasons (units returned)", title_justify="left")
    table.add_column("Reason")
    table.add_column("Units", justify="right")
    table.add_column("Share", justify="right")
    for r in k.top_reasons:
        table.add_row(str(r["label"]), str(r["units"]), percent(r["share"]))
    return table
