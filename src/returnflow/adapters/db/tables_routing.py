"""Tables of carriers, services, rate cards, routing decisions."""

from __future__ import annotations

from returnflow.adapters.db.tables import Base

__all__ = ["Base"]
