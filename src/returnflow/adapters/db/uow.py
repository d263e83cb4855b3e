"""Unit of work: one transaction, the repositories that share it, commit once."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from returnflow.adapters.db.engine import READONLY_OPTION, write_gate
from returnflow.adapters.db.repositories import (
    AnalyticsRepository,
    CatalogRepository,
    DeliveryRepository,
    FloorRepository,
    InventoryRepository,
    LedgerRepository,
    OrderRepository,
    PolicyRepository,
    RecordRepository,
    ReturnRepository,
    RoutingRepository,
    ShipmentRepository,
    TenantRepository,
    TrackingRepository,
)
from returnflow.domain.errors import Conflict


class Database:
    """Session factories for one engine (read-write and read-only)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.read_sessions = sessionmaker(
            engine.execution_options(**{READONLY_OPTION: True}), expire_on_commit=False
        )
        self.write_gate = write_gate(engine)

    def uow(self, tenant_id: str = "", *, readonly: bool = False) -> UnitOfWork:
        """A unit of work scoped to a tenant ('' for tenant-less admin work)."""
        return UnitOfWork(self, tenant_id, readonly=readonly)


class UnitOfWork:
    """`with db.uow(tid) as uow: …; uow.commit()` — rolled back unless committed."""

    def __init__(self, db: Database, tenant_id: str, *, readonly: bool = False) -> None:
        self.db = db
        self.tenant_id = tenant_id
        self.readonly = readonly

    def __enter__(self) -> UnitOfWork:
        self._gate = None if self.readonly else self.db.write_gate
        if self._gate is not None:
            self._gate.__enter__()
        factory = self.db.read_sessions if self.readonly else self.db.sessions
        self.session: Session = factory()
        self.tenants = TenantRepository(self.session)
        self.set_tenant(self.tenant_id)
        return self

    def set_tenant(self, tenant_id: str) -> None:
        """Point the tenant-scoped repositories at a tenant (e.g. right after creating it)."""
        self.tenant_id = tenant_id
        self.policies = PolicyRepository(self.session, tenant_id)
        self.catalog = CatalogRepository(self.session, tenant_id)
        self.orders = OrderRepository(self.session, tenant_id)
        self.returns = ReturnRepository(self.session, tenant_id)
        self.records = RecordRepository(self.session, tenant_id)
        self.routing = RoutingRepository(self.session, tenant_id)
        self.ledger = LedgerRepository(self.session, tenant_id)
        self.tracking = TrackingRepository(self.session, tenant_id)
        self.deliveries = DeliveryRepository(self.session, tenant_id)
        self.shipments = ShipmentRepository(self.session, tenant_id)
        self.floor = FloorRepository(self.session, tenant_id)
        self.inventory = InventoryRepository(self.session, tenant_id)
        self.analytics = AnalyticsRepository(self.session, tenant_id)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # close() rolls back anything uncommitted but keeps loaded objects readable (detached).
        try:
            self.session.close()
        finally:
            if self._gate is not None:
                self._gate.__exit__(exc_type, exc, tb)

    def flush(self) -> None:
        """Send pending writes (so unique constraints are checked now)."""
        try:
            self.session.flush()
        except IntegrityError as err:
            raise Conflict("that object already exists", code="conflict") from err

    def commit(self) -> None:
        """Chain the queued audit entries, then commit; a unique-constraint race becomes a Conflict."""
        try:
            self.records.chain_pending()
            self.session.commit()
        except IntegrityError as err:
            self.session.rollback()
            raise Conflict("that object already exists or changed concurrently", code="conflict") from err
