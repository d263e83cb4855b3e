"""The ASGI app: API under /v1, pages, problem+json errors, body limit."""

from __future__ import annotations

import gc
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from returnflow import __version__
from returnflow.bootstrap import Container, bootstrap
from returnflow.entrypoints.api import (
    problems,
    routes_analytics,
    routes_catalog,
    routes_credits,
    routes_delivery_cases,
    routes_floor,
    routes_orders,
    routes_reports,
    routes_returns,
    routes_routing,
    routes_subscriptions,
    routes_webhooks,
)
from returnflow.entrypoints.api.body_limit import BodyLimit
from returnflow.entrypoints.api.key_cache import KeyCache
from returnflow.entrypoints.web import ops_floor, pages

DESCRIPTION = """ReturnFlow's public API. Authenticate with `Authorization: Bearer <api key>`.
Money is in integer minor units beside an ISO-4217 currency. Errors are RFC 9457 problem+json.
Every POST accepts an `Idempotency-Key` header."""


@asynccontextmanager
async def _serving(app: FastAPI) -> AsyncIterator[None]:
    """Once the server has started: its thread settings, and the start-up objects moved out of the
    garbage collector's view.

    Without it, every full collection walks the ~200k objects of the imported app again, which
    added 130–140 ms to the request that happened to trigger it (the tail of large responses).
    """
    settings = app.state.container.settings
    if settings.request_threads:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
    switch = sys.getswitchinterval()
    if settings.thread_switch_ms > 0:
        sys.setswitchinterval(settings.thread_switch_ms / 1000)
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()
    sys.setswitchinterval(switch)


def create_app(container: Container | None = None) -> FastAPI:
    """Build the app around a container (bootstrapped from settings when not given)."""
    container = container or bootstrap()
    app = FastAPI(title="ReturnFlow", version=__version__, description=DESCRIPTION, lifespan=_serving)
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
        routes_delivery_cases.router,
        routes_floor.router,
        routes_reports.router,
        routes_analytics.router,
    ):
        app.include_router(router, prefix="/v1")

    @app.get("/healthz", tags=["ops"], include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ops")

    app.include_router(pages.router)
    photo_limit = container.settings.max_photo_bytes + routes_floor.MULTIPART_OVERHEAD
    app.add_middleware(
        BodyLimit,
        max_bytes=container.settings.max_body_bytes,
        path_limits=[
            (routes_floor.PHOTO_PATH, photo_limit),
            (ops_floor.PHOTO_FORM_PATH, photo_limit * ops_floor.MAX_FORM_FILES),
        ],
    )
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` (each worker builds its own container)."""
    return create_app()
