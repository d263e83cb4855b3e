"""Tables of carrier webhook secrets, carrier events (matched or not yet) and per-return tracking state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from returnflow.adapters.db.tables import Base


class CarrierSecretRow(Base):
    """A webhook signing secret of one provider; two are active while a rotation is under way.

    The secret is a shared HMAC key, so it must be readable to verify signatures: it is kept here
    only, never in the audit log, the outbox or any log line (those carry the opaque `id`).
    """

    __tablename__ = "carrier_secrets"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    secret: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class CarrierEventRow(Base):
    """One carrier scan as received; the primary key makes a re-sent event a no-op.

    `return_id` is empty while no return carries the tracking number (an unmatched event); it is
    filled when the event is applied to a return.
    """

    __tablename__ = "carrier_events"
    __table_args__ = (
        Index("ix_carrier_events_tenant_tracking", "tenant_id", "tracking_number", "return_id"),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(64))
    carrier: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    raw_status: Mapped[str] = mapped_column(String(80))
    substatus: Mapped[str | None] = mapped_column(String(80))
    occurred_at: Mapped[datetime]
    location: Mapped[str | None] = mapped_column(String(300))
    message: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    return_id: Mapped[str | None] = mapped_column(String(40))


class ReturnTrackingRow(Base):
    """What the carrier events told about one return's parcel (order-independent summaries)."""

    __tablename__ = "return_tracking"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    return_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(64))
    carrier: Mapped[str | None] = mapped_column(String(40))
    # The furthest status on the forward line any event reached (label_created … delivered).
    status: Mapped[str | None] = mapped_column(String(20))
    first_scan_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    last_event_at: Mapped[datetime | None]
    exception_at: Mapped[datetime | None]
    exception_note: Mapped[str | None] = mapped_column(Text)
    events: Mapped[int] = mapped_column(Integer, default=0)
