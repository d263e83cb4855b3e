"""Queries over outbound shipments and their failed-delivery cases, scoped to one tenant."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select

from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.tables_shipments import DeliveryCaseRow, OutboundShipmentRow

BATCH = 1000


class ShipmentRepository(TenantScoped):
    """Outbound shipments and delivery cases of one tenant."""

    # --- shipments ----------------------------------------------------------------------------

    def add_shipment(self, **values: Any) -> OutboundShipmentRow:
        """Store a new outbound shipment (the unique tracking number refuses a second one)."""
        row = OutboundShipmentRow(tenant_id=self.tenant_id, **values)
        self.s.add(row)
        return row

    def shipment(self, shipment_id: str, *, for_update: bool = False) -> OutboundShipmentRow | None:
        """One shipment."""
        stmt = select(OutboundShipmentRow).where(
            OutboundShipmentRow.tenant_id == self.tenant_id, OutboundShipmentRow.id == shipment_id
        )
        if for_update:
            stmt = stmt.with_for_update()
        return self.s.scalars(stmt).first()

    def by_tracking(
        self, numbers: Iterable[str], *, for_update: bool = False
    ) -> dict[str, OutboundShipmentRow]:
        """The shipments carrying these tracking numbers (row-locked when about to change)."""
        out: dict[str, OutboundShipmentRow] = {}
        wanted = sorted(set(numbers))
        for start in range(0, len(wanted), BATCH):
            stmt = (
                select(OutboundShipmentRow)
                .where(
                    OutboundShipmentRow.tenant_id == self.tenant_id,
                    OutboundShipmentRow.tracking_number.in_(wanted[start : start + BATCH]),
                )
                .order_by(OutboundShipmentRow.id)
            )
            if for_update:
                stmt = stmt.with_for_update()
            for row in self.s.scalars(stmt):
                out[row.tracking_number] = row
        return out

    # --- cases --------------------------------------------------------------------------------

    def add_case(self, **values: Any) -> DeliveryCaseRow:
        """Open a case (the unique open key refuses a second open case of one shipment)."""
        row = DeliveryCaseRow(tenant_id=self.tenant_id, **values)
        self.s.add(row)
        return row

    def case(self, case_id: str, *, for_update: bool = False) -> DeliveryCaseRow | None:
        """One case."""
        stmt = select(DeliveryCaseRow).where(
            DeliveryCaseRow.tenant_id == self.tenant_id, DeliveryCaseRow.id == case_id
        )
        if for_update:
            stmt = stmt.with_for_update()
        return self.s.scalars(stmt).first()

    def open_cases_of(self, shipment_ids: Sequence[str]) -> dict[str, DeliveryCaseRow]:
        """Shipment id -> its open case, for the shipments that have one."""
        if not shipment_ids:
            return {}
        rows = self.s.scalars(
            select(DeliveryCaseRow).where(
                DeliveryCaseRow.tenant_id == self.tenant_id,
                DeliveryCaseRow.open_key.in_(list(shipment_ids)),
            )
        )
        return {row.shipment_id: row for row in rows}

    def cases_of(self, shipment_id: str) -> Sequence[DeliveryCaseRow]:
        """A shipment's cases, oldest first."""
        return self.s.scalars(
            select(DeliveryCaseRow)
            .where(DeliveryCaseRow.tenant_id == self.tenant_id, DeliveryCaseRow.shipment_id == shipment_id)
            .order_by(DeliveryCaseRow.id)
        ).all()

    def cases(
        self, *, status: str | None = None, after_id: str | None = None, limit: int = 50
    ) -> Sequence[DeliveryCaseRow]:
        """Cases newest first, optionally of one status, keyset-paginated by id."""
        stmt = select(DeliveryCaseRow).where(DeliveryCaseRow.tenant_id == self.tenant_id)
        if status:
            stmt = stmt.where(DeliveryCaseRow.status == status)
        if after_id:
            stmt = stmt.where(DeliveryCaseRow.id < after_id)
        return self.s.scalars(stmt.order_by(DeliveryCaseRow.id.desc()).limit(limit)).all()

    def shipments_of(self, shipment_ids: Sequence[str]) -> dict[str, OutboundShipmentRow]:
        """Shipments by id (for case lists)."""
        if not shipment_ids:
            return {}
        rows = self.s.scalars(
            select(OutboundShipmentRow).where(
                OutboundShipmentRow.tenant_id == self.tenant_id,
                OutboundShipmentRow.id.in_(list(set(shipment_ids))),
            )
        )
        return {row.id: row for row in rows}
