"""ledger: double-entry postings, credits, refund instructions

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import returnflow.adapters.db.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = returnflow.adapters.db.types.UTCDateTime


def _tenant(table: str) -> tuple[sa.Column[str], sa.ForeignKeyConstraint]:
    return (
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants"),
    )


def upgrade() -> None:
    col, fk = _tenant("ledger_entries")
    op.create_table(
        "ledger_entries",
        col,
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("return_id", sa.String(length=40), nullable=True),
        sa.Column("order_id", sa.String(length=40), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        fk,
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_ledger_entries"),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name="uq_ledger_entries_tenant_key"),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_entries_tenant_order", ["tenant_id", "order_id"], unique=False)
        batch_op.create_index("ix_ledger_entries_tenant_return", ["tenant_id", "return_id"], unique=False)

    col, fk = _tenant("ledger_postings")
    op.create_table(
        "ledger_postings",
        col,
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("side", sa.String(length=6), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        fk,
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_ledger_postings"),
    )
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_postings_tenant_entry", ["tenant_id", "entry_id", "position"], unique=False
        )
        batch_op.create_index(
            "ix_ledger_postings_tenant_account", ["tenant_id", "account", "currency"], unique=False
        )

    col, fk = _tenant("credits")
    op.create_table(
        "credits",
        col,
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("return_id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        fk,
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_credits"),
        sa.UniqueConstraint("tenant_id", "return_id", "kind", name="uq_credits_tenant_return_kind"),
    )
    with op.batch_alter_table("credits", schema=None) as batch_op:
        batch_op.create_index("ix_credits_tenant_created", ["tenant_id", "created_at", "id"], unique=False)

    col, fk = _tenant("credit_allocations")
    op.create_table(
        "credit_allocations",
        col,
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("order_line_id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        fk,
        sa.PrimaryKeyConstraint("tenant_id", "entry_id", "order_line_id", name="pk_credit_allocations"),
    )
    with op.batch_alter_table("credit_allocations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credit_allocations_tenant_line", ["tenant_id", "order_line_id"], unique=False
        )

    col, fk = _tenant("refund_instructions")
    op.create_table(
        "refund_instructions",
        col,
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("credit_id", sa.String(length=40), nullable=False),
        sa.Column("return_id", sa.String(length=40), nullable=False),
        sa.Column("return_number", sa.String(length=32), nullable=False),
        sa.Column("order_number", sa.String(length=64), nullable=False),
        sa.Column("customer_email", sa.String(length=320), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("provider_idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("provider_reference", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("submitted_at", UTC(timezone=True), nullable=True),
        sa.Column("instructed_at", UTC(timezone=True), nullable=True),
        fk,
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_refund_instructions"),
        sa.UniqueConstraint("tenant_id", "credit_id", name="uq_refund_instructions_tenant_credit"),
    )
    with op.batch_alter_table("refund_instructions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_refund_instructions_tenant_status", ["tenant_id", "status", "id"], unique=False
        )


def downgrade() -> None:
    for table, indexes in (
        ("refund_instructions", ["ix_refund_instructions_tenant_status"]),
        ("credit_allocations", ["ix_credit_allocations_tenant_line"]),
        ("credits", ["ix_credits_tenant_created"]),
        ("ledger_postings", ["ix_ledger_postings_tenant_account", "ix_ledger_postings_tenant_entry"]),
        ("ledger_entries", ["ix_ledger_entries_tenant_return", "ix_ledger_entries_tenant_order"]),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in indexes:
                batch_op.drop_index(name)
        op.drop_table(table)
