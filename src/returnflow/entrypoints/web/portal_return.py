"""The portal's return page: status and money, return methods with their fees, labels, the timeline."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from returnflow.bootstrap import Container
from returnflow.domain.errors import Conflict, DomainError, NotFound
from returnflow.entrypoints.web import session
from returnflow.entrypoints.web.lookups import find_tenant, product_names, reason_catalogue
from returnflow.entrypoints.web.portal_forms import read_method_choice, refusal_message
from returnflow.entrypoints.web.render import HEADERS, page
from returnflow.services import labels, notifications, return_methods, returns
from returnflow.services.tenants import TenantInfo

# Mounted by `portal.router`, which adds the /portal/{slug} prefix.
router = APIRouter(include_in_schema=False)
Form = Annotated[FormData, Depends(session.read_form)]
SHIPPED_METHODS = ("drop_off", "pickup")
# format -> (file name ending, Content-Disposition): the labels download, the QR code shows in the page.
LABEL_FILES = {"pdf": (".pdf", "attachment"), "zpl": (".zpl", "attachment"), "qr": ("-qr.png", "inline")}
NOTICES = {
    "method": "Your return method is saved.",
    "label": "Your return label is ready: download it below.",
}


def _not_found(message: str = "This page does not exist.") -> HTMLResponse:
    return page("not_found.html", {"message": message}, 404)


def _visit(request: Request, slug: str) -> tuple[Container, TenantInfo, session.Shopper] | Response:
    """The container, shop and shopper of a portal request, or the page to answer with instead."""
    c = session.container(request)
    tenant = find_tenant(c, slug)
    if tenant is None:
        return _not_found("We do not know this shop.")
    shopper = session.shopper(request, tenant.id)
    if shopper is None:
        return RedirectResponse(f"/portal/{slug}?session_ended=1", status_code=303)
    return c, tenant, shopper


def _has_label(ret: dict[str, Any]) -> bool:
    """Whether the return travels by carrier with a label the shopper can (re)print now."""
    if ret["status"] not in labels.LABELLED_STATUSES or ret["method"] in ("in_store", "keep_it"):
        return False
    return bool(ret["tracking_number"]) or ret["method"] in SHIPPED_METHODS


def return_page(
    c: Container,
    tenant: TenantInfo,
    shopper: session.Shopper,
    request: Request,
    return_id: str,
    *,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    """Render the return page for the shopper who owns the return (anyone else: 404)."""
    actor = shopper.actor()
    try:
        found = returns.get_return(c.db, actor, return_id)
        methods = (
            return_methods.list_methods(c.db, c.clock, actor, found["id"])
            if found["status"] == "approved"
            else []
        )
        updates = notifications.timeline(c.db, actor, found["id"])
    except NotFound:
        return _not_found("We could not find this return.")
    rules = list({hit["rule_id"]: hit for hit in found["decision"]["rules_fired"]}.values())
    context = {
        "tenant": tenant,
        "ret": found,
        "names": product_names(c, None, tenant.id, [line["sku"] for line in found["lines"]]),
        "rules": rules,
        "reason_labels": dict(reason_catalogue(c, tenant.id)),
        "notice": notice,
        "error": error,
        "csrf": session.form_token(request, shopper.token),
        "offered": [m for m in methods if m["available"]],
        "not_offered": [m for m in methods if not m["available"]],
        "chosen": next((m for m in methods if m["selected"]), None),
        # Settled once a label exists, or once in-store is picked (it hands the parcel route back).
        "can_choose": found["status"] == "approved"
        and not found["tracking_number"]
        and found["method"] not in ("in_store", "keep_it"),
        "has_label": _has_label(found),
        "customer_timeline": updates,
    }
    return page("portal_return.html", context, status)


@router.get("/returns/{return_id}", response_class=HTMLResponse)
def tracking(
    request: Request, slug: str, return_id: str, created: str | None = None, done: str | None = None
) -> Response:
    """A return's status, money, return methods, label and timeline, for the customer who requested it."""
    visit = _visit(request, slug)
    if isinstance(visit, Response):
        return visit
    c, tenant, shopper = visit
    notice = "Thank you — we have your return request." if created else NOTICES.get(done or "")
    return return_page(c, tenant, shopper, request, return_id, notice=notice)


@router.post("/returns/{return_id}/method", response_class=HTMLResponse)
def choose_method(request: Request, slug: str, return_id: str, form: Form) -> Response:
    """Save the method the shopper picked; a shipped method gets its label (and tracking number) at once."""
    visit = _visit(request, slug)
    if isinstance(visit, Response):
        return visit
    c, tenant, shopper = visit
    if not session.form_trusted(request, form, shopper.token):
        return page("forbidden.html", {"message": session.FORM_EXPIRED}, 403)
    code, problem = read_method_choice(form)
    if code is None:
        return return_page(c, tenant, shopper, request, return_id, error=problem, status=422)
    actor = shopper.actor()
    try:
        chosen = return_methods.choose_method(c.db, c.clock, actor, return_id, code)
        if chosen["method"] in SHIPPED_METHODS:
            labels.label_for(c.db, c.clock, actor, chosen["id"], c.label_carrier)
    except NotFound:
        return _not_found("We could not find this return.")
    except DomainError as err:
        status = 409 if isinstance(err, Conflict) else 422
        return return_page(c, tenant, shopper, request, return_id, error=refusal_message(err), status=status)
    done = "label" if chosen["method"] in SHIPPED_METHODS else "method"
    return RedirectResponse(f"/portal/{slug}/returns/{chosen['id']}?done={done}", status_code=303)


@router.get("/returns/{return_id}/label/{fmt}")
def label(request: Request, slug: str, return_id: str, fmt: str) -> Response:
    """The shopper's own return label: PDF (4×6), ZPL for thermal printers, or the drop-off QR code."""
    visit = _visit(request, slug)
    if isinstance(visit, Response):
        return visit
    c, tenant, shopper = visit
    if fmt not in LABEL_FILES:
        return _not_found("There is no label in this format.")
    try:
        issued = labels.label_for(c.db, c.clock, shopper.actor(), return_id, c.label_carrier)
        data, media = labels.render_label(issued, fmt)
    except NotFound:
        return _not_found("We could not find this return.")
    except DomainError as err:
        status = 409 if isinstance(err, Conflict) else 422
        return return_page(c, tenant, shopper, request, return_id, error=refusal_message(err), status=status)
    ending, disposition = LABEL_FILES[fmt]
    headers = {
        **HEADERS,
        "Content-Disposition": f'{disposition}; filename="{issued.rma_number}{ending}"',
        "X-Tracking-Number": issued.tracking_number,
    }
    return Response(data, media_type=media, headers=headers)
