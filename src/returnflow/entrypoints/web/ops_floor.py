"""The returns-center workstation: scan a parcel, count it, inspect each line, see its disposition.

Keyboard- and scanner-first: every page has one scan field that has the focus, and Enter submits.
While a line is inspected the scan field takes commands: 1–5 or A–F grade the unit and submit,
P passes every open check, and a scanned serial fills the serial field.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from returnflow.bootstrap import Container
from returnflow.domain.errors import Conflict, DomainError, FieldProblem, NotFound, ValidationFailed
from returnflow.domain.inspection import Checklist, evaluate
from returnflow.entrypoints.web import ops_inventory, session
from returnflow.entrypoints.web.floor_reads import (
    FloorLine,
    FloorReturn,
    bound_node,
    checklist_for,
    floor_view,
    receiving_nodes,
    return_for_scan,
)
from returnflow.entrypoints.web.lookups import product_names
from returnflow.entrypoints.web.render import page as plain_page
from returnflow.entrypoints.web.workstation_forms import (
    Entered,
    answers_of,
    inspection_input,
    read_command,
    read_count,
    read_entered,
    received_lines,
)
from returnflow.entrypoints.web.workstation_views import (
    GRADE_CHOICES,
    RECEIPT_WORDS,
    by_field,
    flag_alerts,
    page,
    problem_lines,
    sentence,
)
from returnflow.services import catalog, disposition, inspection, photos, receiving
from returnflow.services.access import PERMISSIONS, Forbidden
from returnflow.services.floor_inputs import InspectionInput, ReceivedLineInput

WS = "/ops/workstation"
# Inspection forms carry photos: the app gives this path the photo body limit (times the files).
PHOTO_FORM_PATH = r"/ops/workstation/returns/[^/]+/lines/[^/]+/inspect"
MAX_FORM_FILES = 6
_ID = re.compile(r"^[a-z]{3}_[0-9a-z]{26}$")


async def read_upload_form(request: Request) -> AsyncIterator[FormData]:
    """The posted multipart form with its photos (spooled to disk when large, closed after the request)."""
    form = await request.form(max_files=MAX_FORM_FILES, max_fields=500)
    try:
        yield form
    finally:
        await form.close()


router = APIRouter(prefix="/ops", include_in_schema=False)
router.include_router(ops_inventory.router)
Form = Annotated[FormData, Depends(session.read_form)]
UploadForm = Annotated[FormData, Depends(read_upload_form)]


def _to(path: str, **params: str | None) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v})
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


def _status(err: DomainError) -> int:
    if isinstance(err, Forbidden):
        return 403
    if isinstance(err, NotFound):
        return 404
    return 409 if isinstance(err, Conflict) else 422


def _field(form: FormData, name: str, limit: int = 100) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _return_or_404(c: Container, staff: session.Staff, return_id: str) -> FloorReturn | Response:
    """The return as the floor sees it, or the not-found page (also for another tenant's return)."""
    try:
        return floor_view(c, staff.actor, return_id)
    except DomainError:
        return plain_page("not_found.html", {"message": "We could not find this return."}, 404)


def _trusted_staff(request: Request, form: FormData) -> session.Staff | Response:
    """The signed-in staff member behind a form post, or the answer when there is none or it is stale."""
    staff = session.staff(request)
    if staff is None:
        return _to("/ops")
    if not session.form_trusted(request, form, staff.token):
        return plain_page("forbidden.html", {"message": session.FORM_EXPIRED}, 403)
    return staff


def _context(request: Request, staff: session.Staff, wanted: str, **more: Any) -> dict[str, Any]:
    """Everything the workstation template reads, with the node this page works at."""
    c = session.container(request)
    nodes = receiving_nodes(c, staff.actor)
    codes = [n["code"] for n in nodes]
    fixed = bound_node(staff.actor)
    node = fixed or (wanted if wanted in codes else (codes[0] if codes else ""))
    base: dict[str, Any] = {
        "actor": staff.actor,
        "csrf": session.form_token(request, staff.token),
        "nodes": nodes,
        "node": node,
        "node_fixed": fixed is not None,
        "step": "scan",
        "scan": "",
        "alerts": [],
        "problems": {},
        "notice": None,
        "blind": None,
        "waiting": [],
        "receipt": None,
        "receipt_words": RECEIPT_WORDS,
        "ret": None,
        "names": {},
        "line": None,
        "product": None,
        "checklist": None,
        "entered": Entered(),
        "photos": [],
        "taken": set(),
        "grades": GRADE_CHOICES,
        "detail": None,
        "flag_alerts": [],
        "can_override": staff.actor.role in PERMISSIONS["disposition.override"],
        "options": [],
        "counted": {},
        "max_photo_bytes": c.settings.max_photo_bytes,
    }
    return {**base, **more}


def _scan_page(request: Request, staff: session.Staff, node: str, status: int = 200, **more: Any) -> Response:
    ctx = _context(request, staff, node, **more)
    c = session.container(request)
    try:
        ctx["waiting"] = receiving.blind_receipts(c.db, staff.actor, ctx["node"] or None)[:10]
    except DomainError:
        ctx["waiting"] = []
    return page("ops_workstation.html", ctx, status)


@router.get("/workstation", response_class=HTMLResponse)
def workstation(request: Request, node: str = "", blind: str = "") -> Response:
    """The scan field, ready for the next parcel (and the blind receipt just recorded, if any)."""
    staff = session.staff(request)
    if staff is None:
        return _to("/ops")
    found = None
    if _ID.match(blind):
        try:
            found = receiving.get_receipt(session.container(request).db, staff.actor, blind)
        except DomainError:
            found = None
    return _scan_page(request, staff, node[:64], blind=found)


@router.post("/workstation/scan", response_class=HTMLResponse)
def scan(request: Request, form: Form) -> Response:
    """Receive the scanned parcel at the node (or count it first); an empty scan goes to the next line."""
    staff = _trusted_staff(request, form)
    if not isinstance(staff, session.Staff):
        return staff
    c = session.container(request)
    node = _context(request, staff, _field(form, "node", 64))["node"]
    text = _field(form, "scan", 500)
    current = _field(form, "return_id", 40)
    if not text:
        if _ID.match(current):
            return _to(f"{WS}/returns/{current}", node=node)
        return _scan_page(
            request, staff, node, 422, alerts=["Scan a tracking number, an RMA number or a label's barcode."]
        )
    if not node:
        message = "No node receives returns yet: add a node with the receive capability first."
        return _scan_page(request, staff, node, 422, alerts=[message], scan=text)
    if form.get("count") == "on":
        try:
            found = return_for_scan(c, staff.actor, text)
            view = floor_view(c, staff.actor, found) if found else None
        except DomainError as err:
            return _scan_page(request, staff, node, _status(err), alerts=problem_lines(err), scan=text)
        if view is not None:
            return _count_page(request, staff, node, text, view)
    return _receive(request, staff, node, text, None)


def _receive(
    request: Request,
    staff: session.Staff,
    node: str,
    text: str,
    lines: list[ReceivedLineInput] | None,
    view: FloorReturn | None = None,
) -> Response:
    c = session.container(request)
    try:
        got = receiving.receive(c.db, c.clock, staff.actor, text, node, lines=lines)
    except DomainError as err:
        if isinstance(err, Conflict) and err.code == "already_received":
            found = return_for_scan(c, staff.actor, text)
            if found:
                return _to(f"{WS}/returns/{found}", node=node, note="already_received")
        if view is not None:
            return _count_page(
                request, staff, node, text, view, alerts=problem_lines(err), status=_status(err)
            )
        return _scan_page(request, staff, node, _status(err), alerts=problem_lines(err), scan=text)
    if got["matched"]:
        return _to(f"{WS}/returns/{got['return_id']}", node=node, receipt=got["id"])
    return _to(WS, node=node, blind=got["id"])


def _count_page(
    request: Request,
    staff: session.Staff,
    node: str,
    text: str,
    view: FloorReturn,
    *,
    alerts: list[str] | None = None,
    problems: list[FieldProblem] | None = None,
    counted: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    c = session.container(request)
    ctx = _context(
        request,
        staff,
        node,
        step="count",
        scan=text,
        ret=view,
        names=product_names(c, staff.actor, staff.actor.tenant_id, [ln.sku for ln in view.lines]),
        alerts=alerts or [],
        problems=by_field(problems or []),
        counted=counted or {},
    )
    return page("ops_workstation.html", ctx, status)


@router.post("/workstation/receive", response_class=HTMLResponse)
def receive_counted(request: Request, form: Form) -> Response:
    """Receive a parcel as counted: short, missing, left for a later parcel, or a wrong item."""
    staff = _trusted_staff(request, form)
    if not isinstance(staff, session.Staff):
        return staff
    c = session.container(request)
    node = _context(request, staff, _field(form, "node", 64))["node"]
    text = _field(form, "scan", 500)
    try:
        view = floor_view(c, staff.actor, _field(form, "return_id", 40))
    except DomainError as err:
        return _scan_page(request, staff, node, _status(err), alerts=problem_lines(err), scan=text)
    counted = read_count(form, [ln.id for ln in view.lines])
    lines, problems = received_lines(counted, _field(form, "extra_sku", 64), _field(form, "extra_qty", 10))
    if problems:
        refill: dict[str, Any] = {cl.line_id: cl for cl in counted}
        refill["extra"] = {"sku": _field(form, "extra_sku", 64), "qty": _field(form, "extra_qty", 10)}
        return _count_page(
            request,
            staff,
            node,
            text,
            view,
            alerts=["The count is not complete yet."],
            problems=problems,
            counted=refill,
            status=422,
        )
    return _receive(request, staff, node, text, lines, view)


def _line_context(
    request: Request, staff: session.Staff, node: str, view: FloorReturn, **more: Any
) -> dict[str, Any]:
    c = session.container(request)
    names = product_names(c, staff.actor, staff.actor.tenant_id, [ln.sku for ln in view.lines])
    return _context(request, staff, node, ret=view, names=names, **more)


def _inspect_page(
    request: Request,
    staff: session.Staff,
    node: str,
    view: FloorReturn,
    line: FloorLine,
    entered: Entered,
    *,
    alerts: list[str] | None = None,
    problems: list[FieldProblem] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    c = session.container(request)
    product = catalog.get_product(c.db, staff.actor, line.sku)
    detail = inspection.get_line(c.db, staff.actor, view.id, line.id)
    if not entered.started_at:
        entered = replace(entered, started_at=c.clock().isoformat())
    ctx = _line_context(
        request,
        staff,
        node,
        view,
        step="inspect",
        line=line,
        product=product,
        checklist=checklist_for(c, staff.actor, product["category"]),
        entered=entered,
        photos=detail["photos"],
        taken={p["code"] for p in detail["photos"] if p["code"]},
        alerts=alerts or [],
        problems=by_field(problems or []),
        notice=notice,
    )
    return page("ops_workstation.html", ctx, status)


def _result_page(
    request: Request,
    staff: session.Staff,
    node: str,
    view: FloorReturn,
    line: FloorLine,
    *,
    alerts: list[str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    c = session.container(request)
    detail = inspection.get_line(c.db, staff.actor, view.id, line.id)
    chosen = detail["disposition"]
    options = [
        a for a in (chosen or {}).get("alternatives", []) if a["allowed"] and a["path"] != chosen["path"]
    ]
    ctx = _line_context(
        request,
        staff,
        node,
        view,
        step="result",
        line=line,
        detail=detail,
        flag_alerts=flag_alerts(detail["inspection"], chosen),
        options=options,
        alerts=alerts or [],
        notice=notice,
    )
    return page("ops_workstation.html", ctx, status)


NOTES = {
    "already_received": "This parcel was already received; carry on with its inspection.",
    "override": "Disposition changed; the reason is in the audit log.",
}


@router.get("/workstation/returns/{return_id}", response_class=HTMLResponse)
def return_page(
    request: Request, return_id: str, node: str = "", line: str = "", receipt: str = "", note: str = ""
) -> Response:
    """A received return: its lines, then the next line's inspection or a line's disposition."""
    staff = session.staff(request)
    if staff is None:
        return _to("/ops")
    c = session.container(request)
    view = _return_or_404(c, staff, return_id)
    if not isinstance(view, FloorReturn):
        return view
    notice = NOTES.get(note)
    got = None
    if _ID.match(receipt):
        try:
            got = receiving.get_receipt(c.db, staff.actor, receipt)
        except DomainError:
            got = None
    chosen = view.line(line) if line else view.next_line
    if chosen is not None and chosen.status == "inspected":
        return _result_page(request, staff, node, view, chosen, notice=notice)
    if chosen is not None and chosen.to_inspect:
        ctx_notice = notice or (RECEIPT_WORDS.get(got["kind"]) if got else None)
        return _inspect_page(request, staff, node, view, chosen, Entered(), notice=ctx_notice)
    done = view.next_line is None and all(ln.status in ("inspected", "missing") for ln in view.lines)
    message = (
        f"Every line of {view.number} is done." if done else f"Nothing more of {view.number} to inspect now."
    )
    ctx = _line_context(request, staff, node, view, step="done", receipt=got, notice=notice or message)
    return page("ops_workstation.html", ctx)


def _photo_uploads(
    form: FormData, checklist: Checklist, limit: int
) -> tuple[list[tuple[str, bytes]], list[FieldProblem]]:
    """The photos posted (by checklist code, plus an optional extra one), each checked for type and size."""
    labels = {p.code: p.label for p in checklist.photos} | {"extra": "Additional photo"}
    uploads: list[tuple[str, bytes]] = []
    problems: list[FieldProblem] = []
    for code, label in labels.items():
        item = form.get(f"photo_{code}")
        if not isinstance(item, UploadFile) or (not item.filename and not item.size):
            continue
        data = item.file.read(limit + 1)  # never more than one byte past the limit in memory
        name = f" ({item.filename})" if item.filename else ""
        try:
            photos.check_photo(data, limit)
        except photos.PhotoTooLarge as err:
            size = max(item.size or 0, len(data))
            message = f"the photo is {size:,} bytes; the limit is {limit:,} bytes"
            problems.append(FieldProblem(f"photos.{code}", err.code, f"{label}{name}: {message}"))
            continue
        except ValidationFailed as err:
            problems.append(FieldProblem(f"photos.{code}", err.code, f"{label}{name}: {err}"))
            continue
        uploads.append((code, data))
    return uploads, problems


@router.post("/workstation/returns/{return_id}/lines/{line_id}/inspect", response_class=HTMLResponse)
def inspect(request: Request, return_id: str, line_id: str, form: UploadForm) -> Response:
    """Record a line's inspection (photos first, all checked before anything is stored), then show it."""
    staff = _trusted_staff(request, form)
    if not isinstance(staff, session.Staff):
        return staff
    c = session.container(request)
    node = _field(form, "node", 64)
    view = _return_or_404(c, staff, return_id)
    if not isinstance(view, FloorReturn):
        return view
    line = view.line(line_id)
    if line is None:
        return plain_page("not_found.html", {"message": "This return has no such line."}, 404)
    if line.status == "inspected":
        return _result_page(
            request, staff, node, view, line, alerts=["This line is already inspected."], status=409
        )
    product = catalog.get_product(c.db, staff.actor, line.sku)
    checklist = checklist_for(c, staff.actor, product["category"])
    entered = read_entered(form, checklist)
    command = read_command(entered.scan)
    entered = replace(entered, scan="")
    if command.kind == "pass_all":
        notice = "Every open check is marked as passed."
        return _inspect_page(
            request, staff, node, view, line, entered.passing_open_checks(checklist), notice=notice
        )
    problems: list[FieldProblem] = []
    if command.kind == "grade":
        entered = replace(entered, grade=command.value)
    elif command.kind == "bad_grade":
        problems.append(
            FieldProblem("grade", "invalid_grade", f"{command.value} is not a grade: use 1–5 or A–F")
        )
    elif command.kind == "serial":
        if entered.serial and entered.serial != command.value:
            problems.append(
                FieldProblem("serial", "two_serials", "A serial is already entered; correct it in Serial")
            )
        entered = replace(entered, serial=entered.serial or command.value)
    answers, answer_problems = answers_of(entered, checklist)
    data, input_problems = inspection_input(entered, answers)
    uploads, photo_problems = _photo_uploads(form, checklist, c.settings.max_photo_bytes)
    problems = photo_problems + problems + answer_problems + input_problems
    detail = inspection.get_line(c.db, staff.actor, view.id, line.id)
    taken = {p["code"] for p in detail["photos"] if p["code"]} | {code for code, _ in uploads}
    refused = {p.field for p in photo_problems}
    if data is not None and not answer_problems:
        try:
            evaluate(checklist, answers, taken, grade=data.grade)
        except ValidationFailed as err:
            problems += [p for p in err.problems if p.field not in refused]
    if problems or data is None:
        return _inspect_page(
            request,
            staff,
            node,
            view,
            line,
            entered,
            alerts=[sentence(p.message) for p in problems],
            problems=problems,
            status=422,
        )
    return _record(request, staff, node, view, line, entered, data, uploads)


def _record(
    request: Request,
    staff: session.Staff,
    node: str,
    view: FloorReturn,
    line: FloorLine,
    entered: Entered,
    data: InspectionInput,
    uploads: list[tuple[str, bytes]],
) -> Response:
    c = session.container(request)
    try:
        for code, blob in uploads:
            photos.upload_photo(
                c.db,
                c.clock,
                staff.actor,
                c.photos,
                view.id,
                line.id,
                blob,
                code=code,
                max_bytes=c.settings.max_photo_bytes,
            )
        inspection.inspect_line(c.db, c.clock, staff.actor, view.id, line.id, data)
    except DomainError as err:
        return _inspect_page(
            request,
            staff,
            node,
            floor_view(c, staff.actor, view.id),
            line,
            entered,
            alerts=problem_lines(err),
            problems=err.problems,
            status=_status(err),
        )
    return _to(f"{WS}/returns/{view.id}", node=node, line=line.id)


@router.post("/workstation/returns/{return_id}/lines/{line_id}/override", response_class=HTMLResponse)
def override(request: Request, return_id: str, line_id: str, form: Form) -> Response:
    """A specialist sends the line down another allowed path, with the reason (audited)."""
    staff = _trusted_staff(request, form)
    if not isinstance(staff, session.Staff):
        return staff
    c = session.container(request)
    node = _field(form, "node", 64)
    view = _return_or_404(c, staff, return_id)
    if not isinstance(view, FloorReturn):
        return view
    line = view.line(line_id)
    if line is None or line.status != "inspected":
        return plain_page("not_found.html", {"message": "This line has no disposition yet."}, 404)
    path, reason = _field(form, "path", 40), _field(form, "reason", 2000)
    try:
        if not reason:
            raise ValidationFailed(
                "Give the reason for the override (it is kept in the audit log).", code="reason"
            )
        disposition.override_disposition(c.db, c.clock, staff.actor, return_id, line_id, path, reason)
    except DomainError as err:
        return _result_page(request, staff, node, view, line, alerts=problem_lines(err), status=_status(err))
    return _to(f"{WS}/returns/{return_id}", node=node, line=line_id, note="override")
