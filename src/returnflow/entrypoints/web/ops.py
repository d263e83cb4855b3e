"""The ops console: sign in with an API key, list and search returns, review and decide one."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from returnflow.domain.errors import Conflict, DomainError, NotFound, ValidationFailed
from returnflow.domain.returns import can_transition
from returnflow.entrypoints.web import session
from returnflow.entrypoints.web.chart import status_chart
from returnflow.entrypoints.web.lookups import product_names
from returnflow.entrypoints.web.render import STATUS_WORDS, page
from returnflow.entrypoints.web.security import same_origin
from returnflow.services import returns
from returnflow.services.access import Forbidden
from returnflow.services.tenants import authenticate

router = APIRouter(prefix="/ops", include_in_schema=False)
Form = Annotated[FormData, Depends(session.read_form)]
PAGE_SIZE = 25
_RETURN_ID = re.compile(r"^ret_[0-9a-z]{26}$")
DONE = {"approve": "Return approved.", "reject": "Return rejected.", "cancel": "Return cancelled."}
DECIDERS = ("admin", "specialist")
REJECT_REASON_MAX = 2000


def _to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _frame(request: Request, staff: session.Staff) -> dict[str, Any]:
    """What every signed-in page shows: who is signed in and the sign-out form's token."""
    return {"actor": staff.actor, "csrf": session.form_token(request, staff.token)}


def _status_of(err: DomainError) -> int:
    if isinstance(err, Forbidden):
        return 403
    if isinstance(err, NotFound):
        return 404
    if isinstance(err, Conflict):
        return 409
    return 422 if isinstance(err, ValidationFailed) else 400


@router.get("", response_class=HTMLResponse)
def signin_page(request: Request) -> Response:
    """The sign-in form (or straight to the returns list when already signed in)."""
    if session.staff(request) is not None:
        return _to("/ops/returns")
    return page("ops_signin.html", {"error": None})


@router.post("/signin", response_class=HTMLResponse)
def signin(request: Request, form: Form) -> Response:
    """Check the pasted key; staff roles get a session cookie, other keys an explanation."""
    if not same_origin(request):
        return page("ops_signin.html", {"error": "This form was sent from another site."}, 403)
    key = str(form.get("api_key") or "").strip()
    actor = authenticate(session.container(request).db, key) if key and len(key) <= 200 else None
    if actor is None:
        return page("ops_signin.html", {"error": "That API key is not valid."}, 401)
    if actor.role not in session.STAFF_ROLES:
        message = (
            f"A {actor.role} key cannot sign in to the ops console; "
            "use an admin, specialist, warehouse or finance key."
        )
        return page("ops_signin.html", {"error": message}, 403)
    response = _to("/ops/returns")
    session.start_staff(request, response, key)
    return response


@router.post("/signout")
def signout(request: Request, form: Form) -> Response:
    """Drop the session cookie."""
    staff = session.staff(request)
    if staff is not None and not session.form_trusted(request, form, staff.token):
        return page("forbidden.html", {"message": session.FORM_EXPIRED}, 403)
    response = _to("/ops")
    session.end_staff(response)
    return response


@router.get("/returns", response_class=HTMLResponse)
def list_page(request: Request) -> Response:
    """Returns newest first, filtered by status and a search, with a chart of returns per status."""
    staff = session.staff(request)
    if staff is None:
        return _to("/ops")
    c = session.container(request)
    params = request.query_params
    status = params.get("status") or ""
    status = status if status in STATUS_WORDS else ""
    query = (params.get("q") or "").strip()[:100]
    after = params.get("after") or ""
    after = after if _RETURN_ID.match(after) else ""
    limit = params.get("limit") or ""
    size = min(max(int(limit), 1), 100) if limit.isdigit() else PAGE_SIZE
    items, last = returns.list_returns(
        c.db, staff.actor, status=status or None, query=query or None, after_id=after or None, limit=size
    )
    context = {
        **_frame(request, staff),
        "items": items,
        "status": status,
        "query": query,
        "after": after,
        "next_after": last,
        "size": size if size != PAGE_SIZE else None,
        "statuses": STATUS_WORDS,
        "chart": status_chart(returns.status_counts(c.db, staff.actor)),
    }
    return page("ops_returns.html", context)


def _detail(
    request: Request,
    staff: session.Staff,
    return_id: str,
    *,
    done: str | None = None,
    error: str | None = None,
    reject_reason: str = "",
    status_code: int = 200,
) -> Response:
    c = session.container(request)
    try:
        found = returns.get_return(c.db, staff.actor, return_id)
    except NotFound:
        return page("not_found.html", {"message": "We could not find this return."}, 404)
    role, status = staff.actor.role, found["status"]
    context = {
        **_frame(request, staff),
        "ret": found,
        "names": product_names(c, staff.actor, staff.actor.tenant_id, [ln["sku"] for ln in found["lines"]]),
        "can_decide": role in DECIDERS and status == "pending_review",
        "can_cancel": role in DECIDERS and can_transition(status, "cancelled"),
        "done": DONE.get(done or ""),
        "error": error,
        "reject_reason": reject_reason,
    }
    return page("ops_return.html", context, status_code)


@router.get("/returns/{return_id}", response_class=HTMLResponse)
def detail_page(request: Request, return_id: str, done: str | None = None) -> Response:
    """A return in full: lines, decision, risk, timeline and the actions this role may take."""
    staff = session.staff(request)
    if staff is None:
        return _to("/ops")
    return _detail(request, staff, return_id, done=done)


@router.post("/returns/{return_id}/{action}", response_class=HTMLResponse)
def act(request: Request, return_id: str, action: str, form: Form) -> Response:
    """Approve, reject (with a reason) or cancel; service refusals are shown on the detail page."""
    staff = session.staff(request)
    if staff is None:
        return _to("/ops")
    if action not in DONE:
        return page("not_found.html", {"message": "This page does not exist."}, 404)
    if not session.form_trusted(request, form, staff.token):
        return page("forbidden.html", {"message": session.FORM_EXPIRED}, 403)
    c = session.container(request)
    reason = str(form.get("reason") or "").strip()
    try:
        if action == "approve":
            returns.approve(c.db, c.clock, staff.actor, return_id)
        elif action == "reject":
            if not reason or len(reason) > REJECT_REASON_MAX:
                raise ValidationFailed(
                    f"Give the customer a reason for the rejection (up to {REJECT_REASON_MAX} characters).",
                    code="reason_required",
                )
            returns.reject(c.db, c.clock, staff.actor, return_id, reason)
        else:
            returns.cancel(c.db, c.clock, staff.actor, return_id)
    except DomainError as err:
        return _detail(
            request, staff, return_id, error=str(err), reject_reason=reason, status_code=_status_of(err)
        )
    return _to(f"/ops/returns/{return_id}?done={action}")


# The network-design page lives in its own module; registered here so /ops stays one router.
from returnflow.entrypoints.web import ops_network  # noqa: E402

router.add_api_route("/network", ops_network.network_page, methods=["GET"], response_class=HTMLResponse)
router.add_api_route("/network", ops_network.network_design, methods=["POST"], response_class=HTMLResponse)
