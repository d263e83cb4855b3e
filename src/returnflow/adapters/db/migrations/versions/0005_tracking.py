"""tracking: carrier secrets, carrier events, unmatched events

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import returnflow.adapters.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> returnflow.adapters.db.types.UTCDateTime:
    return returnflow.adapters.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "carrier_secrets",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_carrier_secrets_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "provider", "id", name=op.f("pk_carrier_secrets")),
    )
    # Unmatched events are those with no return_id yet (tracking numbers no return carries).
    op.create_table(
        "carrier_events",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("raw_status", sa.String(length=80), nullable=False),
        sa.Column("substatus", sa.String(length=80), nullable=True),
        sa.Column("occurred_at", _when(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("received_at", _when(), nullable=False),
        sa.Column("return_id", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_carrier_events_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "provider", "event_id", name=op.f("pk_carrier_events")),
    )
    op.create_index(
        "ix_carrier_events_tenant_tracking",
        "carrier_events",
        ["tenant_id", "tracking_number", "return_id"],
        unique=False,
    )
    op.create_table(
        "return_tracking",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("return_id", sa.String(length=40), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("first_scan_at", _when(), nullable=True),
        sa.Column("delivered_at", _when(), nullable=True),
        sa.Column("last_event_at", _when(), nullable=True),
        sa.Column("exception_at", _when(), nullable=True),
        sa.Column("exception_note", sa.Text(), nullable=True),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_return_tracking_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "return_id", name=op.f("pk_return_tracking")),
    )
    # Webhooks find their return by tracking number.
    op.create_index("ix_returns_tenant_tracking", "returns", ["tenant_id", "tracking_number"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_returns_tenant_tracking", table_name="returns")
    op.drop_table("return_tracking")
    op.drop_index("ix_carrier_events_tenant_tracking", table_name="carrier_events")
    op.drop_table("carrier_events")
    op.drop_table("carrier_secrets")
