"""Tenants subscribe URLs to event types; private, loopback and link-local targets are refused."""

from __future__ import annotations

import base64
import secrets
import socket
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from returnflow.domain.errors import FieldProblem, NotFound, ValidationFailed
from returnflow.domain.webhooks import is_public_address, valid_pattern
from returnflow.services.access import Actor, Forbidden
from returnflow.services.clock import Clock
from returnflow.services.ids import new_id
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.tables_delivery import WebhookDelivery, WebhookSubscription
    from returnflow.adapters.db.uow import Database

# host, port → the addresses it resolves to. Injected so tests need no DNS.
Resolver = Callable[[str, int], Sequence[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, via the operating system."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


def _require_admin(actor: Actor) -> None:
    # Subscriptions send tenant data to arbitrary URLs, so only admins manage them.
    if actor.role != "admin":
        raise Forbidden(f"role '{actor.role}' may not manage webhook subscriptions", code="forbidden")


def _invalid(field: str, message: str, code: str = "invalid_url") -> ValidationFailed:
    return ValidationFailed(message, code=code, problems=[FieldProblem(field, code, message)])


def check_url(url: str, resolver: Resolver, *, allow_private: bool) -> None:
    """Refuse anything but http(s) URLs whose every address is public (unless development mode)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _invalid("url", "the URL must be an absolute http:// or https:// URL")
    if parts.username or parts.password:
        raise _invalid("url", "the URL must not carry credentials")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as err:
        raise _invalid("url", "the URL has an invalid port") from err
    if allow_private:
        return
    addresses = resolver(parts.hostname, port)
    if not addresses:
        raise _invalid("url", f"the host {parts.hostname} does not resolve", "unresolvable_url")
    private = [a for a in addresses if not is_public_address(a)]
    if private:
        raise _invalid(
            "url",
            f"the host {parts.hostname} resolves to a private, loopback or link-local address "
            f"({', '.join(private)}); allowed only for tenants configured for development",
            "private_url",
        )


def new_secret() -> str:
    """A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _audit(row: WebhookSubscription) -> dict[str, Any]:
    return {"url": row.url, "event_types": list(row.event_types), "status": row.status}


def subscription_view(row: WebhookSubscription) -> dict[str, Any]:
    """The API shape of a subscription (the secret is never shown again)."""
    return {
        "id": row.id,
        "url": row.url,
        "event_types": list(row.event_types),
        "status": row.status,
        "consecutive_failures": row.consecutive_failures,
        "disabled_reason": row.disabled_reason,
        "created_at": row.created_at,
    }


def create_subscription(
    db: Database, clock: Clock, actor: Actor, url: str, event_types: list[str], resolver: Resolver
) -> dict[str, Any]:
    """Subscribe a URL; the response carries the signing secret, shown only this once."""
    _require_admin(actor)
    bad = [p for p in event_types if not valid_pattern(p)]
    if not event_types or bad:
        raise _invalid("event_types", f"invalid event types: {bad or 'none given'}", "invalid_event_types")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        check_url(url, resolver, allow_private=uow.deliveries.allows_private_urls())
        row = uow.deliveries.add_subscription(
            id=new_id("whs"),
            url=url,
            event_types=sorted(set(event_types)),
            secret=new_secret(),
            status="active",
            created_at=now,
            updated_at=now,
        )
        view = subscription_view(row)
        record(uow, actor, now, "webhook_subscription.created", "webhook_subscription", row.id, _audit(row))
        uow.commit()
    return {**view, "secret": row.secret}


def list_subscriptions(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """The tenant's subscriptions."""
    _require_admin(actor)
    with db.uow(actor.tenant_id, readonly=True) as uow:
        return [subscription_view(r) for r in uow.deliveries.subscriptions()]


def set_status(
    db: Database, clock: Clock, actor: Actor, subscription_id: str, active: bool
) -> dict[str, Any]:
    """Disable a subscription, or enable it again (its failure count starts over)."""
    _require_admin(actor)
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        row = uow.deliveries.subscription(subscription_id, for_update=True)
        if row is None:
            raise NotFound(f"webhook subscription {subscription_id} not found", code="not_found")
        row.status = "active" if active else "disabled"
        row.disabled_reason = None if active else "disabled by the tenant"
        row.consecutive_failures, row.updated_at = 0, now
        view = subscription_view(row)
        record(
            uow, actor, now, f"webhook_subscription.{row.status}", "webhook_subscription", row.id, _audit(row)
        )
        uow.commit()
    return view


def delete_subscription(db: Database, clock: Clock, actor: Actor, subscription_id: str) -> None:
    """Remove a subscription and its delivery log."""
    _require_admin(actor)
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        if uow.deliveries.subscription(subscription_id, for_update=True) is None:
            raise NotFound(f"webhook subscription {subscription_id} not found", code="not_found")
        uow.deliveries.delete_subscription(subscription_id)
        record(uow, actor, now, "webhook_subscription.deleted", "webhook_subscription", subscription_id, {})
        uow.commit()


def delivery_view(row: WebhookDelivery, attempts: list[Any]) -> dict[str, Any]:
    """The API shape of a delivery with its attempt log."""
    return {
        "id": row.id,
        "event_id": row.event_id,
        "topic": row.topic,
        "status": row.status,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at if row.status == "pending" else None,
        "last_status_code": row.last_status_code,
        "last_error": row.last_error,
        "delivered_at": row.delivered_at,
        "log": [
            {"at": a.at, "status_code": a.status_code, "duration_ms": a.duration_ms, "error": a.error}
            for a in attempts
        ],
    }


def list_deliveries(
    db: Database, actor: Actor, subscription_id: str, limit: int = 100
) -> list[dict[str, Any]]:
    """A subscription's deliveries, newest first, each with every attempt."""
    _require_admin(actor)
    with db.uow(actor.tenant_id, readonly=True) as uow:
        if uow.deliveries.subscription(subscription_id) is None:
            raise NotFound(f"webhook subscription {subscription_id} not found", code="not_found")
        rows = uow.deliveries.deliveries_of(subscription_id, limit)
        logs = uow.deliveries.attempts_of([r.id for r in rows])
        return [delivery_view(r, logs[r.id]) for r in rows]


def set_development_mode(db: Database, clock: Clock, actor: Actor, allow_private_urls: bool) -> None:
    """Allow (or forbid again) webhook URLs on private networks, for a development tenant."""
    _require_admin(actor)
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        uow.deliveries.set_allow_private_urls(allow_private_urls, now)
        record(
            uow,
            actor,
            now,
            "delivery_settings.saved",
            "tenant",
            actor.tenant_id,
            {"allow_private_urls": allow_private_urls},
        )
        uow.commit()
