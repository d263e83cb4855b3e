"""units on returns and orders, so a customer's history is one index scan each

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("units", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE orders SET units = COALESCE((SELECT SUM(l.quantity) FROM order_lines l "
        "WHERE l.tenant_id = orders.tenant_id AND l.order_id = orders.id), 0)"
    )
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("units", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE returns SET units = COALESCE((SELECT SUM(l.quantity) FROM return_lines l "
        "WHERE l.tenant_id = returns.tenant_id AND l.return_id = returns.id), 0)"
    )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("units")
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_column("units")
