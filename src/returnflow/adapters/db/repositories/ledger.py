"""Queries over ledger postings, credits and refund instructions, scoped to one tenant."""

from __future__ import annotations

from returnflow.adapters.db.repositories.base import TenantScoped


class LedgerRepository(TenantScoped):
    """ledger postings, credits and refund instructions of one tenant."""
