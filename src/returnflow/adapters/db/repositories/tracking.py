"""Queries over carrier secrets, carrier events and per-return tracking state, scoped to one tenant."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.dialects import sqlite

from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.repositories.returns import ReturnRepository
from returnflow.adapters.db.tables import ReturnLineRow, ReturnRow
from returnflow.adapters.db.tables_tracking import CarrierEventRow, CarrierSecretRow, ReturnTrackingRow

# Rows per statement: keeps IN lists and multi-row VALUES well under every driver's parameter limit.
BATCH = 1000
# The Table, not the mapped class: an insert of the class through the session takes the ORM's
# bulk path, several times slower for large batches.
EVENTS: Table = CarrierEventRow.__table__  # type: ignore[assignment]
# Events per statement on PostgreSQL, where each column travels as one array parameter.
PG_PAGE = 5000
_PG_TYPES = {"occurred_at": "timestamptz[]", "received_at": "timestamptz[]"}
_PG_COLUMNS = [c.name for c in EVENTS.columns if c.name != "tenant_id"]
_PG_INSERT_EVENTS = (
    f"INSERT INTO carrier_events (tenant_id, {', '.join(_PG_COLUMNS)}) "
    f"SELECT %b, {', '.join(_PG_COLUMNS)} FROM unnest("
    + ", ".join(f"%b::{_PG_TYPES.get(name, 'text[]')}" for name in _PG_COLUMNS)
    + f") WITH ORDINALITY AS page({', '.join(_PG_COLUMNS)}, position) ORDER BY position "
    "ON CONFLICT (tenant_id, provider, event_id) DO NOTHING RETURNING provider, event_id"
)


class TrackingRepository(TenantScoped):
    """Carrier secrets and carrier events of one tenant."""

    # --- secrets ------------------------------------------------------------------------------

    def secrets(self, provider: str) -> list[CarrierSecretRow]:
        """The provider's stored secrets, newest first."""
        return list(
            self.s.scalars(
                select(CarrierSecretRow)
                .where(CarrierSecretRow.tenant_id == self.tenant_id, CarrierSecretRow.provider == provider)
                .order_by(CarrierSecretRow.created_at.desc(), CarrierSecretRow.id.desc())
            )
        )

    def active_secrets(self, provider: str, keep: int = 2) -> list[str]:
        """The secrets a signature may be made with (the newest and, during a rotation, its predecessor)."""
        return [row.secret for row in self.secrets(provider)[:keep]]

    def add_secret(self, provider: str, secret_id: str, secret: str, at: datetime) -> None:
        """Store a new secret."""
        self.s.add(
            CarrierSecretRow(
                tenant_id=self.tenant_id, provider=provider, id=secret_id, secret=secret, created_at=at
            )
        )

    def drop_secrets(self, provider: str, ids: Sequence[str]) -> None:
        """Forget retired secrets entirely (nothing can be verified with them any more)."""
        if ids:
            self.s.execute(
                delete(CarrierSecretRow).where(
                    CarrierSecretRow.tenant_id == self.tenant_id,
                    CarrierSecretRow.provider == provider,
                    CarrierSecretRow.id.in_(list(ids)),
                )
            )

    # --- events -------------------------------------------------------------------------------

    def add_events(self, rows: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
        """Insert events, skipping any already stored; the (provider, event_id) keys that were new.

        The primary key decides: `ON CONFLICT DO NOTHING … RETURNING` is one atomic statement per
        batch, so two deliveries of one event racing each other store (and apply) it once.
        """
        if not rows:
            return set()
        # Sorted by key so concurrent batches lock index entries in the same order (no deadlock).
        ordered = sorted(rows, key=lambda r: (r["provider"], r["event_id"]))
        if self.s.get_bind().dialect.name == "postgresql":
            return self._add_events_pg(ordered)
        stmt = (
            sqlite.insert(EVENTS)
            .on_conflict_do_nothing(index_elements=["tenant_id", "provider", "event_id"])
            .returning(EVENTS.c.provider, EVENTS.c.event_id)
        )
        new: set[tuple[str, str]] = set()
        for start in range(0, len(ordered), BATCH):
            # One compiled statement, sent as multi-row VALUES pages (insertmanyvalues) with RETURNING.
            chunk = [{"tenant_id": self.tenant_id, **r} for r in ordered[start : start + BATCH]]
            new.update((p, e) for p, e in self.s.execute(stmt, chunk))
        return new

    def _add_events_pg(self, ordered: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
        # One array per column, unnested server-side: the statement text is the same for any number
        # of rows, so the driver parses it once (a multi-row VALUES text is re-parsed on every page).
        # The arrays go in binary (`%b`), which skips the per-element quoting of the text format;
        # that needs the driver's own cursor, on the session's connection and transaction.
        cursor = self.s.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        new: set[tuple[str, str]] = set()
        try:
            for start in range(0, len(ordered), PG_PAGE):
                page = ordered[start : start + PG_PAGE]
                columns = ([r[name] for r in page] for name in _PG_COLUMNS)
                cursor.execute(_PG_INSERT_EVENTS, [self.tenant_id, *columns])
                new.update(cursor.fetchall())
        finally:
            cursor.close()
        return new

    def unmatched(self, tracking_number: str) -> list[CarrierEventRow]:
        """Events kept for a tracking number no return carried when they arrived, oldest first."""
        return list(
            self.s.scalars(
                select(CarrierEventRow)
                .where(
                    CarrierEventRow.tenant_id == self.tenant_id,
                    CarrierEventRow.tracking_number == tracking_number,
                    CarrierEventRow.return_id.is_(None),
                )
                .order_by(CarrierEventRow.occurred_at, CarrierEventRow.event_id)
                .with_for_update()
            )
        )

    def unmatched_numbers(self, limit: int = 1000) -> list[str]:
        """Tracking numbers of unmatched events that some return now carries."""
        return list(
            self.s.scalars(
                select(CarrierEventRow.tracking_number)
                .join(
                    ReturnRow,
                    (ReturnRow.tenant_id == CarrierEventRow.tenant_id)
                    & (ReturnRow.tracking_number == CarrierEventRow.tracking_number),
                )
                .where(CarrierEventRow.tenant_id == self.tenant_id, CarrierEventRow.return_id.is_(None))
                .distinct()
                .limit(limit)
            )
        )

    def events_of(self, return_id: str) -> list[CarrierEventRow]:
        """A return's carrier events in the order they happened."""
        return list(
            self.s.scalars(
                select(CarrierEventRow)
                .where(CarrierEventRow.tenant_id == self.tenant_id, CarrierEventRow.return_id == return_id)
                .order_by(CarrierEventRow.occurred_at, CarrierEventRow.event_id)
            )
        )

    # --- returns and their tracking state -----------------------------------------------------

    def returns_by_tracking(self, numbers: Iterable[str]) -> dict[str, list[ReturnRow]]:
        """The returns carrying each tracking number, row-locked (they are about to change)."""
        out: dict[str, list[ReturnRow]] = {}
        wanted = sorted(set(numbers))
        for start in range(0, len(wanted), BATCH):
            rows = self.s.scalars(
                select(ReturnRow)
                .where(
                    ReturnRow.tenant_id == self.tenant_id,
                    self.one_of(ReturnRow.tracking_number, wanted[start : start + BATCH]),
                )
                .order_by(ReturnRow.id)
                .with_for_update()
            )
            for row in rows:
                out.setdefault(row.tracking_number or "", []).append(row)
        ReturnRepository(self.s, self.tenant_id).hold(r for found in out.values() for r in found)
        return out

    def tracking_of(self, return_ids: Sequence[str]) -> dict[str, ReturnTrackingRow]:
        """The tracking state of each of these returns that has one."""
        out: dict[str, ReturnTrackingRow] = {}
        ids = list(return_ids)
        for start in range(0, len(ids), BATCH):
            for row in self.s.scalars(
                select(ReturnTrackingRow).where(
                    ReturnTrackingRow.tenant_id == self.tenant_id,
                    ReturnTrackingRow.return_id.in_(ids[start : start + BATCH]),
                )
            ):
                out[row.return_id] = row
        return out

    def add_tracking(self, return_id: str, tracking_number: str) -> ReturnTrackingRow:
        """Start the tracking state of a return."""
        row = ReturnTrackingRow(
            tenant_id=self.tenant_id, return_id=return_id, tracking_number=tracking_number, events=0
        )
        self.s.add(row)
        return row

    def set_line_status(self, return_id: str, status: str) -> None:
        """Every line of a return follows the return's status (one statement, no load)."""
        self.s.execute(
            update(ReturnLineRow)
            .where(ReturnLineRow.tenant_id == self.tenant_id, ReturnLineRow.return_id == return_id)
            .values(status=status)
            .execution_options(synchronize_session=False)
        )

    def set_line_statuses(self, statuses: Mapping[str, str]) -> None:
        """Set the lines of many returns to their return's status: one UPDATE per status value."""
        by_status: dict[str, list[str]] = {}
        for return_id, status in statuses.items():
            by_status.setdefault(status, []).append(return_id)
        for status, ids in sorted(by_status.items()):
            ids.sort()
            for start in range(0, len(ids), BATCH):
                self.s.execute(
                    update(ReturnLineRow)
                    .where(
                        ReturnLineRow.tenant_id == self.tenant_id,
                        ReturnLineRow.return_id.in_(ids[start : start + BATCH]),
                    )
                    .values(status=status)
                    .execution_options(synchronize_session=False)
                )

    def attach_unmatched(self, tracking_number: str, return_id: str) -> int:
        """Give kept events of a number to a return without applying them (history before it existed)."""
        result = self.s.execute(
            update(CarrierEventRow)
            .where(
                CarrierEventRow.tenant_id == self.tenant_id,
                CarrierEventRow.tracking_number == tracking_number,
                CarrierEventRow.return_id.is_(None),
            )
            .values(return_id=return_id)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def tenants_with_matchable_events(self) -> list[str]:
        """Tenants (of every tenant) with kept events whose tracking number a return now carries."""
        return list(
            self.s.scalars(
                select(CarrierEventRow.tenant_id)
                .join(
                    ReturnRow,
                    (ReturnRow.tenant_id == CarrierEventRow.tenant_id)
                    & (ReturnRow.tracking_number == CarrierEventRow.tracking_number),
                )
                .where(CarrierEventRow.return_id.is_(None))
                .distinct()
            )
        )
