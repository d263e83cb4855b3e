"""period indexes: returns by creation, orders by placement, dispositions by decision, per tenant

Revision ID: 0011_period_indexes
Revises: 0010_refund_retry
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_period_indexes"
down_revision: str | None = "0010_refund_retry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The return KPIs of a period read each of these as one range per tenant, not a scan of its history.
INDEXES = (
    ("ix_returns_tenant_created", "returns", ["tenant_id", "created_at"]),
    ("ix_orders_tenant_placed", "orders", ["tenant_id", "placed_at"]),
    ("ix_dispositions_tenant_decided", "dispositions", ["tenant_id", "decided_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
