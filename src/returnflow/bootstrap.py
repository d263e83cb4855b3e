"""The one place that wires adapters into services; used by every entrypoint."""

from __future__ import annotations

from dataclasses import dataclass, field

from returnflow.adapters.db.engine import make_engine
from returnflow.adapters.db.migrate import upgrade
from returnflow.adapters.db.uow import Database
from returnflow.adapters.labels.offline import OfflineCarrierLabels
from returnflow.adapters.storage.local import LocalPhotoStore
from returnflow.config import Settings, get_settings
from returnflow.services.clock import Clock, system_clock
from returnflow.services.label_port import CarrierLabelPort
from returnflow.services.storage_port import PhotoStore


@dataclass
class Container:
    """What entrypoints need: settings, the database and the clock."""

    settings: Settings
    db: Database
    clock: Clock
    label_carrier: CarrierLabelPort = field(default_factory=OfflineCarrierLabels)
    # Inspection photos: a directory under the data dir unless another store is given.
    photo_store: PhotoStore | None = None

    def __post_init__(self) -> None:
        if self.photo_store is None:
            self.photo_store = LocalPhotoStore(self.settings.data_dir / "photos")

    @property
    def photos(self) -> PhotoStore:
        """The photo store (always set after construction)."""
        assert self.photo_store is not None
        return self.photo_store


def bootstrap(
    settings: Settings | None = None, *, clock: Clock = system_clock, migrate: bool = False
) -> Container:
    """Build the container; connects lazily (first use), migrates only when asked."""
    settings = settings or get_settings()
    engine = make_engine(settings.effective_database_url, pool_size=settings.db_pool_size)
    if migrate:
        upgrade(engine)
    return Container(settings=settings, db=Database(engine), clock=clock)
