"""The returns-center floor: documents, receipts, inspections, photos, dispositions, work orders, claims."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select

from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.tables import ReturnRow
from returnflow.adapters.db.tables_floor import (
    CarrierClaimRow,
    DispositionRow,
    FloorDocumentRow,
    InspectionPhotoRow,
    InspectionRow,
    ReceiptLineRow,
    ReceiptRow,
    WorkOrderRow,
)


class FloorRepository(TenantScoped):
    """Every floor record of one tenant."""

    # Tenant documents (checklists, disposition tables)

    def latest_document(self, kind: str) -> FloorDocumentRow | None:
        """The version in force of a document kind (the highest), or None (defaults apply)."""
        return self.s.scalars(
            select(FloorDocumentRow)
            .where(FloorDocumentRow.tenant_id == self.tenant_id, FloorDocumentRow.kind == kind)
            .order_by(FloorDocumentRow.version.desc())
            .limit(1)
        ).first()

    def add_document(self, **fields: Any) -> FloorDocumentRow:
        """Save a new document version."""
        row = FloorDocumentRow(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        return row

    # Matching a scan

    def return_by_number(self, number: str) -> ReturnRow | None:
        """The return with this RMA number."""
        return self.s.scalars(
            select(ReturnRow).where(ReturnRow.tenant_id == self.tenant_id, ReturnRow.number == number)
        ).first()

    def returns_by_tracking(self, tracking_number: str) -> list[ReturnRow]:
        """Returns whose label carries this tracking number (newest first)."""
        return list(
            self.s.scalars(
                select(ReturnRow)
                .where(ReturnRow.tenant_id == self.tenant_id, ReturnRow.tracking_number == tracking_number)
                .order_by(ReturnRow.id.desc())
            )
        )

    # Receipts

    def add_receipt(self, **fields: Any) -> ReceiptRow:
        """Insert a receipt."""
        row = ReceiptRow(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        return row

    def receipt(self, receipt_id: str, *, for_update: bool = False) -> ReceiptRow | None:
        """One receipt (row-locked when it is about to change)."""
        stmt = select(ReceiptRow).where(ReceiptRow.tenant_id == self.tenant_id, ReceiptRow.id == receipt_id)
        if for_update:
            stmt = stmt.with_for_update()
        return self.s.scalars(stmt).first()

    def receipts_of(self, return_id: str) -> list[ReceiptRow]:
        """A return's receipts, oldest first."""
        return list(
            self.s.scalars(
                select(ReceiptRow)
                .where(ReceiptRow.tenant_id == self.tenant_id, ReceiptRow.return_id == return_id)
                .order_by(ReceiptRow.received_at, ReceiptRow.id)
            )
        )

    def blind_receipts(self, node_code: str | None, limit: int = 100) -> list[ReceiptRow]:
        """Receipts not matched to a return yet, newest first (optionally at one node)."""
        stmt = select(ReceiptRow).where(ReceiptRow.tenant_id == self.tenant_id, ReceiptRow.kind == "blind")
        if node_code is not None:
            stmt = stmt.where(ReceiptRow.node_code == node_code)
        return list(self.s.scalars(stmt.order_by(ReceiptRow.received_at.desc()).limit(limit)))

    def add_receipt_lines(self, rows: Sequence[dict[str, Any]]) -> list[ReceiptLineRow]:
        """Insert what a receipt brought, line by line."""
        out = [ReceiptLineRow(tenant_id=self.tenant_id, **r) for r in rows]
        self.s.add_all(out)
        return out

    def receipt_lines(self, receipt_ids: Sequence[str]) -> list[ReceiptLineRow]:
        """The lines of some receipts."""
        if not receipt_ids:
            return []
        return list(
            self.s.scalars(
                select(ReceiptLineRow).where(
                    ReceiptLineRow.tenant_id == self.tenant_id, ReceiptLineRow.receipt_id.in_(receipt_ids)
                )
            )
        )

    def delete_receipt_lines(self, receipt_id: str) -> None:
        """Drop a blind receipt's provisional count (replaced when the receipt is matched)."""
        self.s.execute(
            delete(ReceiptLineRow).where(
                ReceiptLineRow.tenant_id == self.tenant_id, ReceiptLineRow.receipt_id == receipt_id
            )
        )

    def received_quantities(self, return_id: str) -> dict[str, int]:
        """Units received so far per return line, over every receipt of the return."""
        rows = self.s.execute(
            select(ReceiptLineRow.return_line_id, func.sum(ReceiptLineRow.received_quantity))
            .join(
                ReceiptRow,
                (ReceiptRow.tenant_id == ReceiptLineRow.tenant_id)
                & (ReceiptRow.id == ReceiptLineRow.receipt_id),
            )
            .where(
                ReceiptRow.tenant_id == self.tenant_id,
                ReceiptRow.return_id == return_id,
                ReceiptLineRow.return_line_id.is_not(None),
            )
            .group_by(ReceiptLineRow.return_line_id)
        )
        return {str(line_id): int(qty or 0) for line_id, qty in rows}

    # Inspections and photos

    def add_inspection(self, **fields: Any) -> InspectionRow:
        """Insert a line's inspection."""
        row = InspectionRow(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        return row

    def inspection_of(self, line_id: str) -> InspectionRow | None:
        """The inspection of a return line."""
        return self.s.scalars(
            select(InspectionRow).where(
                InspectionRow.tenant_id == self.tenant_id, InspectionRow.return_line_id == line_id
            )
        ).first()

    def inspections_of(self, return_id: str) -> list[InspectionRow]:
        """A return's inspections."""
        return list(
            self.s.scalars(
                select(InspectionRow).where(
                    InspectionRow.tenant_id == self.tenant_id, InspectionRow.return_id == return_id
                )
            )
        )

    def add_photo(self, **fields: Any) -> InspectionPhotoRow:
        """Insert a photo's record."""
        row = InspectionPhotoRow(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        return row

    def photos_of(self, line_id: str) -> list[InspectionPhotoRow]:
        """A line's photos, oldest first."""
        return list(
            self.s.scalars(
                select(InspectionPhotoRow)
                .where(
                    InspectionPhotoRow.tenant_id == self.tenant_id,
                    InspectionPhotoRow.return_line_id == line_id,
                )
                .order_by(InspectionPhotoRow.uploaded_at, InspectionPhotoRow.id)
            )
        )

    # Dispositions

    def add_disposition(self, **fields: Any) -> DispositionRow:
        """Insert a line's disposition."""
        row = DispositionRow(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        return row

    def disposition_of(self, line_id: str, *, for_update: bool = False) -> DispositionRow | None:
        """The disposition of a return line."""
        stmt = select(DispositionRow).where(
            DispositionRow.tenant_id == self.tenant_id, DispositionRow.return_line_id == line_id
        )
        if for_update:
            stmt = stmt.with_for_update()
        return self.s.scalars(stmt).first()

    # Work orders

    def add_work_order(self, **fields: Any) -> WorkOrderRow:
        """Insert a work order."""
        row = WorkOrderRow(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        return row

    def work_order(self, work_order_id: str, *, for_update: bool = False) -> WorkOrderRow | None:
        """One work order."""
        stmt = select(WorkOrderRow).where(
            WorkOrderRow.tenant_id == self.tenant_id, WorkOrderRow.id == work_order_id
        )
        if for_update:
            stmt = stmt.with_for_update()
        return self.s.scalars(stmt).first()

    def work_orders_of(self, line_id: str) -> list[WorkOrderRow]:
        """A line's work orders, oldest first."""
        return list(
            self.s.scalars(
                select(WorkOrderRow)
                .where(WorkOrderRow.tenant_id == self.tenant_id, WorkOrderRow.return_line_id == line_id)
                .order_by(WorkOrderRow.opened_at, WorkOrderRow.id)
            )
        )

    def work_orders(
        self, *, status: str | None = None, node_code: str | None = None, limit: int = 100
    ) -> list[WorkOrderRow]:
        """Work orders, newest first."""
        stmt = select(WorkOrderRow).where(WorkOrderRow.tenant_id == self.tenant_id)
        if status:
            stmt = stmt.where(WorkOrderRow.status == status)
        if node_code:
            stmt = stmt.where(WorkOrderRow.node_code == node_code)
        return list(self.s.scalars(stmt.order_by(WorkOrderRow.id.desc()).limit(limit)))

    # Carrier claims

    def add_claim(self, **fields: Any) -> CarrierClaimRow:
        """Insert a carrier claim."""
        row = CarrierClaimRow(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        return row

    def claim(self, claim_id: str, *, for_update: bool = False) -> CarrierClaimRow | None:
        """One claim."""
        stmt = select(CarrierClaimRow).where(
            CarrierClaimRow.tenant_id == self.tenant_id, CarrierClaimRow.id == claim_id
        )
        if for_update:
            stmt = stmt.with_for_update()
        return self.s.scalars(stmt).first()

    def claim_of(self, line_id: str) -> CarrierClaimRow | None:
        """The claim opened for a line, if any."""
        return self.s.scalars(
            select(CarrierClaimRow).where(
                CarrierClaimRow.tenant_id == self.tenant_id, CarrierClaimRow.return_line_id == line_id
            )
        ).first()

    def claims(self, *, status: str | None = None, limit: int = 100) -> list[CarrierClaimRow]:
        """Claims, newest first."""
        stmt = select(CarrierClaimRow).where(CarrierClaimRow.tenant_id == self.tenant_id)
        if status:
            stmt = stmt.where(CarrierClaimRow.status == status)
        return list(self.s.scalars(stmt.order_by(CarrierClaimRow.id.desc()).limit(limit)))
