"""API fixtures: a TestClient over the real app and keys for each role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from returnflow.bootstrap import Container
from returnflow.config import get_settings
from returnflow.entrypoints.api.app import create_app
from returnflow.services.tenants import create_key
from tests.builders import product


class Api:
    """A TestClient bound to one API key."""

    def __init__(self, client: TestClient, key: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(f"/v1{path}", headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(
            f"/v1{path}", json=json, headers={**self.headers, **kw.pop("headers", {})}, **kw
        )

    def put(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.put(
            f"/v1{path}", json=json, headers={**self.headers, **kw.pop("headers", {})}, **kw
        )


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    """The real app over the test database."""
    with TestClient(create_app(container), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def keys(container: Container, tenant_slug: str) -> dict[str, str]:
    """One key per role for the test's tenant (customer key bound to ada@example.com)."""
    db, clock = container.db, container.clock
    return {
        "admin": create_key(db, clock, tenant_slug, "admin"),
        "specialist": create_key(db, clock, tenant_slug, "specialist"),
        "warehouse": create_key(db, clock, tenant_slug, "warehouse", node_code="DC1"),
        "finance": create_key(db, clock, tenant_slug, "finance"),
        "customer": create_key(db, clock, tenant_slug, "customer", customer_email="ada@example.com"),
        "other_customer": create_key(db, clock, tenant_slug, "customer", customer_email="bob@example.com"),
    }


@pytest.fixture
def admin(client: TestClient, keys: dict[str, str]) -> Api:
    """The tenant's admin, with a small catalogue loaded."""
    api = Api(client, keys["admin"])
    for sku, over in {
        "SKU-1": {},
        "TV-55": {
            "name": "55in OLED TV",
            "category": "electronics",
            "unit_cost": 60000,
            "weight_grams": 18000,
            "serialized": True,
        },
        "FINAL-1": {"name": "Clearance Tee", "tags": ["final_sale"]},
    }.items():
        r = api.put(f"/products/{sku}", product(**over))
        assert r.status_code == 200, r.text
    return api


def as_role(client: TestClient, keys: dict[str, str], role: str) -> Api:
    """The API as another role of the same tenant."""
    return Api(client, keys[role])


@pytest.fixture
def cli(container: Container, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The `returnflow` command pointed at the test database."""
    monkeypatch.setenv("RETURNFLOW_DATABASE_URL", container.settings.effective_database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()
