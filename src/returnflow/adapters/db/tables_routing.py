"""Tables of carriers and their services (with rate cards) for routing and labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, ForeignKeyConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from returnflow.adapters.db.tables import Base

__all__ = ["Base", "CarrierRow", "CarrierServiceRow", "RoutingSettingsRow"]


class CarrierRow(Base):
    """A carrier the tenant ships returns with."""

    __tablename__ = "carriers"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CarrierServiceRow(Base):
    """A service of a carrier: mode, pickup, limits, and its rate card (rows of zone × weight)."""

    __tablename__ = "carrier_services"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "carrier_code"], ["carriers.tenant_id", "carriers.code"]),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    carrier_code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(10))
    pickup: Mapped[bool] = mapped_column(Boolean, default=False)
    pickup_fee: Mapped[int] = mapped_column(BigInteger, default=0)
    max_weight_grams: Mapped[int | None] = mapped_column(Integer)
    accepts_hazmat: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    currency: Mapped[str | None] = mapped_column(String(3))
    # [{zone, max_km, max_grams, price, transit_days}]; empty until a rate card is uploaded.
    rate_card: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RoutingSettingsRow(Base):
    """A tenant's routing settings: the SLA (most transit days a return may take to its node)."""

    __tablename__ = "routing_settings"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    max_transit_days: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime]
