"""Report commands: `returnflow report keep-it` (table, CSV or JSON).

Imported by `returnflow.entrypoints.cli` after its command groups exist; commands register on them.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from returnflow.entrypoints.amounts import money
from returnflow.entrypoints.cli import app, container, out, run_domain
from returnflow.services.keep_it_report import TOP_SKUS, CurrencyReport, Figures, KeepItReport

report_app = typer.Typer(no_args_is_help=True, help="Reports over a period.")
app.add_typer(report_app, name="report")

__all__ = ["money", "report_app"]

MONEY_COLUMNS = ("refund_value", "shipping_handling_avoided", "recovery_forgone", "net_saving")
CSV_COLUMNS = ("currency", "group", "key", "label", "returns", "units", *MONEY_COLUMNS)


class Format(StrEnum):
    """Output formats of a report."""

    table = "table"
    csv = "csv"
    json = "json"


def keep_it_csv(report: KeepItReport) -> str:
    """One row per figure group (total, category, reason, sku); amounts in minor units."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for section in report.currencies:
        groups: list[tuple[str, Figures]] = [("total", section.total)]
        groups += [("category", f) for f in section.by_category]
        groups += [("reason", f) for f in section.by_reason]
        groups += [("sku", f) for f in section.top_skus]
        for group, f in groups:
            numbers = (f.refund_value, f.shipping_handling_avoided, f.recovery_forgone, f.net_saving)
            writer.writerow((section.currency, group, f.key, f.label, f.returns, f.units, *numbers))
    return buf.getvalue()


def _table(title: str, first: str, rows: tuple[Figures, ...], currency: str) -> Table:
    # Short headings leave the names room on an 80-column terminal; the summary line spells them out.
    table = Table(title=title, title_justify="left")
    table.add_column(first)
    for name in ("Returns", "Units", "Refund", "Avoided", "Forgone", "Net"):
        table.add_column(name, justify="right", no_wrap=True)
    for f in rows:
        table.add_row(
            f.label if first != "SKU" else f"{f.key} {f.label}",
            str(f.returns),
            str(f.units),
            *(money(getattr(f, c), currency) for c in MONEY_COLUMNS),
        )
    return table


def _print_section(section: CurrencyReport) -> None:
    t, cur = section.total, section.currency
    out.print(
        f"[bold]{cur}[/]: {t.returns} keep-it return(s), {t.units} unit(s); "
        f"refund given {money(t.refund_value, cur)}, shipping + handling avoided "
        f"{money(t.shipping_handling_avoided, cur)}, recovery forgone {money(t.recovery_forgone, cur)}, "
        f"net saving {money(t.net_saving, cur)}",
        highlight=False,
        soft_wrap=True,
    )
    if section.estimated_returns:
        out.print(f"  {section.estimated_returns} valued with the policy's estimate (no carrier quote)")
    out.print(_table("By category", "Category", section.by_category, cur))
    out.print(_table("By reason", "Reason", section.by_reason, cur))
    out.print(_table("Top SKUs", "SKU", section.top_skus, cur))


@report_app.command("keep-it")
@run_domain
def report_keep_it(
    tenant: Annotated[str, typer.Option("--tenant", help="tenant slug")],
    date_from: Annotated[str, typer.Option("--from", help="first UTC day, YYYY-MM-DD")],
    date_to: Annotated[str, typer.Option("--to", help="last UTC day, YYYY-MM-DD (included)")],
    fmt: Annotated[Format, typer.Option("--format", help="table, csv or json")] = Format.table,
    top: Annotated[int, typer.Option("--top", help="how many SKUs to list")] = TOP_SKUS,
) -> None:
    """Keep-it returns resolved in the period: refund given, costs avoided, recovery forgone, saving."""
    from returnflow.services.access import system_actor
    from returnflow.services.keep_it_report import keep_it_report
    from returnflow.services.tenants import tenant_by_slug

    c = container()
    t = tenant_by_slug(c.db, tenant)
    report = keep_it_report(c.db, system_actor(t.id, "report"), date_from, date_to, top)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(report.as_dict(), indent=2) + "\n")
    elif fmt is Format.csv:
        sys.stdout.write(keep_it_csv(report))
    else:
        out.print(
            f"Keep-it returns of {t.slug}, {report.period.start} to {report.period.end}", highlight=False
        )
        if not report.currencies:
            out.print("no keep-it returns in this period")
        for section in report.currencies:
            _print_section(section)
