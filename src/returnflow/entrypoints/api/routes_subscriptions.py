"""Outgoing webhook subscriptions, their deliveries, and the customer timeline."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["subscriptions"])
