"""Reversing a ledger entry: the same postings on the opposite sides, so the pair nets to zero.

The original entry is never changed or deleted (the ledger is append-only); a reversal is a new
entry that, added to the original, leaves every account's balance where it was before.
"""

from __future__ import annotations

from collections.abc import Iterable

from returnflow.domain.ledger import Entry, Posting, entry

OPPOSITE = {"debit": "credit", "credit": "debit"}


def reversing_entry(postings: Iterable[Posting]) -> Entry:
    """The balanced entry that undoes `postings` (which must themselves be a balanced entry)."""
    return entry(Posting(p.account, OPPOSITE[p.side], p.amount, p.currency) for p in postings)
