"""Queries over carriers, services, rate cards and routing decisions, scoped to one tenant."""

from __future__ import annotations

from returnflow.adapters.db.repositories.base import TenantScoped


class RoutingRepository(TenantScoped):
    """carriers, services, rate cards and routing decisions of one tenant."""
