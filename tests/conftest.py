"""Shared fixtures: a migrated SQLite and PostgreSQL database per session, a tenant per test."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from returnflow.bootstrap import Container, bootstrap
from returnflow.config import Settings

PG_ADMIN_URL = os.environ.get("RETURNFLOW_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


class FrozenClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _pg_database(worker: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this test session; fails loudly under CI."""
    admin_url = make_url(PG_ADMIN_URL)
    name = f"returnflow_test_{worker}_{secrets.token_hex(3)}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as err:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"PostgreSQL is required under CI but unreachable at {PG_ADMIN_URL}: {err}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {err}")
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Both databases: every integration test runs on SQLite and on PostgreSQL."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "returnflow.db"
        yield f"sqlite:///{path}"
    else:
        yield from _pg_database(worker)


@pytest.fixture(scope="session")
def base_container(database_url: str) -> Iterator[Container]:
    """A migrated database shared by the session (tests isolate by tenant)."""
    c = bootstrap(Settings(database_url=database_url), migrate=True)
    yield c
    c.db.engine.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    """Time under the test's control."""
    return FrozenClock(datetime(2026, 3, 15, 12, 0, tzinfo=UTC))


@pytest.fixture
def container(base_container: Container, clock: FrozenClock) -> Container:
    """The session's database with this test's clock."""
    return Container(settings=base_container.settings, db=base_container.db, clock=clock)


@pytest.fixture
def tenant_slug(container: Container) -> str:
    """A fresh tenant for this test (isolation without re-creating the schema)."""
    from returnflow.services.tenants import create_tenant

    slug = f"t-{secrets.token_hex(5)}"
    create_tenant(container.db, container.clock, slug, f"Tenant {slug}")
    return slug
