"""Planning commands: `returnflow route --date D` and `returnflow network design`.

Imported by `returnflow.entrypoints.cli` after its command groups exist; commands register on them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from returnflow.domain.money import to_decimal
from returnflow.entrypoints.cli import app, container, fail, out, run_domain

network_app = typer.Typer(no_args_is_help=True, help="Network planning.")
app.add_typer(network_app, name="network")


def _money(minor: int, currency: str | None) -> str:
    return f"{to_decimal(minor):,} {currency or ''}".strip()


@app.command("route")
@run_domain
def route(
    day: Annotated[str, typer.Option("--date", help="day to plan, YYYY-MM-DD")],
    tenant: Annotated[str, typer.Option("--tenant", help="tenant slug")] = "demo",
) -> None:
    """Assign the day's open returns to nodes under daily capacities (min-cost flow)."""
    from returnflow.services.access import system_actor
    from returnflow.services.planning import route_day
    from returnflow.services.tenants import tenant_by_slug

    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise fail(f"--date {day!r} is not a date (YYYY-MM-DD)") from None
    c = container()
    t = tenant_by_slug(c.db, tenant)
    with Progress(
        TextColumn("costing returns"), BarColumn(), MofNCompleteColumn(), console=out, transient=True
    ) as bar:
        task = bar.add_task("cost", total=None)
        plan = route_day(
            c.db,
            c.clock,
            system_actor(t.id, "planning"),
            when,
            progress=lambda n, total: bar.update(task, completed=n, total=total),
        )
    if not plan.returns:
        out.print(f"no open returns for {when.isoformat()} in {t.slug}")
        return
    out.print(
        f"routed {plan.returns} return(s) for {when.isoformat()}: "
        f"total cost [bold]{_money(plan.total_cost, plan.currency)}[/] "
        f"vs greedy {_money(plan.greedy_cost, plan.currency)} (saving {_money(plan.saving, plan.currency)}"
        + (f"; greedy could not place {plan.greedy_unplaced}" if plan.greedy_unplaced else "")
        + f"); {plan.moved} moved from their earlier node"
    )
    table = Table("node", "returns", "capacity", "greedy", title="Returns per node")
    for n in plan.nodes:
        table.add_row(
            n.code, str(n.returns), "∞" if n.capacity is None else str(n.capacity), str(n.greedy_returns)
        )
    out.print(table)


@network_app.command("design")
@run_domain
def design(
    candidates: Annotated[
        Path,
        typer.Option(
            "--candidates", exists=True, dir_okay=False, readable=True, help="CSV of candidate sites"
        ),
    ],
    open_k: Annotated[int, typer.Option("--open", help="how many candidate sites to open")],
    tenant: Annotated[str, typer.Option("--tenant", help="tenant slug")] = "demo",
) -> None:
    """Choose which candidate sites to open as regional return centers (facility-location MILP)."""
    from returnflow.adapters.candidate_sites import parse_candidates
    from returnflow.services.access import system_actor
    from returnflow.services.planning import design_network
    from returnflow.services.tenants import tenant_by_slug

    sites = parse_candidates(candidates.read_text(encoding="utf-8"))
    c = container()
    t = tenant_by_slug(c.db, tenant)
    with out.status("solving the facility-location model"):
        report = design_network(c.db, system_actor(t.id, "planning"), sites, open_k)
    d, cur = report.design, report.currency
    out.print(
        f"open [bold]{', '.join(d.opened)}[/] — from {report.returns} returns over {report.days} day(s) "
        f"in {report.origins} origin areas (scaled to a year; transport: {report.cost_basis})"
    )
    table = Table("", "today", "with new sites", "change", title="Network per year")
    today = d.today
    table.add_row(
        "total cost",
        _money(today.total_cost, cur) if today else "—",
        _money(d.plan.total_cost, cur),
        _money(d.cost_change, cur) if d.cost_change is not None else "—",
    )
    table.add_row("  fixed", "—", _money(d.plan.fixed_cost, cur), "")
    table.add_row(
        "  transport",
        _money(today.transport_cost, cur) if today else "—",
        _money(d.plan.transport_cost, cur),
        "",
    )
    table.add_row(
        "average distance",
        f"{today.average_km:,.0f} km" if today else "—",
        f"{d.plan.average_km:,.0f} km",
        f"{d.distance_change_km:+,.0f} km" if d.distance_change_km is not None else "—",
    )
    out.print(table)
    if report.unlocated:
        out.print(f"[yellow]{report.unlocated} return(s) left out: their postal code could not be located[/]")
