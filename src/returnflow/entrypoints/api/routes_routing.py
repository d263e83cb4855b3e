"""Return methods, labels, carriers and services, rate cards, the network."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["routing"])
