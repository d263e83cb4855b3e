"""The ops console's network page: upload candidate sites, run the design, see it on a chart."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from returnflow.adapters.candidate_sites import parse_candidates
from returnflow.domain.errors import DomainError
from returnflow.entrypoints.web import session
from returnflow.entrypoints.web.network_chart import network_chart
from returnflow.entrypoints.web.render import page
from returnflow.services.access import Forbidden
from returnflow.services.planning import design_network

Form = Annotated[FormData, Depends(session.read_form)]
MAX_CSV = 200_000
EXAMPLE = (
    "code,postal_code,country,fixed_cost,capacity\n"
    "RC-PHX,85043,US,250000.00,800\n"
    "RC-ATL,30349,US,220000.00,\n"
)


def _context(request: Request, staff: session.Staff, **more: Any) -> dict[str, Any]:
    return {
        "actor": staff.actor,
        "csrf": session.form_token(request, staff.token),
        "example": EXAMPLE,
        "candidates": EXAMPLE,
        "open_k": 1,
        "error": None,
        "problems": [],
        "report": None,
        "chart": None,
        **more,
    }


def network_page(request: Request) -> Response:
    """The candidate-sites form."""
    staff = session.staff(request)
    if staff is None:
        return RedirectResponse("/ops", status_code=303)
    return page("ops_network.html", _context(request, staff))


def network_design(request: Request, form: Form) -> Response:
    """Run the facility-location design on the posted candidates and draw it."""
    staff = session.staff(request)
    if staff is None:
        return RedirectResponse("/ops", status_code=303)
    if not session.form_trusted(request, form, staff.token):
        return page("forbidden.html", {"message": session.FORM_EXPIRED}, 403)
    text = str(form.get("candidates") or "")[:MAX_CSV]
    raw_k = str(form.get("open_k") or "").strip()
    k = int(raw_k) if raw_k.isdigit() else 0
    c = session.container(request)
    try:
        report = design_network(c.db, staff.actor, parse_candidates(text), k)
    except DomainError as err:
        status = 403 if isinstance(err, Forbidden) else 422
        problems = [f"{p.field}: {p.message}" for p in err.problems]
        ctx = _context(request, staff, candidates=text, open_k=k or 1, error=str(err), problems=problems)
        return page("ops_network.html", ctx, status)
    chart = network_chart(report, report.currency)
    return page(
        "ops_network.html", _context(request, staff, candidates=text, open_k=k, report=report, chart=chart)
    )
