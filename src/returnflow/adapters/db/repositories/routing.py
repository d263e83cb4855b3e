"""Queries over carriers, services, rate cards and routing decisions, scoped to one tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.tables import ReturnRow
from returnflow.adapters.db.tables_routing import CarrierRow, CarrierServiceRow, RoutingSettingsRow


class RoutingRepository(TenantScoped):
    """carriers, services, rate cards and routing decisions of one tenant."""

    def carrier(self, code: str) -> CarrierRow | None:
        """One carrier."""
        return self.s.get(CarrierRow, (self.tenant_id, code))

    def carriers(self) -> Sequence[CarrierRow]:
        """Every carrier, by code."""
        return self.s.scalars(
            select(CarrierRow).where(CarrierRow.tenant_id == self.tenant_id).order_by(CarrierRow.code)
        ).all()

    def add_carrier(self, **fields: Any) -> CarrierRow:
        """Insert a carrier."""
        row = CarrierRow(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        self.s.flush()
        return row

    def service(self, code: str) -> CarrierServiceRow | None:
        """One carrier service."""
        return self.s.get(CarrierServiceRow, (self.tenant_id, code))

    def services(self, *, active_only: bool = False) -> Sequence[CarrierServiceRow]:
        """The tenant's carrier services, by code."""
        q = select(CarrierServiceRow).where(CarrierServiceRow.tenant_id == self.tenant_id)
        if active_only:
            q = q.where(CarrierServiceRow.active.is_(True))
        return self.s.scalars(q.order_by(CarrierServiceRow.code)).all()

    def add_service(self, **fields: Any) -> CarrierServiceRow:
        """Insert a carrier service."""
        row = CarrierServiceRow(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        return row

    def routed_since(self, since: datetime) -> dict[str, int]:
        """Returns routed to each node since `since` (capacity used today)."""
        rows = self.s.execute(
            select(ReturnRow.destination_node, func.count())
            .where(
                ReturnRow.tenant_id == self.tenant_id,
                ReturnRow.destination_node.is_not(None),
                ReturnRow.routed_at >= since,
            )
            .group_by(ReturnRow.destination_node)
        ).all()
        return {str(node): int(n) for node, n in rows}

    def settings(self) -> RoutingSettingsRow | None:
        """The tenant's routing settings (None until set)."""
        return self.s.get(RoutingSettingsRow, self.tenant_id)

    def save_settings(self, max_transit_days: int | None, at: datetime) -> RoutingSettingsRow:
        """Create or replace the routing settings."""
        row = self.settings()
        if row is None:
            row = RoutingSettingsRow(tenant_id=self.tenant_id, updated_at=at)
            self.s.add(row)
        row.max_transit_days = max_transit_days
        row.updated_at = at
        return row
