"""refund retry: a failed refund submission waits until `next_attempt_at` before it is tried again

Revision ID: 0010_refund_retry
Revises: 0009_inventory_balances
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import returnflow.adapters.db.types

revision: str = "0010_refund_retry"
down_revision: str | None = "0009_inventory_balances"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = returnflow.adapters.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    # Nullable, no backfill: existing pending instructions are due at once, as they were before.
    with op.batch_alter_table("refund_instructions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("refund_instructions", schema=None) as batch_op:
        batch_op.drop_column("next_attempt_at")
