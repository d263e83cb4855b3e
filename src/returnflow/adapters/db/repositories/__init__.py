"""Repositories: every query of the app lives here, scoped to one tenant."""

from returnflow.adapters.db.repositories.analytics import AnalyticsRepository
from returnflow.adapters.db.repositories.base import TenantScoped, decode_cursor, encode_cursor
from returnflow.adapters.db.repositories.catalog import CatalogRepository
from returnflow.adapters.db.repositories.deliveries import DeliveryRepository
from returnflow.adapters.db.repositories.floor import FloorRepository
from returnflow.adapters.db.repositories.inventory import InventoryRepository
from returnflow.adapters.db.repositories.ledger import LedgerRepository
from returnflow.adapters.db.repositories.orders import OrderRepository
from returnflow.adapters.db.repositories.policies import PolicyRepository
from returnflow.adapters.db.repositories.records import RecordRepository
from returnflow.adapters.db.repositories.returns import ReturnRepository
from returnflow.adapters.db.repositories.routing import RoutingRepository
from returnflow.adapters.db.repositories.shipments import ShipmentRepository
from returnflow.adapters.db.repositories.tenants import TenantRepository
from returnflow.adapters.db.repositories.tracking import TrackingRepository

__all__ = [
    "AnalyticsRepository",
    "CatalogRepository",
    "DeliveryRepository",
    "FloorRepository",
    "InventoryRepository",
    "LedgerRepository",
    "OrderRepository",
    "PolicyRepository",
    "RecordRepository",
    "ReturnRepository",
    "RoutingRepository",
    "ShipmentRepository",
    "TenantRepository",
    "TenantScoped",
    "TrackingRepository",
    "decode_cursor",
    "encode_cursor",
]
