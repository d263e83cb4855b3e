"""Tables of carrier secrets and carrier events."""

from __future__ import annotations

from returnflow.adapters.db.tables import Base

__all__ = ["Base"]
