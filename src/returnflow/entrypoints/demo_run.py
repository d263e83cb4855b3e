"""`returnflow demo`: seed a realistic tenant and push a season of returns through the real services."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from returnflow.bootstrap import Container
from returnflow.demo.catalog import generate_catalog
from returnflow.demo.customers import generate_customers
from returnflow.demo.nodes import generate_nodes
from returnflow.demo.season import generate_season
from returnflow.domain.errors import DomainError, NotFound
from returnflow.domain.kpis import rfc3339
from returnflow.entrypoints.demo_floor import Approved, review, run_floor
from returnflow.entrypoints.kpi_tables import figures_table, money_table
from returnflow.services import catalog, returns
from returnflow.services import orders as order_service
from returnflow.services.access import system_actor
from returnflow.services.analytics import return_kpis
from returnflow.services.inputs import NodeInput, OrderInput, ProductInput, ReturnInput
from returnflow.services.tenants import create_key, create_tenant, tenant_by_slug

DEMO_CUSTOMER = "demo.shopper@example.com"
# An order line's id and its serial numbers.
OrderLine = tuple[str, tuple[str, ...]]


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _keys_file(c: Container, tenant: str) -> Path:
    return c.settings.data_dir / f"{tenant}-keys.txt"


def run_demo(
    c: Container,
    console: Console,
    *,
    tenant: str,
    seed: int,
    orders: int,
    issue_keys: bool,
    if_empty: bool = False,
) -> None:
    """Create (or, with if_empty, reuse) the demo tenant, load a season, print KPIs and keys."""
    try:
        existing = tenant_by_slug(c.db, tenant)
    except NotFound:
        existing = None
    if existing is not None and if_empty:
        console.print(f"demo tenant '{tenant}' already seeded; keeping its data")
        _print_keys(c, console, tenant)
        return
    if existing is None:
        existing = create_tenant(c.db, c.clock, tenant, "Northwind Outfitters (demo)")
    actor = system_actor(existing.id, "demo")
    rng = random.Random(seed)
    products = generate_catalog(rng)
    customers = generate_customers(rng)
    # The season ends at today's midnight, so the latest returns are still on their way back.
    start = (c.clock() - timedelta(days=90)).replace(hour=0, minute=0, second=0, microsecond=0)
    season = generate_season(rng, products, customers, start=start, days=90, orders=orders)
    outcomes: Counter[str] = Counter()
    rejections: Counter[str] = Counter()
    with _progress(console) as progress:
        task = progress.add_task("catalogue", total=len(products) + len(generate_nodes()))
        for body in products:
            fields = {k: v for k, v in body.items() if k in ProductInput.model_fields}
            catalog.upsert_product(c.db, c.clock, actor, body["sku"], ProductInput.model_validate(fields))
            progress.advance(task)
        for body in generate_nodes():
            fields = {k: v for k, v in body.items() if k in NodeInput.model_fields}
            catalog.upsert_node(c.db, c.clock, actor, body["code"], NodeInput.model_validate(fields))
            progress.advance(task)
        task = progress.add_task("orders", total=len(season.orders))
        batch = 250
        for i in range(0, len(season.orders), batch):
            chunk = [OrderInput.model_validate(o) for o in season.orders[i : i + batch]]
            order_service.import_orders(c.db, c.clock, actor, chunk, [f"order {o.number}: " for o in chunk])
            progress.advance(task, len(chunk))
        lines = _order_lines(c, actor, season.orders)
        task = progress.add_task("returns", total=len(season.returns))
        approved: list[Approved] = []
        for body in season.returns:
            outcome, view = _request(c, actor, body, lines, rejections)
            outcomes[outcome] += 1
            requested_at = datetime.fromisoformat(body["requested_at"]).astimezone(UTC)
            decided = (view, requested_at) if view is not None and view["status"] == "approved" else None
            if view is not None and view["status"] == "pending_review":
                decided = review(c, actor, view, requested_at, rng, c.clock())
                outcomes["reviewed: approved" if decided else "reviewed: rejected or waiting"] += 1
            if decided is not None:
                approved.append(_approved(decided[0], decided[1], lines[body["order_number"]]))
            progress.advance(task)
        task = progress.add_task("returns center", total=len(approved))
        reached = run_floor(c, actor, approved, rng, c.clock(), lambda: progress.advance(task))
    _summary(console, season, outcomes, rejections, reached)
    kpis = return_kpis(c.db, c.clock, actor, rfc3339(season.start), rfc3339(c.clock()))
    console.print(figures_table(kpis))
    console.print(money_table(kpis))
    if issue_keys:
        shopper = season.returns[0]["order_number"] if season.returns else None
        email = next((o["customer"]["email"] for o in season.orders if o["number"] == shopper), DEMO_CUSTOMER)
        _issue_keys(c, console, tenant, email)


def _order_lines(c: Container, actor: Any, order_bodies: list[dict[str, Any]]) -> dict[str, list[OrderLine]]:
    """Per order number, its lines' ids and serials in order."""
    found: dict[str, list[OrderLine]] = {}
    for body in order_bodies:
        view = order_service.get_order(c.db, actor, body["number"])
        found[body["number"]] = [(line["id"], tuple(line["serials"])) for line in view["lines"]]
    return found


def _approved(view: dict[str, Any], approved_at: datetime, order_lines: list[OrderLine]) -> Approved:
    """The approved return the floor moves on: its lines with their reasons and serials."""
    serials = dict(order_lines)
    destination = view.get("destination") or {}
    return Approved(
        return_id=str(view["id"]),
        approved_at=approved_at,
        method=view["method"],
        destination=destination.get("node_code"),
        lines=tuple(
            (line["id"], line["reason"], serials[line["order_line_id"]][: line["quantity"]])
            for line in view["lines"]
        ),
    )


def _request(
    c: Container,
    actor: Any,
    body: dict[str, Any],
    order_lines: dict[str, list[OrderLine]],
    rejections: Counter[str],
) -> tuple[str, dict[str, Any] | None]:
    ids = [line_id for line_id, _ in order_lines[body["order_number"]]]
    data = ReturnInput.model_validate(
        {
            "order_number": body["order_number"],
            "resolution": body["resolution"],
            "requested_at": body["requested_at"],
            "lines": [
                {
                    "order_line_id": ids[item["line_index"]],
                    "quantity": item["quantity"],
                    "reason": item["reason"],
                    "opened": item.get("opened", False),
                }
                for item in body["lines"]
            ],
        }
    )
    at = datetime.fromisoformat(body["requested_at"]).astimezone(UTC)

    def clock() -> datetime:
        return at

    try:
        view = returns.request_return(c.db, clock, actor, data)
    except DomainError as err:
        for p in err.problems:
            rejections[p.code] += 1
        return "rejected", None
    return str(view["status"]), view


def _summary(
    console: Console, season: Any, outcomes: Counter[str], rejections: Counter[str], reached: Counter[str]
) -> None:
    table = Table(title="Demo season")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in season.summary().items():
        if isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()):
            for name, stats in value.items():
                if "return_rate" in stats:
                    table.add_row(f"return rate: {name}", f"{stats['return_rate']:.1%}")
        elif isinstance(value, int | float | str):
            table.add_row(str(key), str(value))
    decisions = ("approved", "pending_review", "rejected")
    total = sum(outcomes[o] for o in decisions)
    table.add_row("orders", str(len(season.orders)))
    table.add_row("return requests", str(total))
    for outcome in decisions:
        share = f"{outcomes[outcome] / total:.0%}" if total else "-"
        table.add_row(f"  {outcome}", f"{outcomes[outcome]} ({share})")
        if outcome == "pending_review":
            for verdict in ("reviewed: approved", "reviewed: rejected or waiting"):
                table.add_row(f"    {verdict}", str(outcomes[verdict]))
    for code, n in rejections.most_common(5):
        table.add_row(f"  rejected: {code}", str(n))
    table.add_row("approved returns, by now", str(sum(reached.values())))
    for step, n in reached.most_common():
        table.add_row(f"  {step}", str(n))
    console.print(table)


def _issue_keys(c: Container, console: Console, tenant: str, shopper: str) -> None:
    lines = [
        f"admin      {create_key(c.db, c.clock, tenant, 'admin')}",
        f"specialist {create_key(c.db, c.clock, tenant, 'specialist')}",
        f"warehouse  {create_key(c.db, c.clock, tenant, 'warehouse', node_code='RC-DFW')}",
        f"customer   {create_key(c.db, c.clock, tenant, 'customer', customer_email=shopper)}  ({shopper})",
    ]
    path = _keys_file(c, tenant)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    _print_keys(c, console, tenant)


def _print_keys(c: Container, console: Console, tenant: str) -> None:
    path = _keys_file(c, tenant)
    base = f"http://{c.settings.host}:{c.settings.port}"
    console.print(f"\n[bold]ReturnFlow[/] demo tenant [cyan]{tenant}[/]")
    console.print(f"  customer portal  {base}/portal/{tenant}")
    console.print(f"  ops console      {base}/ops")
    console.print(f"  season KPIs      {base}/ops/reports/kpis  (specialist key)")
    console.print(f"  API docs         {base}/docs")
    if path.exists():
        console.print(f"  demo API keys ({path}):")
        for line in path.read_text(encoding="utf-8").splitlines():
            console.print(f"    {line}", highlight=False, soft_wrap=True)
