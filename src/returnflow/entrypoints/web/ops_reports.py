"""The ops console's reports: keep-it returns over a period, with net saving per category drawn."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from returnflow.domain.errors import DomainError
from returnflow.entrypoints.web import session
from returnflow.entrypoints.web.keep_it_chart import saving_chart
from returnflow.entrypoints.web.render import page
from returnflow.services.access import Forbidden
from returnflow.services.keep_it_report import keep_it_report

router = APIRouter(prefix="/ops", include_in_schema=False)
DEFAULT_DAYS = 30


@router.get("/reports/keep-it", response_class=HTMLResponse)
def keep_it_page(request: Request) -> Response:
    """Keep-it returns from `from` to `to` (default: the last 30 days): totals, chart and tables."""
    staff = session.staff(request)
    if staff is None:
        return RedirectResponse("/ops", status_code=303)
    c = session.container(request)
    today = c.clock().date()
    params = request.query_params
    date_from = (params.get("from") or (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat())[:40]
    date_to = (params.get("to") or today.isoformat())[:40]
    context = {
        "actor": staff.actor,
        "csrf": session.form_token(request, staff.token),
        "date_from": date_from,
        "date_to": date_to,
        "report": None,
        "charts": {},
        "error": None,
        "problems": [],
    }
    try:
        report = keep_it_report(c.db, staff.actor, date_from, date_to)
    except DomainError as err:
        context.update(error=str(err), problems=[p.message for p in err.problems])
        return page("ops_report_keep_it.html", context, 403 if isinstance(err, Forbidden) else 422)
    charts = {s.currency: saving_chart(s.by_category) for s in report.currencies}
    context.update(report=report, charts=charts)
    return page("ops_report_keep_it.html", context)
