"""Tables of ledger entries and postings, credits, their order-line allocations, refund instructions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from returnflow.adapters.db.tables import Base
from returnflow.adapters.db.types import JSONType


class LedgerEntryRow(Base):
    """One balanced entry; `idempotency_key` makes a second entry for the same event impossible."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key", name="uq_ledger_entries_tenant_key"),
        Index("ix_ledger_entries_tenant_order", "tenant_id", "order_id"),
        Index("ix_ledger_entries_tenant_return", "tenant_id", "return_id"),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(30))
    return_id: Mapped[str | None] = mapped_column(String(40))
    order_id: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    memo: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


class LedgerPostingRow(Base):
    """One debit or credit of an entry, in positive minor units."""

    __tablename__ = "ledger_postings"
    __table_args__ = (
        Index("ix_ledger_postings_tenant_entry", "tenant_id", "entry_id", "position"),
        Index("ix_ledger_postings_tenant_account", "tenant_id", "account", "currency"),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    account: Mapped[str] = mapped_column(String(40))
    side: Mapped[str] = mapped_column(String(6))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))


class CreditRow(Base):
    """A credit of a return (refund, store credit, exchange, fee withheld): one per kind per return."""

    __tablename__ = "credits"
    __table_args__ = (
        UniqueConstraint("tenant_id", "return_id", "kind", name="uq_credits_tenant_return_kind"),
        Index("ix_credits_tenant_created", "tenant_id", "created_at", "id"),
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    return_id: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[str] = mapped_column(String(40))
    entry_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str] = mapped_column(String(20))
    details: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime]


class CreditAllocationRow(Base):
    """How much of an order line a return's credit used up (the over-credit cap sums these)."""

    __tablename__ = "credit_allocations"
    __table_args__ = (Index("ix_credit_allocations_tenant_line", "tenant_id", "order_line_id"),)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_line_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(BigInteger)


class RefundInstructionRow(Base):
    """A refund to the original payment, stored before any gateway is called; its id keys the provider."""

    __tablename__ = "refund_instructions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "credit_id", name="uq_refund_instructions_tenant_credit"),
        Index("ix_refund_instructions_tenant_status", "tenant_id", "status", "id"),
        Index("ix_refund_instructions_status", "status", "tenant_id"),  # the worker's due-refund question
    )
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    credit_id: Mapped[str] = mapped_column(String(40))
    return_id: Mapped[str] = mapped_column(String(40))
    return_number: Mapped[str] = mapped_column(String(32))
    order_number: Mapped[str] = mapped_column(String(64))
    customer_email: Mapped[str] = mapped_column(String(320))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    provider: Mapped[str] = mapped_column(String(40))
    provider_idempotency_key: Mapped[str] = mapped_column(String(80))
    provider_reference: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    instructed_at: Mapped[datetime | None]
    # A pending instruction whose last submission failed waits until then (backoff); null: due now.
    next_attempt_at: Mapped[datetime | None]
