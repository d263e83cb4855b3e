"""Tables of webhook subscriptions, deliveries, notifications, timeline, NDR cases."""

from __future__ import annotations

from returnflow.adapters.db.tables import Base

__all__ = ["Base"]
