"""inventory balances: stock per node, SKU and bucket, kept with each movement; backfilled

Revision ID: 0009_inventory_balances
Revises: 0008_delivery_cases
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_inventory_balances"
down_revision: str | None = "0008_delivery_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Both sides of every movement, signed, summed per (tenant, node, SKU, bucket): the ledger's fold.
BACKFILL = """
INSERT INTO inventory_balances (tenant_id, node_code, sku, bucket, quantity)
SELECT tenant_id, node_code, sku, bucket, SUM(qty)
FROM (
    SELECT tenant_id, node_code, sku, to_bucket AS bucket, quantity AS qty
    FROM inventory_movements WHERE to_bucket IS NOT NULL
    UNION ALL
    SELECT tenant_id, node_code, sku, from_bucket AS bucket, -quantity AS qty
    FROM inventory_movements WHERE from_bucket IS NOT NULL
) AS signed
GROUP BY tenant_id, node_code, sku, bucket
"""


def upgrade() -> None:
    op.create_table(
        "inventory_balances",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("node_code", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("bucket", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_inventory_balances_quantity_not_negative")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_inventory_balances_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "node_code", "sku", "bucket", name=op.f("pk_inventory_balances")
        ),
    )
    op.execute(BACKFILL)
    # After the backfill: one sort instead of an index insert per row.
    op.create_index(
        "ix_inventory_balances_tenant_sku", "inventory_balances", ["tenant_id", "sku", "node_code"]
    )


def downgrade() -> None:
    op.drop_index("ix_inventory_balances_tenant_sku", table_name="inventory_balances")
    op.drop_table("inventory_balances")
