"""Request-scoped dependencies: the container and the authenticated actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from returnflow.bootstrap import Container
from returnflow.services.access import Actor
from returnflow.services.tenants import authenticate


def container(request: Request) -> Container:
    """The app's container (set at startup)."""
    found: Container = request.app.state.container
    return found


def actor(
    request: Request, authorization: Annotated[str | None, Header(include_in_schema=False)] = None
) -> Actor:
    """The actor behind `Authorization: Bearer <key>`; 401 when missing or unknown."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(401, "missing bearer API key")
    found = authenticate(container(request).db, authorization[7:].strip())
    if found is None:
        raise HTTPException(401, "invalid API key")
    return found


ContainerDep = Annotated[Container, Depends(container)]
ActorDep = Annotated[Actor, Depends(actor)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="replays return the first response; another body → 422"),
]
