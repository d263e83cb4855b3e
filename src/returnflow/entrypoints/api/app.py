"""The ASGI app: API under /v1, pages, problem+json errors, body limit."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from returnflow import __version__
from returnflow.bootstrap import Container, bootstrap
from returnflow.entrypoints.api import (
    problems,
    routes_catalog,
    routes_credits,
    routes_orders,
    routes_returns,
    routes_routing,
    routes_subscriptions,
    routes_webhooks,
)
from returnflow.entrypoints.api.body_limit import BodyLimit
from returnflow.entrypoints.api.key_cache import KeyCache
from returnflow.entrypoints.web import pages

DESCRIPTION = """ReturnFlow's public API. Authenticate with `Authorization: Bearer <api key>`.
Money is in integer minor units beside an ISO-4217 currency. Errors are RFC 9457 problem+json.
Every POST accepts an `Idempotency-Key` header."""


def create_app(container: Container | None = None) -> FastAPI:
    """Build the app around a container (bootstrapped from settings when not given)."""
    container = container or bootstrap()
    app = FastAPI(title="ReturnFlow", version=__version__, description=DESCRIPTION)
    app.state.container = container
    app.state.keys = KeyCache(container.settings.api_key_cache_seconds)
    problems.install(app)
    for router in (
        routes_catalog.router,
        routes_orders.router,
        routes_returns.router,
        routes_routing.router,
        routes_credits.router,
        routes_webhooks.router,
        routes_subscriptions.router,
    ):
        app.include_router(router, prefix="/v1")

    @app.get("/healthz", tags=["ops"], include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ops")

    app.include_router(pages.router)
    app.add_middleware(BodyLimit, max_bytes=container.settings.max_body_bytes)
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` (each worker builds its own container)."""
    return create_app()
