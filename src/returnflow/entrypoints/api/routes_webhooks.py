"""Carrier tracking webhooks in: verify, de-duplicate, apply."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["webhooks"])
