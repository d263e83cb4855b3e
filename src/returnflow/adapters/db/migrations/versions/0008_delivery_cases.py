"""delivery cases: outbound shipments, failed-delivery cases, the return type, due-refund index

Revision ID: 0008_delivery_cases
Revises: 0007_floor
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import returnflow.adapters.db.types

revision: str = "0008_delivery_cases"
down_revision: str | None = "0007_floor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = returnflow.adapters.db.types.UTCDateTime(timezone=True)
JSON = returnflow.adapters.db.types.JSONType


def _tenant(table: str) -> list[Any]:
    return [
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "outbound_shipments",
        *_tenant("outbound_shipments"),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("order_number", sa.String(length=64), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("address", JSON, nullable=True),
        sa.Column("lines", JSON, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.UniqueConstraint("tenant_id", "tracking_number", name="uq_outbound_shipments_tenant_tracking"),
    )
    op.create_index("ix_outbound_shipments_tenant_order", "outbound_shipments", ["tenant_id", "order_number"])
    op.create_table(
        "delivery_cases",
        *_tenant("delivery_cases"),
        sa.Column("shipment_id", sa.String(length=40), nullable=False),
        # Equal to shipment_id while the case is open, empty once resolved: the unique key below
        # then allows one open case per shipment (NULLs never collide, on SQLite and PostgreSQL).
        sa.Column("open_key", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("opened_at", UTC, nullable=False),
        sa.Column("last_event_at", UTC, nullable=False),
        sa.Column("resolved_at", UTC, nullable=True),
        sa.Column("resolved_by", sa.String(length=120), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=True),
        sa.Column("action_data", JSON, nullable=True),
        sa.Column("return_id", sa.String(length=40), nullable=True),
        sa.UniqueConstraint("tenant_id", "open_key", name="uq_delivery_cases_tenant_open_key"),
    )
    op.create_index("ix_delivery_cases_tenant_status", "delivery_cases", ["tenant_id", "status", "id"])
    op.create_index("ix_delivery_cases_tenant_shipment", "delivery_cases", ["tenant_id", "shipment_id"])
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("type", sa.String(length=20), nullable=False, server_default="customer")
        )
    # The worker asks every cycle which tenants have refunds to pay out: an index led by status.
    op.create_index("ix_refund_instructions_status", "refund_instructions", ["status", "tenant_id"])


def downgrade() -> None:
    op.drop_index("ix_refund_instructions_status", table_name="refund_instructions")
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_column("type")
    op.drop_table("delivery_cases")
    op.drop_table("outbound_shipments")
