"""The ops console's reports: keep-it returns over a period, with net saving per category drawn, and
the return KPIs of a period, with the reasons' Pareto and the returns per status drawn."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from returnflow.bootstrap import Container
from returnflow.domain.errors import DomainError
from returnflow.entrypoints.web import session
from returnflow.entrypoints.web.chart import status_chart
from returnflow.entrypoints.web.keep_it_chart import saving_chart
from returnflow.entrypoints.web.kpi_charts import reason_pareto
from returnflow.entrypoints.web.render import page
from returnflow.services.access import Actor, Forbidden
from returnflow.services.analytics import day_kpis
from returnflow.services.keep_it_report import keep_it_report

router = APIRouter(prefix="/ops", include_in_schema=False)
DEFAULT_DAYS = 30


@router.get("/reports/keep-it", response_class=HTMLResponse)
def keep_it_page(request: Request) -> Response:
    """Keep-it returns from `from` to `to` (default: the last 30 days): totals, chart and tables."""

    def figures(c: Container, actor: Actor, date_from: str, date_to: str) -> dict[str, Any]:
        report = keep_it_report(c.db, actor, date_from, date_to)
        charts = {s.currency: saving_chart(s.by_category) for s in report.currencies}
        return {"report": report, "charts": charts}

    return _report_page(request, "ops_report_keep_it.html", {"report": None, "charts": {}}, figures)


@router.get("/reports/kpis", response_class=HTMLResponse)
def kpis_page(request: Request) -> Response:
    """The return KPIs from `from` to `to`, both days included (default: the last 30 days)."""

    def figures(c: Container, actor: Actor, date_from: str, date_to: str) -> dict[str, Any]:
        kpis = day_kpis(c.db, actor, date_from, date_to)
        return {
            "kpis": kpis,
            "pareto": reason_pareto(kpis.top_reasons, kpis.units_returned),
            "status_chart": status_chart(dict(kpis.by_status)),
        }

    empty = {"kpis": None, "pareto": None, "status_chart": None}
    return _report_page(request, "ops_report_kpis.html", empty, figures)


Figures = Callable[[Container, Actor, str, str], dict[str, Any]]


def _report_page(request: Request, template: str, empty: dict[str, Any], figures: Figures) -> Response:
    """A report of the period asked for (or the default one) for the signed-in staff member, or
    the reason it shows nothing: 403 for a role without reports, 422 for a bad period."""
    staff = session.staff(request)
    if staff is None:
        return RedirectResponse("/ops", status_code=303)
    c = session.container(request)
    context = {**_period_context(request, staff, c.clock().date()), **empty}
    try:
        context.update(figures(c, staff.actor, context["date_from"], context["date_to"]))
    except DomainError as err:
        context.update(error=str(err), problems=[p.message for p in err.problems])
        return page(template, context, 403 if isinstance(err, Forbidden) else 422)
    return page(template, context)


def _period_context(request: Request, staff: session.Staff, today: date) -> dict[str, Any]:
    """The page's common context: who is signed in, and the period asked for (or the default one)."""
    params = request.query_params
    return {
        "actor": staff.actor,
        "csrf": session.form_token(request, staff.token),
        "date_from": (params.get("from") or (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat())[:40],
        "date_to": (params.get("to") or today.isoformat())[:40],
        "error": None,
        "problems": [],
    }
