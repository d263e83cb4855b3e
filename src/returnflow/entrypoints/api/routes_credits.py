"""Credits of a return, ledger balances and refund-instruction exports for finance."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["credits"])
