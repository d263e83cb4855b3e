"""Alembic environment: runs against the engine handed in by `returnflow db upgrade`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from returnflow.adapters.db.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Migrate over the connection passed in config.attributes (never connects by itself)."""
    connection: Connection | None = config.attributes.get("connection")
    if connection is None:
        from returnflow.adapters.db.engine import make_engine
        from returnflow.config import get_settings

        engine = make_engine(get_settings().effective_database_url)
        with engine.connect() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
