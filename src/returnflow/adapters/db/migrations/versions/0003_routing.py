"""routing: carriers, services, rate cards, node costs, routing decisions on returns

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import returnflow.adapters.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _when() -> returnflow.adapters.db.types.UTCDateTime:
    return returnflow.adapters.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "carriers",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_carriers_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "code", name=op.f("pk_carriers")),
    )
    op.create_table(
        "carrier_services",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("carrier_code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("pickup", sa.Boolean(), nullable=False),
        sa.Column("pickup_fee", sa.BigInteger(), nullable=False),
        sa.Column("max_weight_grams", sa.Integer(), nullable=True),
        sa.Column("accepts_hazmat", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("rate_card", _json(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "carrier_code"],
            ["carriers.tenant_id", "carriers.code"],
            name=op.f("fk_carrier_services_tenant_id_carriers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_carrier_services_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "code", name=op.f("pk_carrier_services")),
    )
    op.create_table(
        "routing_settings",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("max_transit_days", sa.Integer(), nullable=True),
        sa.Column("updated_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_routing_settings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_routing_settings")),
    )
    with op.batch_alter_table("nodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handling_cost", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("recovery_percent", _json(), nullable=True))
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carrier_service", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("routing_cost", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("label_type", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("routing", _json(), nullable=True))
        batch_op.add_column(sa.Column("routed_at", _when(), nullable=True))
    # Capacity used today: returns routed to a node since midnight.
    op.create_index(
        "ix_returns_tenant_destination",
        "returns",
        ["tenant_id", "destination_node", "routed_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_returns_tenant_destination", table_name="returns")
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_column("routed_at")
        batch_op.drop_column("routing")
        batch_op.drop_column("label_type")
        batch_op.drop_column("routing_cost")
        batch_op.drop_column("carrier_service")
    with op.batch_alter_table("nodes", schema=None) as batch_op:
        batch_op.drop_column("recovery_percent")
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
        batch_op.drop_column("handling_cost")
    op.drop_table("routing_settings")
    op.drop_table("carrier_services")
    op.drop_table("carriers")
