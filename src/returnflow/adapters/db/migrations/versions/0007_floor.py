"""floor: tenant checklists and disposition tables, receipts, inspections and photos,
dispositions, inventory movements, work orders, carrier claims

Revision ID: 0007_floor
Revises: 0006
Create Date: 2026-12-09
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import returnflow.adapters.db.types

revision: str = "0007_floor"
down_revision: str | None = "0006"
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
        "floor_documents",
        sa.Column("tenant_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_floor_documents_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "version", name=op.f("pk_floor_documents")),
    )
    op.create_table(
        "receipts",
        *_tenant("receipts"),
        sa.Column("scan", sa.String(length=500), nullable=False),
        sa.Column("node_code", sa.String(length=64), nullable=False),
        sa.Column("return_id", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("matched_by", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("matched_at", UTC, nullable=True),
        sa.Column("received_by", sa.String(length=120), nullable=False),
        sa.Column("matched_actor", sa.String(length=120), nullable=True),
    )
    op.create_index("ix_receipts_tenant_return", "receipts", ["tenant_id", "return_id"])
    op.create_index("ix_receipts_tenant_node", "receipts", ["tenant_id", "node_code", "received_at"])
    op.create_index("ix_receipts_tenant_kind", "receipts", ["tenant_id", "kind", "received_at"])
    op.create_table(
        "receipt_lines",
        *_tenant("receipt_lines"),
        sa.Column("receipt_id", sa.String(length=40), nullable=False),
        sa.Column("return_line_id", sa.String(length=40), nullable=True),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("expected_quantity", sa.Integer(), nullable=False),
        sa.Column("received_quantity", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
    )
    op.create_index("ix_receipt_lines_tenant_receipt", "receipt_lines", ["tenant_id", "receipt_id"])
    op.create_table(
        "inspections",
        *_tenant("inspections"),
        sa.Column("return_id", sa.String(length=40), nullable=False),
        sa.Column("return_line_id", sa.String(length=40), nullable=False),
        sa.Column("node_code", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("max_grade", sa.String(length=1), nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("items", JSON, nullable=False),
        sa.Column("serials", JSON, nullable=False),
        sa.Column("serial_check", JSON, nullable=True),
        sa.Column("weight_grams", sa.Integer(), nullable=True),
        sa.Column("weight_check", JSON, nullable=True),
        sa.Column("flags", JSON, nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("started_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=False),
        sa.Column("inspection_seconds", sa.Integer(), nullable=False),
        sa.Column("dwell_seconds", sa.Integer(), nullable=True),
        sa.Column("inspector", sa.String(length=120), nullable=False),
        sa.UniqueConstraint("tenant_id", "return_line_id", name="uq_inspections_line"),
    )
    op.create_index("ix_inspections_tenant_return", "inspections", ["tenant_id", "return_id"])
    op.create_index("ix_inspections_tenant_node", "inspections", ["tenant_id", "node_code", "finished_at"])
    op.create_table(
        "inspection_photos",
        *_tenant("inspection_photos"),
        sa.Column("return_id", sa.String(length=40), nullable=False),
        sa.Column("return_line_id", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("uploaded_at", UTC, nullable=False),
        sa.Column("uploaded_by", sa.String(length=120), nullable=False),
    )
    op.create_index(
        "ix_inspection_photos_tenant_line",
        "inspection_photos",
        ["tenant_id", "return_line_id", "uploaded_at"],
    )
    op.create_table(
        "dispositions",
        *_tenant("dispositions"),
        sa.Column("return_id", sa.String(length=40), nullable=False),
        sa.Column("return_line_id", sa.String(length=40), nullable=False),
        sa.Column("inspection_id", sa.String(length=40), nullable=False),
        sa.Column("origin_node", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=30), nullable=False),
        sa.Column("node_code", sa.String(length=64), nullable=True),
        sa.Column("expected_recovery", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("recommended_path", sa.String(length=30), nullable=False),
        sa.Column("recommended_node", sa.String(length=64), nullable=True),
        sa.Column("recommended_recovery", sa.BigInteger(), nullable=False),
        sa.Column("alternatives", JSON, nullable=False),
        sa.Column("flags", JSON, nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("override_actor", sa.String(length=120), nullable=True),
        sa.Column("overridden_at", UTC, nullable=True),
        sa.Column("decided_at", UTC, nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("dock_to_stock_seconds", sa.Integer(), nullable=True),
        sa.UniqueConstraint("tenant_id", "return_line_id", name="uq_dispositions_line"),
    )
    op.create_index("ix_dispositions_tenant_return", "dispositions", ["tenant_id", "return_id"])
    op.create_index("ix_dispositions_tenant_path", "dispositions", ["tenant_id", "path", "decided_at"])
    op.create_table(
        "inventory_movements",
        *_tenant("inventory_movements"),
        sa.Column("node_code", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("from_bucket", sa.String(length=20), nullable=True),
        sa.Column("to_bucket", sa.String(length=20), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("return_id", sa.String(length=40), nullable=True),
        sa.Column("return_line_id", sa.String(length=40), nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
    )
    # Balance per (tenant, node, sku): an index-only scan on PostgreSQL.
    op.create_index(
        "ix_inventory_movements_balance",
        "inventory_movements",
        ["tenant_id", "node_code", "sku", "from_bucket", "to_bucket", "quantity"],
    )
    op.create_index(
        "ix_inventory_movements_tenant_sku", "inventory_movements", ["tenant_id", "sku", "node_code"]
    )
    op.create_index(
        "ix_inventory_movements_tenant_line", "inventory_movements", ["tenant_id", "return_line_id", "at"]
    )
    op.create_table(
        "work_orders",
        *_tenant("work_orders"),
        sa.Column("return_id", sa.String(length=40), nullable=False),
        sa.Column("return_line_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("node_code", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("from_grade", sa.String(length=1), nullable=False),
        sa.Column("parts", JSON, nullable=False),
        sa.Column("labor_minutes", sa.Integer(), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("new_grade", sa.String(length=1), nullable=True),
        sa.Column("expected_recovery", sa.BigInteger(), nullable=False),
        sa.Column("achieved_recovery", sa.BigInteger(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("opened_at", UTC, nullable=False),
        sa.Column("opened_by", sa.String(length=120), nullable=False),
        sa.Column("completed_at", UTC, nullable=True),
        sa.Column("completed_by", sa.String(length=120), nullable=True),
    )
    op.create_index("ix_work_orders_tenant_status", "work_orders", ["tenant_id", "status", "opened_at"])
    op.create_index("ix_work_orders_tenant_line", "work_orders", ["tenant_id", "return_line_id"])
    op.create_table(
        "carrier_claims",
        *_tenant("carrier_claims"),
        sa.Column("return_id", sa.String(length=40), nullable=False),
        sa.Column("return_line_id", sa.String(length=40), nullable=False),
        sa.Column("inspection_id", sa.String(length=40), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("paid_amount", sa.BigInteger(), nullable=True),
        sa.Column("carrier_reference", sa.String(length=100), nullable=True),
        sa.Column("status_note", sa.Text(), nullable=True),
        sa.Column("history", JSON, nullable=False),
        sa.Column("opened_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.UniqueConstraint("tenant_id", "return_line_id", name="uq_carrier_claims_line"),
    )
    op.create_index("ix_carrier_claims_tenant_status", "carrier_claims", ["tenant_id", "status", "opened_at"])
    op.create_index("ix_carrier_claims_tenant_return", "carrier_claims", ["tenant_id", "return_id"])


def downgrade() -> None:
    for table in (
        "carrier_claims",
        "work_orders",
        "inventory_movements",
        "dispositions",
        "inspection_photos",
        "inspections",
        "receipt_lines",
        "receipts",
        "floor_documents",
    ):
        op.drop_table(table)
