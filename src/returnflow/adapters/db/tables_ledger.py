"""Tables of ledger accounts, postings, credits, refund instructions."""

from __future__ import annotations

from returnflow.adapters.db.tables import Base

__all__ = ["Base"]
