"""Queries over carrier secrets and carrier events, scoped to one tenant."""

from __future__ import annotations

from returnflow.adapters.db.repositories.base import TenantScoped


class TrackingRepository(TenantScoped):
    """carrier secrets and carrier events of one tenant."""
