"""The customer portal: find an order, request a return, follow its status."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from returnflow.bootstrap import Container
from returnflow.domain.errors import DomainError, NotFound
from returnflow.entrypoints.web import portal_return, session
from returnflow.entrypoints.web.lookups import find_tenant, product_names, reason_catalogue
from returnflow.entrypoints.web.portal_forms import (
    ReturnForm,
    empty_form,
    place_problems,
    problems_from,
    read_return_form,
)
from returnflow.entrypoints.web.render import page
from returnflow.entrypoints.web.security import same_origin
from returnflow.services import orders, returns
from returnflow.services.idempotency import StoredResponse, request_fingerprint, run_once
from returnflow.services.inputs import ReturnInput
from returnflow.services.tenants import TenantInfo

router = APIRouter(prefix="/portal/{slug}", include_in_schema=False)
Form = Annotated[FormData, Depends(session.read_form)]
NO_ORDER = "No order with that number and email."
NO_RETURN = "No return with that number and email."
SESSION_ENDED = "Please find your order again: for your security, portal sessions last 30 minutes."


def _not_found(message: str = "This page does not exist.") -> HTMLResponse:
    return page("not_found.html", {"message": message}, 404)


def _start(
    tenant: TenantInfo,
    *,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
    **values: str,
) -> HTMLResponse:
    context = {"tenant": tenant, "error": error, "notice": notice, "values": values}
    return page("portal_start.html", context, status)


def _to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@router.get("", response_class=HTMLResponse)
def start(request: Request, slug: str, session_ended: str | None = None) -> Response:
    """Find an order (number + email) or track a return (RMA + email)."""
    tenant = find_tenant(session.container(request), slug)
    if tenant is None:
        return _not_found("We do not know this shop.")
    return _start(tenant, notice=SESSION_ENDED if session_ended else None)


@router.post("/lookup", response_class=HTMLResponse)
def lookup(request: Request, slug: str, form: Form) -> Response:
    """Check order number + email; on a match, hand out the signed portal cookie."""
    c = session.container(request)
    tenant = find_tenant(c, slug)
    if tenant is None:
        return _not_found("We do not know this shop.")
    number, email = str(form.get("order_number") or "").strip(), str(form.get("email") or "").strip()
    if not same_origin(request):
        return _start(tenant, error="This form was sent from another site.", status=403)
    try:
        order = orders.find_order_for_customer(c.db, tenant.id, number, email)
    except NotFound:
        return _start(tenant, error=NO_ORDER, status=404, order_number=number, email=email)
    response = _to(f"/portal/{slug}/order")
    session.start_shopper(request, response, slug, tenant.id, order["number"], email)
    return response


@router.post("/track", response_class=HTMLResponse)
def track(request: Request, slug: str, form: Form) -> Response:
    """Find a return by RMA number + email and open its tracking page."""
    c = session.container(request)
    tenant = find_tenant(c, slug)
    if tenant is None:
        return _not_found("We do not know this shop.")
    number = str(form.get("rma") or "").strip().upper()
    email = str(form.get("track_email") or "").strip().lower()
    if not same_origin(request):
        return _start(tenant, error="This form was sent from another site.", status=403)
    found = None
    if number and email:
        who = session.customer_actor(tenant.id, email)
        items, _ = returns.list_returns(c.db, who, query=number, limit=20)
        found = next((r for r in items if r["number"].upper() == number), None)
    if found is None:
        return _start(tenant, error=NO_RETURN, status=404, rma=number, track_email=email)
    response = _to(f"/portal/{slug}/returns/{found['id']}")
    session.start_shopper(request, response, slug, tenant.id, found["order_number"], email)
    return response


@router.post("/signout")
def signout(request: Request, slug: str, form: Form) -> Response:
    """Forget the shopper (the cookie is dropped; the token expires on its own)."""
    if not same_origin(request):
        return page("forbidden.html", {"message": "This form was sent from another site."}, 403)
    response = _to(f"/portal/{slug}")
    session.end_shopper(response, slug)
    return response


def _order_page(
    c: Container,
    tenant: TenantInfo,
    shopper: session.Shopper,
    request: Request,
    form: ReturnForm | None = None,
    status: int = 200,
) -> Response:
    try:
        order = orders.find_order_for_customer(c.db, tenant.id, shopper.order_number, shopper.email)
    except NotFound:
        return _not_found("This order is no longer available.")
    names = product_names(c, None, tenant.id, [line["sku"] for line in order["lines"]])
    past, _ = returns.list_returns(c.db, shopper.actor(), order_number=order["number"], limit=50)
    context: dict[str, Any] = {
        "tenant": tenant,
        "order": order,
        "names": names,
        "line_names": {line["id"]: names[line["sku"]] for line in order["lines"]},
        "reasons": reason_catalogue(c, tenant.id),
        "form": form or empty_form(order),
        "returns": past,
        "csrf": session.form_token(request, shopper.token),
        "submission": secrets.token_urlsafe(16),
        "can_return": any(line["returnable_quantity"] > 0 for line in order["lines"]),
    }
    return page("portal_order.html", context, status)


@router.get("/order", response_class=HTMLResponse)
def order_page(request: Request, slug: str) -> Response:
    """The order's lines, what is still returnable, and the return form."""
    c = session.container(request)
    tenant = find_tenant(c, slug)
    if tenant is None:
        return _not_found("We do not know this shop.")
    shopper = session.shopper(request, tenant.id)
    if shopper is None:
        return _to(f"/portal/{slug}?session_ended=1")
    return _order_page(c, tenant, shopper, request)


@router.post("/returns", response_class=HTMLResponse)
def submit(request: Request, slug: str, form: Form) -> Response:
    """Request the return; policy refusals come back on the form, nothing is created."""
    c = session.container(request)
    tenant = find_tenant(c, slug)
    if tenant is None:
        return _not_found("We do not know this shop.")
    shopper = session.shopper(request, tenant.id)
    if shopper is None:
        return _to(f"/portal/{slug}?session_ended=1")
    if not session.form_trusted(request, form, shopper.token):
        return page("forbidden.html", {"message": session.FORM_EXPIRED}, 403)
    try:
        order = orders.find_order_for_customer(c.db, tenant.id, shopper.order_number, shopper.email)
    except NotFound:
        return _not_found("This order is no longer available.")
    codes = [code for code, _ in reason_catalogue(c, tenant.id)]
    choices, data = read_return_form(form, order, codes)
    if data is None:
        return _order_page(c, tenant, shopper, request, choices, 422)
    try:
        result = _request_once(c, shopper, str(form.get("submission") or ""), data)
    except DomainError as err:
        choices.errors.append(_duplicate_message(err))
        return _order_page(c, tenant, shopper, request, choices, 409)
    if result.status_code == 201:
        return _to(f"/portal/{slug}/returns/{result.body['id']}?created=1")
    choices.rejected = result.body.get("code") == "policy_rejected"
    place_problems(choices, problems_from(result.body), str(result.body.get("message", "")))
    return _order_page(c, tenant, shopper, request, choices, result.status_code)


def _request_once(
    c: Container, shopper: session.Shopper, submission: str, data: ReturnInput
) -> StoredResponse:
    """Each rendered form carries a one-off submission id, so a double click cannot file two returns."""
    actor = shopper.actor()
    key = f"web:portal:{submission}" if 16 <= len(submission) <= 64 else None
    fingerprint = request_fingerprint("POST", "/portal/returns", data.model_dump(mode="json"))

    def run() -> StoredResponse:
        view = returns.request_return(c.db, c.clock, actor, data)
        return StoredResponse(201, {"id": view["id"]})

    def refused(err: DomainError) -> StoredResponse:
        problems = [{"field": p.field, "code": p.code, "message": p.message} for p in err.problems]
        return StoredResponse(422, {"code": err.code, "message": err.message, "problems": problems})

    return run_once(c.db, c.clock, actor, key, fingerprint, run, refused)


def _duplicate_message(err: DomainError) -> str:
    if err.code in ("idempotency_in_progress", "idempotency_key_reused"):
        return "This form was already sent. Reload the page to see your order as it is now."
    return err.message


# The return page, its methods and labels live in their own module, under the same /portal/{slug}.
router.include_router(portal_return.router)
