"""Queries over webhook subscriptions, deliveries, notifications and cases, scoped to one tenant."""

from __future__ import annotations

from returnflow.adapters.db.repositories.base import TenantScoped


class DeliveryRepository(TenantScoped):
    """webhook subscriptions, deliveries, notifications and cases of one tenant."""
