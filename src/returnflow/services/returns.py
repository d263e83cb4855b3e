"""Return use cases: request (policy + risk decide), approve, reject, cancel, read, list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from returnflow.domain.errors import DomainError, FieldProblem, NotFound, ValidationFailed
from returnflow.domain.policy import CustomerHistory, Decision, LineRequest, ReturnRequest, evaluate
from returnflow.domain.returns import ReturnStatus, releases_units, transition
from returnflow.domain.risk import RiskAssessment, RiskSignals, assess
from returnflow.services import routing
from returnflow.services.access import Actor
from returnflow.services.catalog import to_domain_product
from returnflow.services.clock import Clock
from returnflow.services.credit_reversal import reverse_in
from returnflow.services.credits import fire_trigger
from returnflow.services.ids import new_id, rma_number
from returnflow.services.inputs import ReturnInput
from returnflow.services.orders import to_domain_order
from returnflow.services.policies import policy_in_force, to_jsonable
from returnflow.services.recording import record
from returnflow.services.return_views import return_view

if TYPE_CHECKING:
    from returnflow.adapters.db.records import OrderLineRecord, OrderRecord
    from returnflow.adapters.db.repositories.orders import OrderWithLines
    from returnflow.adapters.db.tables import ReturnRow
    from returnflow.adapters.db.uow import Database, UnitOfWork


class PolicyRejected(DomainError):
    """The tenant's policy does not allow this return; `decision` says why, rule by rule."""

    decision: Decision | None = None


def customer_history(uow: UnitOfWork, email: str, now: datetime) -> CustomerHistory:
    """What the policy and risk model know about the customer's past."""
    year_ago = now - timedelta(days=365)
    returns_90d, units_returned, keep_its, bought = uow.returns.customer_history(
        email, now - timedelta(days=90), year_ago
    )
    return CustomerHistory(
        returns_90d=returns_90d,
        items_bought_365d=bought,
        items_returned_365d=units_returned,
        keep_it_365d=keep_its,
    )


def build_request(
    uow: UnitOfWork, found: OrderWithLines, data: ReturnInput, now: datetime
) -> tuple[ReturnRequest, RiskAssessment]:
    """Validate the requested lines against the order and assemble what the policy evaluates."""
    order = to_domain_order(found.order, found.lines, found.customer)
    products = uow.catalog.products([line.sku for line in order.lines])
    _, reasons = uow.policies.in_force()
    problems: list[FieldProblem] = []
    seen: set[str] = set()
    requested: list[LineRequest] = []
    for i, item in enumerate(data.lines):
        field = f"lines[{i}]"
        line = next((candidate for candidate in order.lines if candidate.id == item.order_line_id), None)
        if line is None:
            problems.append(
                FieldProblem(
                    f"{field}.order_line_id",
                    "unknown_order_line",
                    f"order {order.number} has no line {item.order_line_id}",
                )
            )
            continue
        if item.order_line_id in seen:
            problems.append(
                FieldProblem(
                    f"{field}.order_line_id", "duplicate_line", "the same order line is listed twice"
                )
            )
        seen.add(item.order_line_id)
        if item.reason not in reasons:
            problems.append(
                FieldProblem(
                    f"{field}.reason",
                    "unknown_reason",
                    f"unknown reason '{item.reason}'; one of: {', '.join(sorted(reasons))}",
                )
            )
        requested.append(
            LineRequest(
                line=line,
                product=to_domain_product(products[line.sku]),
                quantity=item.quantity,
                reason=item.reason,
                opened=item.opened,
                serial=item.serial,
            )
        )
    if problems:
        raise ValidationFailed(
            "the return request does not match the order", code="invalid_return", problems=problems
        )
    history = customer_history(uow, order.customer.email, now)
    items_value = sum(r.line.unit_price * r.quantity for r in requested)
    serial_mismatch = any(
        r.serial is not None and r.line.serials and r.serial not in r.line.serials for r in requested
    )
    risk = assess(
        RiskSignals(
            returns_90d=history.returns_90d,
            return_rate=history.return_rate,
            items_value=items_value,
            serial_mismatch=serial_mismatch,
            keep_it_365d=history.keep_it_365d,
        )
    )
    request = ReturnRequest(
        order=order,
        lines=tuple(requested),
        resolution=data.resolution,
        method=data.method,
        requested_at=now,
        history=history,
        risk_tier=risk.tier,
    )
    # Keep-it compares the real cost of bringing the items back (routing), when it can be priced.
    request = replace(request, return_shipping_cost=routing.quote_return_cost(uow, request))
    return request, risk


def _visible_order(uow: UnitOfWork, actor: Actor, number: str, *, lock: bool = False) -> OrderWithLines:
    found = uow.orders.with_lines(number, lock=lock)
    if found is None or not actor.sees_customer(found.order.customer_email):
        raise NotFound(f"order {number} not found", code="not_found")
    return found


def request_return(db: Database, clock: Clock, actor: Actor, data: ReturnInput) -> dict[str, Any]:
    """POST /returns: approved or sent to review (201), or rejected by policy (PolicyRejected)."""
    actor.require("returns.create")
    now = clock()
    requested_at = data.requested_at if data.requested_at is not None and actor.role != "customer" else now
    if db.write_gate is None:
        # Row locks (PostgreSQL): one transaction. The order's lines are locked first, so the
        # decision is made on claimed quantities no other return can change before commit.
        with db.uow(actor.tenant_id) as uow:
            found = _visible_order(uow, actor, data.order_number, lock=True)
            request, risk = build_request(uow, found, data, requested_at)
            decision = _decided(evaluate(policy_in_force(uow), request), data)
            return _commit_return(uow, actor, found, data, request, decision, risk, requested_at)
    # One writer at a time (SQLite's gate): decide on a read snapshot outside the gate, since
    # evaluating the policy is the slow part, then check the claims again under it.
    with db.uow(actor.tenant_id, readonly=True) as uow:
        found = _visible_order(uow, actor, data.order_number)
        request, risk = build_request(uow, found, data, requested_at)
        policy = policy_in_force(uow)
    decision = _decided(evaluate(policy, request), data)
    with db.uow(actor.tenant_id) as uow:
        locked = uow.orders.lines(found.order.id, for_update=True)
        if _claims_moved(request, locked):
            # Another return of this order landed in between: decide again under the lock.
            found = found._replace(lines=locked)
            request, risk = build_request(uow, found, data, requested_at)
            decision = _decided(evaluate(policy_in_force(uow), request), data)
        return _commit_return(uow, actor, found, data, request, decision, risk, requested_at)


def _commit_return(
    uow: UnitOfWork,
    actor: Actor,
    found: OrderWithLines,
    data: ReturnInput,
    request: ReturnRequest,
    decision: Decision,
    risk: RiskAssessment,
    requested_at: datetime,
) -> dict[str, Any]:
    """Store the decided return against the order's lines (locked), commit, and answer its view."""
    row = _store_return(uow, actor, found.order, data, request, decision, risk, requested_at)
    view = return_view(row, uow.returns.lines(row.id))
    uow.commit()
    return view


def _claims_moved(request: ReturnRequest, locked: Sequence[OrderLineRecord]) -> bool:
    """Whether any requested line's claimed quantity changed since the snapshot was read."""
    now_claimed = {line.id: line.returned_quantity for line in locked}
    return any(now_claimed.get(item.line.id) != item.line.returned_quantity for item in request.lines)


def _decided(decision: Decision, data: ReturnInput) -> Decision:
    """The decision, or PolicyRejected listing every reason against the request's fields."""
    if decision.outcome != "rejected":
        return decision
    err = PolicyRejected(
        "the return is not allowed by the policy",
        code="policy_rejected",
        problems=[FieldProblem(_reason_field(data, r.line_id), r.code, r.message) for r in decision.reasons],
    )
    err.decision = decision
    raise err


def _reason_field(data: ReturnInput, line_id: str | None) -> str:
    for i, item in enumerate(data.lines):
        if item.order_line_id == line_id:
            return f"lines[{i}]"
    return "return"


def _store_return(
    uow: UnitOfWork,
    actor: Actor,
    order_row: OrderRecord,
    data: ReturnInput,
    request: ReturnRequest,
    decision: Decision,
    risk: RiskAssessment,
    now: datetime,
) -> ReturnRow:
    status = ReturnStatus.REQUESTED
    target = ReturnStatus.PENDING_REVIEW if decision.outcome == "pending_review" else ReturnStatus.APPROVED
    status = transition(status, target)
    return_id = new_id("ret")
    method = "keep_it" if decision.keep_it else data.method
    lines = []
    for i, item in enumerate(request.lines):
        uow.orders.claim(item.line.id, item.quantity)
        lines.append(
            {
                "id": new_id("rtl"),
                "return_id": return_id,
                "position": i,
                "order_line_id": item.line.id,
                "sku": item.line.sku,
                "quantity": item.quantity,
                "unit_price": item.line.unit_price,
                "reason": item.reason,
                "note": data.lines[i].note,
                "opened": item.opened,
                "serial": item.serial,
                "status": status.value,
            }
        )
    row, _ = uow.returns.add(
        {
            "id": return_id,
            "number": rma_number(),
            "order_id": order_row.id,
            "order_number": order_row.number,
            "customer_email": order_row.customer_email,
            "status": status.value,
            "resolution": data.resolution,
            "method": method,
            "currency": decision.currency,
            "items_total": decision.items_total,
            "units": sum(item.quantity for item in request.lines),
            "refund_total": decision.refund_total,
            "policy_version": decision.policy_version,
            "credit_trigger": decision.credit_trigger,
            "decision": to_jsonable(decision),
            "risk": {"score": risk.score, "tier": risk.tier, "reasons": list(risk.reasons)},
            "created_at": now,
            "updated_at": now,
        },
        lines,
    )
    record(
        uow,
        actor,
        now,
        f"return.{status.value}",
        "return",
        return_id,
        {
            "number": row.number,
            "order_number": order_row.number,
            "status": status.value,
            "policy_version": decision.policy_version,
            "rules": [hit.rule_id for hit in decision.rules_fired],
            "refund_total": decision.refund_total,
            "risk_tier": risk.tier,
        },
        topic=f"return.{status.value}",
    )
    if status is ReturnStatus.APPROVED:
        fire_trigger(uow, actor, now, row, "approved")
        routing.on_approved(uow, actor, row, now)
    return row


def _load_for_change(uow: UnitOfWork, actor: Actor, return_id: str) -> ReturnRow:
    row = uow.returns.get(return_id, for_update=True)
    if row is None:
        raise NotFound(f"return {return_id} not found", code="not_found")
    actor.ensure_visible(email=row.customer_email, node_code=row.destination_node, what=f"return {return_id}")
    return row


def change_status(
    db: Database, clock: Clock, actor: Actor, return_id: str, target: ReturnStatus, note: str | None = None
) -> dict[str, Any]:
    """Move a return along the status machine (illegal → 409), releasing units when it ends early."""
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        row = _load_for_change(uow, actor, return_id)
        previous = row.status
        row.status = transition(row.status, target).value
        row.updated_at = now
        if note is not None:
            row.status_note = note
        lines = uow.returns.lines(row.id)
        for line in lines:
            line.status = row.status
            if releases_units(target):
                uow.orders.release_quantity(line.order_line_id, line.quantity)
        record(
            uow,
            actor,
            now,
            f"return.{row.status}",
            "return",
            row.id,
            {"from": previous, "to": row.status, "note": note},
            topic=f"return.{row.status}",
        )
        if releases_units(target):
            # Ended without its items: credits already posted are reversed (a paid refund refuses).
            reverse_in(uow, actor, now, row, note or f"return {row.status}")
        if target is ReturnStatus.APPROVED:
            fire_trigger(uow, actor, now, row, "approved")
            routing.on_approved(uow, actor, row, now)
        view = return_view(row, lines)
        uow.commit()
    return view


def approve(db: Database, clock: Clock, actor: Actor, return_id: str) -> dict[str, Any]:
    """A specialist approves a return waiting for review."""
    actor.require("returns.decide")
    return change_status(db, clock, actor, return_id, ReturnStatus.APPROVED)


def reject(db: Database, clock: Clock, actor: Actor, return_id: str, reason: str) -> dict[str, Any]:
    """A specialist rejects a return, with the reason the customer will see."""
    actor.require("returns.decide")
    return change_status(db, clock, actor, return_id, ReturnStatus.REJECTED, reason)


def cancel(db: Database, clock: Clock, actor: Actor, return_id: str) -> dict[str, Any]:
    """The customer (or staff) withdraws a return; its units become returnable again."""
    actor.require("returns.cancel")
    return change_status(db, clock, actor, return_id, ReturnStatus.CANCELLED)


def get_return(db: Database, actor: Actor, return_id: str) -> dict[str, Any]:
    """GET /returns/{id} (by id or RMA number)."""
    actor.require("returns.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        # By id, else by RMA number as people type it (numbers are stored upper-case).
        row = uow.returns.get(return_id) or uow.returns.by_number(return_id.strip().upper())
        if row is None:
            raise NotFound(f"return {return_id} not found", code="not_found")
        actor.ensure_visible(
            email=row.customer_email, node_code=row.destination_node, what=f"return {return_id}"
        )
        view = return_view(row, uow.returns.lines(row.id))
        view["timeline"] = [
            {"at": e.at, "action": e.action, "actor": e.actor, "data": e.data}
            for e in uow.records.entity_history("return", row.id)
        ]
        return view


def list_returns(
    db: Database,
    actor: Actor,
    *,
    status: str | None = None,
    order_number: str | None = None,
    query: str | None = None,
    after_id: str | None = None,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], str | None]:
    """Newest first, filtered; returns (page, id to continue after or None)."""
    actor.require("returns.read")
    if actor.role in ("warehouse", "partner") and actor.node_code is not None:
        return [], None  # no return is routed to a node before routing exists
    with db.uow(actor.tenant_id, readonly=True) as uow:
        rows = uow.returns.search(
            status=status,
            order_number=order_number,
            customer_email=actor.customer_email,
            query=query,
            after_id=after_id,
            limit=limit + 1,
        )
        page = rows[:limit]
        lines = uow.returns.lines_of([r.id for r in page])
        items = [return_view(r, lines[r.id]) for r in page]
    return items, (page[-1].id if len(rows) > limit else None)


def status_counts(db: Database, actor: Actor) -> dict[str, int]:
    """How many returns are in each status (ops console)."""
    actor.require("returns.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        return uow.returns.count_by_status()


def explain(
    db: Database, clock: Clock, actor: Actor, order_number: str, resolution: str = "refund"
) -> list[dict[str, Any]]:
    """What the policy would decide for each returnable line of an order, returned in full, today."""
    actor.require("policy.read")
    now = clock()
    out: list[dict[str, Any]] = []
    with db.uow(actor.tenant_id, readonly=True) as uow:
        found = _visible_order(uow, actor, order_number)
        policy = policy_in_force(uow)
        for line in found.lines:
            qty = max(line.quantity - line.returned_quantity, 1)
            data = ReturnInput.model_validate(
                {
                    "order_number": order_number,
                    "resolution": resolution,
                    "lines": [{"order_line_id": line.id, "quantity": qty, "reason": "changed_mind"}],
                }
            )
            request, risk = build_request(uow, found, data, now)
            decision = evaluate(policy, request)
            out.append(
                {"line_id": line.id, "sku": line.sku, "quantity": qty, "risk": risk, "decision": decision}
            )
    return out
