"""E2E fixtures: a real uvicorn server per database, one Chromium per session, a seeded shop per test."""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from returnflow.bootstrap import Container
from returnflow.services import catalog, orders, returns
from returnflow.services.access import system_actor
from returnflow.services.inputs import OrderInput, ProductInput, ReturnInput
from returnflow.services.tenants import create_key, create_tenant
from tests.builders import line, order, product, return_request
from tests.conftest import FrozenClock

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path(os.environ.get("RETURNFLOW_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
PLACED = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
TEST_SECRET = "test-secret-" + "x" * 40


@dataclass
class Shop:
    """A seeded tenant: its slug and id, keys per role, and its orders' line ids by SKU."""

    slug: str
    tenant_id: str
    keys: dict[str, str]
    lines: dict[str, str]


def seed_shop(c: Container) -> Shop:
    """A tenant with a sweater, a final-sale tee and a TV, two orders by ada@example.com, and keys."""
    slug = f"shop-{secrets.token_hex(4)}"
    tenant = create_tenant(c.db, c.clock, slug, f"Shop {slug}")
    admin = system_actor(tenant.id, "tests")
    products: dict[str, dict[str, Any]] = {
        "SWEATER-M": product(name="Merino Crew Sweater"),
        "TEE-FINAL": product(name="Clearance Tee", unit_cost=400, tags=["final_sale"]),
        "TV-55": product(
            name="55in OLED TV", category="electronics", unit_cost=60000, weight_grams=18000, serialized=True
        ),
    }
    for sku, body in products.items():
        catalog.upsert_product(c.db, c.clock, admin, sku, ProductInput.model_validate(body))
    first = orders.create_order(
        c.db,
        c.clock,
        admin,
        OrderInput.model_validate(
            order(
                "A-1001",
                [
                    line("SWEATER-M", quantity=2, unit_price=5900),
                    line("TEE-FINAL", unit_price=1900, final_sale=True),
                ],
                placed=PLACED,
            )
        ),
    )
    second = orders.create_order(
        c.db,
        c.clock,
        admin,
        OrderInput.model_validate(
            order("B-2002", [line("TV-55", unit_price=150000, serials=["SN-1"])], placed=PLACED)
        ),
    )
    line_ids = {ln["sku"]: ln["id"] for o in (first, second) for ln in o["lines"]}
    keys = {
        role: create_key(
            c.db, c.clock, slug, role, customer_email="ada@example.com" if role == "customer" else None
        )
        for role in ("admin", "specialist", "finance", "customer")
    }
    return Shop(slug=slug, tenant_id=tenant.id, keys=keys, lines=line_ids)


def file_return(c: Container, shop: Shop, order_number: str, sku: str, **over: Any) -> dict[str, Any]:
    """Request a return through the services (as the shop's system actor)."""
    body = return_request(order_number, shop.lines[sku], **over)
    actor = system_actor(shop.tenant_id, "tests")
    return returns.request_return(c.db, c.clock, actor, ReturnInput.model_validate(body))


def web_container(base: Container, clock: FrozenClock | None = None) -> Container:
    """The session's database with a known page secret (so no secret file is written) and a test clock."""
    settings = base.settings.model_copy(update={"secret_key": TEST_SECRET})
    return Container(settings=settings, db=base.db, clock=clock or FrozenClock(NOW))


def _free_port() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class Live:
    """A running server: its base URL and the container it serves."""

    url: str
    container: Container


@pytest.fixture(scope="session")
def live(base_container: Container) -> Iterator[Live]:
    """uvicorn serving create_app(container) on a free port in a background thread."""
    import uvicorn

    from returnflow.entrypoints.api.app import create_app

    c = web_container(base_container)
    sock = _free_port()
    config = uvicorn.Config(create_app(c), log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.02)
    port = sock.getsockname()[1]
    yield Live(url=f"http://127.0.0.1:{port}", container=c)
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; missing Chromium fails under CI and skips elsewhere."""
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{message}; e2e tests are required under CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, live: Live) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test, with a short default timeout."""
    context = browser.new_context(base_url=live.url)
    context.set_default_timeout(5000)
    p = context.new_page()
    yield p
    context.close()


@pytest.fixture
def shop(live: Live) -> Shop:
    """A freshly seeded tenant on the live server's database."""
    return seed_shop(live.container)
