"""Queries over carriers, services, rate cards and routing decisions, scoped to one tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, event, func, select

from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.row_queue import fetch_one
from returnflow.adapters.db.tables import NodeRow, ReturnRow
from returnflow.adapters.db.tables_routing import CarrierRow, CarrierServiceRow, RoutingSettingsRow

# Bumped whenever this process writes a node, a carrier service or the routing settings, so that a
# cached network is never reused after a change made here (even within one clock tick); changes
# made by other processes show in the database part of `network_fingerprint`.
_generation = [0]


def _bump(*_: Any) -> None:
    _generation[0] += 1


for _table in (NodeRow, CarrierServiceRow, RoutingSettingsRow):
    for _when in ("after_insert", "after_update", "after_delete"):
        event.listen(_table, _when, _bump)


# The memo key under which a statement that read `network_state_columns` along leaves their values.
NETWORK_STATE = "network_state"


def network_state_columns(tenant_id: Any) -> list[Any]:
    """Scalar subqueries whose values change with the tenant's nodes, services or routing settings.

    `tenant_id` is a value or a bind parameter (for statements built once at import).
    """
    n, s_ = NodeRow, CarrierServiceRow
    return [
        select(func.count()).where(n.tenant_id == tenant_id).scalar_subquery(),
        select(func.max(n.updated_at)).where(n.tenant_id == tenant_id).scalar_subquery(),
        select(func.count()).where(s_.tenant_id == tenant_id).scalar_subquery(),
        select(func.max(s_.updated_at)).where(s_.tenant_id == tenant_id).scalar_subquery(),
        select(RoutingSettingsRow.updated_at)
        .where(RoutingSettingsRow.tenant_id == tenant_id)
        .scalar_subquery(),
    ]


# Built once: constructing a statement costs more than executing its cached compiled form.
_NETWORK_STATE = select(*network_state_columns(bindparam("tenant_id")))


def network_generation() -> int:
    """How many network writes this process has flushed."""
    return _generation[0]


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

    def network_fingerprint(self) -> tuple[Any, ...]:
        """What changes whenever the tenant's nodes, services or routing settings change (one query).

        Answered without a query when an earlier statement of this transaction read it along (see
        `network_state_columns`) and nothing has been changed in the session since.
        """
        seen = self.memo.get(NETWORK_STATE)
        if seen is not None and not (self.s.new or self.s.dirty or self.s.deleted):
            return (network_generation(), *seen)
        row = fetch_one(self.s, _NETWORK_STATE, {"tenant_id": self.tenant_id})
        assert row is not None  # an aggregate answers one row
        return (network_generation(), *row)

    def network_generation(self) -> int:
        """How many network writes this process has flushed (see `network_fingerprint`)."""
        return network_generation()

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
