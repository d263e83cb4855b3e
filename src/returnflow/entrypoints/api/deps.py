"""Request-scoped dependencies: the container and the authenticated actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from returnflow.bootstrap import Container
from returnflow.entrypoints.api.key_cache import KeyCache
from returnflow.services.access import Actor
from returnflow.services.tenants import authenticate_hash, hash_key

# Both dependencies are coroutines: FastAPI would run plain functions in the thread pool, a hop
# per dependency per request. Only a key lookup that misses the cache goes to a thread.


async def container(request: Request) -> Container:
    """The app's container (set at startup)."""
    found: Container = request.app.state.container
    return found


async def actor(
    request: Request, authorization: Annotated[str | None, Header(include_in_schema=False)] = None
) -> Actor:
    """The actor behind `Authorization: Bearer <key>`; 401 when missing or unknown."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(401, "missing bearer API key")
    key_hash = hash_key(authorization[7:].strip())
    keys: KeyCache | None = getattr(request.app.state, "keys", None)
    found = keys.get(key_hash) if keys is not None else None
    if found is None:
        c: Container = request.app.state.container
        found = await run_in_threadpool(authenticate_hash, c.db, key_hash)
        if found is None:
            raise HTTPException(401, "invalid API key")
        if keys is not None:
            keys.put(key_hash, found)
    return found


ContainerDep = Annotated[Container, Depends(container)]
ActorDep = Annotated[Actor, Depends(actor)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="replays return the first response; another body → 422"),
]
