"""Queries over webhook subscriptions, deliveries, notifications and cases, scoped to one tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.tables import OutboxMessage, ReturnRow
from returnflow.adapters.db.tables_delivery import (
    DeliveryAttempt,
    DeliverySettings,
    Notification,
    NotificationTemplate,
    TimelineEntry,
    WebhookDelivery,
    WebhookSubscription,
)


class DeliveryRepository(TenantScoped):
    """webhook subscriptions, deliveries, notifications and cases of one tenant.

    The `claim_*` methods are the worker's: they look across tenants (the outbox and the delivery
    queue are shared) and lock what they return (SKIP LOCKED on PostgreSQL; SQLite has one writer).
    """

    # --- settings ---------------------------------------------------------------------------
    def allows_private_urls(self) -> bool:
        """Whether this tenant is configured for development (private webhook URLs allowed)."""
        row = self.s.get(DeliverySettings, self.tenant_id)
        return bool(row and row.allow_private_urls)

    def set_allow_private_urls(self, allow: bool, at: datetime) -> None:
        """Turn development mode (private webhook URLs) on or off."""
        row = self.s.get(DeliverySettings, self.tenant_id)
        if row is None:
            self.s.add(DeliverySettings(tenant_id=self.tenant_id, allow_private_urls=allow, updated_at=at))
        else:
            row.allow_private_urls, row.updated_at = allow, at

    # --- subscriptions ----------------------------------------------------------------------
    def add_subscription(self, **values: Any) -> WebhookSubscription:
        """Store a new subscription."""
        row = WebhookSubscription(tenant_id=self.tenant_id, consecutive_failures=0, **values)
        self.s.add(row)
        return row

    def subscription(self, subscription_id: str, *, for_update: bool = False) -> WebhookSubscription | None:
        """One subscription of this tenant."""
        query = select(WebhookSubscription).where(
            WebhookSubscription.tenant_id == self.tenant_id, WebhookSubscription.id == subscription_id
        )
        if for_update:
            query = query.with_for_update()
        return self.s.scalars(query).one_or_none()

    def subscriptions(self, *, active_only: bool = False) -> Sequence[WebhookSubscription]:
        """This tenant's subscriptions, oldest first."""
        query = select(WebhookSubscription).where(WebhookSubscription.tenant_id == self.tenant_id)
        if active_only:
            query = query.where(WebhookSubscription.status == "active")
        return self.s.scalars(query.order_by(WebhookSubscription.id)).all()

    def delete_subscription(self, subscription_id: str) -> None:
        """Remove a subscription with its deliveries and their attempt log."""
        ids = select(WebhookDelivery.id).where(
            WebhookDelivery.tenant_id == self.tenant_id, WebhookDelivery.subscription_id == subscription_id
        )
        self.s.execute(
            delete(DeliveryAttempt).where(
                DeliveryAttempt.tenant_id == self.tenant_id, DeliveryAttempt.delivery_id.in_(ids)
            )
        )
        self.s.execute(
            delete(WebhookDelivery).where(
                WebhookDelivery.tenant_id == self.tenant_id,
                WebhookDelivery.subscription_id == subscription_id,
            )
        )
        self.s.execute(
            delete(WebhookSubscription).where(
                WebhookSubscription.tenant_id == self.tenant_id, WebhookSubscription.id == subscription_id
            )
        )

    # --- deliveries -------------------------------------------------------------------------
    def add_delivery(self, **values: Any) -> WebhookDelivery:
        """Queue an event for one subscription."""
        row = WebhookDelivery(tenant_id=self.tenant_id, attempts=0, **values)
        self.s.add(row)
        return row

    def delivery(self, delivery_id: str, *, for_update: bool = False) -> WebhookDelivery | None:
        """One delivery of this tenant."""
        query = select(WebhookDelivery).where(
            WebhookDelivery.tenant_id == self.tenant_id, WebhookDelivery.id == delivery_id
        )
        if for_update:
            query = query.with_for_update()
        return self.s.scalars(query).one_or_none()

    def deliveries_of(self, subscription_id: str, limit: int = 100) -> Sequence[WebhookDelivery]:
        """A subscription's deliveries, newest first."""
        return self.s.scalars(
            select(WebhookDelivery)
            .where(
                WebhookDelivery.tenant_id == self.tenant_id,
                WebhookDelivery.subscription_id == subscription_id,
            )
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        ).all()

    def add_attempt(self, **values: Any) -> None:
        """Log one HTTP attempt."""
        self.s.add(DeliveryAttempt(tenant_id=self.tenant_id, **values))

    def attempts_of(self, delivery_ids: Sequence[str]) -> dict[str, list[DeliveryAttempt]]:
        """The attempt log of some deliveries, oldest first per delivery."""
        found: dict[str, list[DeliveryAttempt]] = {i: [] for i in delivery_ids}
        if not delivery_ids:
            return found
        rows = self.s.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.tenant_id == self.tenant_id, DeliveryAttempt.delivery_id.in_(delivery_ids))
            .order_by(DeliveryAttempt.at, DeliveryAttempt.id)
        ).all()
        for row in rows:
            found[row.delivery_id].append(row)
        return found

    # --- notifications, templates, timeline ---------------------------------------------------
    def add_notification(self, **values: Any) -> Notification:
        """Queue a customer email."""
        row = Notification(tenant_id=self.tenant_id, attempts=0, **values)
        self.s.add(row)
        return row

    def notification(self, notification_id: str) -> Notification | None:
        """One notification, locked for the sender."""
        return self.s.scalars(
            select(Notification)
            .where(Notification.tenant_id == self.tenant_id, Notification.id == notification_id)
            .with_for_update()
        ).one_or_none()

    def template(self, kind: str) -> NotificationTemplate | None:
        """This tenant's override of an email template."""
        return self.s.get(NotificationTemplate, (self.tenant_id, kind))

    def put_template(self, kind: str, subject: str, body: str, at: datetime) -> None:
        """Store (or replace) an override."""
        row = self.template(kind)
        if row is None:
            self.s.add(
                NotificationTemplate(
                    tenant_id=self.tenant_id, kind=kind, subject=subject, body=body, updated_at=at
                )
            )
        else:
            row.subject, row.body, row.updated_at = subject, body, at

    def add_timeline(self, **values: Any) -> None:
        """Append to a return's customer timeline (source_id makes it idempotent)."""
        exists = self.s.scalars(
            select(TimelineEntry.id).where(
                TimelineEntry.tenant_id == self.tenant_id, TimelineEntry.source_id == values["source_id"]
            )
        ).first()
        if exists is None:
            self.s.add(TimelineEntry(tenant_id=self.tenant_id, **values))

    def timeline(self, return_id: str) -> Sequence[TimelineEntry]:
        """A return's customer timeline, oldest first."""
        return self.s.scalars(
            select(TimelineEntry)
            .where(TimelineEntry.tenant_id == self.tenant_id, TimelineEntry.return_id == return_id)
            .order_by(TimelineEntry.at, TimelineEntry.id)
        ).all()

    # --- the worker's cross-tenant queues ------------------------------------------------------
    def claim_outbox(self, limit: int) -> Sequence[OutboxMessage]:
        """Oldest unpublished events of every tenant, locked (others skip them)."""
        return self.s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.published_at.is_(None))
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()

    def claim_due_deliveries(self, now: datetime, limit: int) -> Sequence[WebhookDelivery]:
        """Pending deliveries whose time has come, of every tenant, locked."""
        return self.s.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()

    def claim_due_notifications(self, now: datetime, limit: int) -> Sequence[Notification]:
        """Pending customer emails whose time has come, of every tenant, locked."""
        return self.s.scalars(
            select(Notification)
            .where(Notification.status == "pending", Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()

    def subscriptions_of_tenants(self, tenant_ids: Sequence[str]) -> dict[str, list[WebhookSubscription]]:
        """Active subscriptions of several tenants (the fan-out of one batch)."""
        found: dict[str, list[WebhookSubscription]] = {t: [] for t in tenant_ids}
        if tenant_ids:
            rows = self.s.scalars(
                select(WebhookSubscription)
                .where(WebhookSubscription.tenant_id.in_(tenant_ids), WebhookSubscription.status == "active")
                .order_by(WebhookSubscription.id)
            ).all()
            for row in rows:
                found[row.tenant_id].append(row)
        return found

    def approved_returns(self, limit: int) -> list[tuple[str, str, dict[str, Any]]]:
        """(tenant, return id, decision) of approved returns of every tenant, oldest first."""
        rows = self.s.execute(
            select(ReturnRow.tenant_id, ReturnRow.id, ReturnRow.decision)
            .where(ReturnRow.status == "approved")
            .order_by(ReturnRow.created_at)
            .limit(limit)
        ).all()
        return [(r[0], r[1], r[2]) for r in rows]
