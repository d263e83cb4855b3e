"""Customer emails and the return timeline, driven by outbox events."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from returnflow.domain.errors import NotFound
from returnflow.domain.webhooks import backoff_seconds
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.ids import new_id
from returnflow.services.mail_port import MailPort, OutgoingEmail, TemplateRenderer

if TYPE_CHECKING:
    from returnflow.adapters.db.tables import OutboxMessage
    from returnflow.adapters.db.uow import Database, UnitOfWork

EMAIL_KINDS = {
    "return.approved": "return_approved",
    "return.in_transit": "in_transit",
    "return.received": "received",
    "credit.issued": "credit_issued",
    "exchange.shipped": "exchange_shipped",
}
STAGES = {
    "return.requested": "Return requested",
    "return.pending_review": "Waiting for review",
    "return.approved": "Return approved",
    "return.rejected": "Return rejected",
    "return.label_created": "Return label ready",
    "return.in_transit": "On its way back",
    "return.delivered": "Delivered to the warehouse",
    "return.received": "Received",
    "return.inspected": "Inspected",
    "return.completed": "Completed",
    "return.cancelled": "Cancelled",
    "return.expired": "Expired (not shipped in time)",
    "credit.issued": "Credit issued",
    "exchange.shipped": "Exchange shipped",
}
MAX_EMAIL_ATTEMPTS = 8
LEASE = timedelta(seconds=60)


def on_event(uow: UnitOfWork, event: OutboxMessage, now: datetime) -> None:
    """Put a return's event on its timeline and queue the customer email it calls for."""
    if event.entity_type != "return":
        return
    if event.topic in STAGES:
        uow.deliveries.add_timeline(
            id=new_id("tle"),
            return_id=event.entity_id,
            source_id=event.id,
            at=event.created_at,
            kind="stage",
            title=STAGES[event.topic],
            detail={"topic": event.topic},
        )
    kind = EMAIL_KINDS.get(event.topic)
    if kind is not None:
        uow.deliveries.add_notification(
            id=new_id("ntf"),
            event_id=event.id,
            kind=kind,
            return_id=event.entity_id,
            context=event.payload,
            status="pending",
            next_attempt_at=now,
            created_at=now,
        )


def _amount(payload: dict[str, Any]) -> tuple[str, str]:
    credits = payload.get("credits") or []
    total = sum(int(c.get("amount", 0)) for c in credits)
    currency = credits[0].get("currency", "") if credits else ""
    methods = ", ".join(sorted({str(c.get("kind", "")).replace("_", " ") for c in credits})) or "refund"
    return f"{total / 100:.2f} {currency}".strip(), methods


def send_due(
    db: Database,
    clock: Clock,
    mailer: MailPort,
    renderer: TemplateRenderer,
    portal_base_url: str = "",
    rng: random.Random | None = None,
    batch: int = 20,
) -> int:
    """Send every due customer email once; record each on the return's timeline."""
    rng = rng or random.Random()
    now = clock()
    with db.uow("") as uow:
        claimed: list[tuple[str, str]] = []
        for row in uow.deliveries.claim_due_notifications(now, batch):
            row.next_attempt_at = now + LEASE  # a worker killed mid-send retries after the lease
            claimed.append((row.tenant_id, row.id))
        uow.commit()
    for tenant_id, notification_id in claimed:
        _send_one(db, clock, mailer, renderer, portal_base_url, rng, tenant_id, notification_id)
    return len(claimed)


def _send_one(
    db: Database,
    clock: Clock,
    mailer: MailPort,
    renderer: TemplateRenderer,
    base: str,
    rng: random.Random,
    tenant_id: str,
    notification_id: str,
) -> None:
    with db.uow(tenant_id) as uow:
        n = uow.deliveries.notification(notification_id)
        ret = uow.returns.get(n.return_id) if n is not None else None
        if n is None or n.status != "pending":
            return
        if ret is None:
            n.status, n.last_error = "failed", "return not found"
            uow.commit()
            return
        amount, method = _amount(n.context)
        decision = ret.decision or {}
        context = {
            **n.context,
            "number": ret.number,
            "order_number": ret.order_number,
            "status": ret.status,
            "amount": amount,
            "method": method,
            "ship_by": decision.get("ship_by"),
            "label_url": n.context.get("label_url"),
            "tracking_url": f"{base.rstrip('/')}/portal/returns/{ret.number}" if base else ret.number,
        }
        template = uow.deliveries.template(n.kind)
        override = (template.subject, template.body) if template is not None else None
        subject, body = renderer.render(n.kind, context, override)
        to = ret.customer_email
    now = clock()
    error: str | None = None
    try:
        mailer.send(OutgoingEmail(to=to, subject=subject, text=body))
    except Exception as exc:  # SMTP trouble is retried later; the worker keeps going
        error = f"{type(exc).__name__}: {exc}"[:500]
    with db.uow(tenant_id) as uow:
        n = uow.deliveries.notification(notification_id)
        if n is None or n.status != "pending":
            return
        n.attempts += 1
        n.last_error = error
        if error is None:
            n.status, n.sent_at = "sent", now
            uow.deliveries.add_timeline(
                id=new_id("tle"),
                return_id=n.return_id,
                source_id=f"email:{n.id}",
                at=now,
                kind="email",
                title=f"Email sent: {subject}",
                detail={"to": to, "kind": n.kind},
            )
        elif n.attempts >= MAX_EMAIL_ATTEMPTS:
            n.status = "failed"
        else:
            n.next_attempt_at = now + timedelta(seconds=backoff_seconds(n.attempts, rng.uniform))
        uow.commit()


def timeline(db: Database, actor: Actor, return_id: str) -> list[dict[str, Any]]:
    """A return's customer timeline: stages reached and emails sent, oldest first."""
    actor.require("returns.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        ret = uow.returns.get(return_id)
        if ret is None:
            raise NotFound(f"return {return_id} not found", code="not_found")
        actor.ensure_visible(
            email=ret.customer_email, node_code=ret.destination_node, what=f"return {return_id}"
        )
        return [
            {"at": e.at, "kind": e.kind, "title": e.title, "detail": e.detail}
            for e in uow.deliveries.timeline(ret.id)
        ]
