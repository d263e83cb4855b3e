"""Orders: create and read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from returnflow.entrypoints.api.deps import ActorDep, ContainerDep, IdempotencyKey
from returnflow.entrypoints.api.idempotent import idempotent_post
from returnflow.entrypoints.api.schemas import OrderOut, responses
from returnflow.services import orders
from returnflow.services.inputs import OrderInput

router = APIRouter(tags=["orders"])


@router.post(
    "/orders", status_code=201, response_model=OrderOut, responses=responses(400, 401, 403, 409, 413, 422)
)
def post_order(
    body: OrderInput, c: ContainerDep, actor: ActorDep, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Create an order; an existing number → 409, unknown SKUs → 422."""
    return idempotent_post(
        c, actor, idempotency_key, "/v1/orders", body, lambda: orders.create_order(c.db, c.clock, actor, body)
    )


@router.get("/orders/{number}", response_model=OrderOut, responses=responses(401, 403, 404, 422))
def get_order(number: Annotated[str, Path(max_length=64)], c: ContainerDep, actor: ActorDep) -> Any:
    """One order, with returnable quantities."""
    return orders.get_order(c.db, actor, number)
