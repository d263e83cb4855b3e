"""Returns: request, read, list, approve, reject, cancel."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from returnflow.adapters.db.repositories import decode_cursor, encode_cursor
from returnflow.domain.errors import ValidationFailed
from returnflow.domain.returns import ReturnStatus
from returnflow.entrypoints.api.deps import ActorDep, ContainerDep, IdempotencyKey
from returnflow.entrypoints.api.idempotent import idempotent_post
from returnflow.entrypoints.api.schemas import ReturnOut, ReturnPage, responses
from returnflow.services import returns
from returnflow.services.inputs import RejectInput, ReturnInput

router = APIRouter(tags=["returns"])
ReturnId = Annotated[str, Path(min_length=1, max_length=40)]


@router.post(
    "/returns",
    status_code=201,
    response_model=ReturnOut,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def post_return(
    body: ReturnInput, c: ContainerDep, actor: ActorDep, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Request a return: approved or pending review (201); not allowed by policy → 422 with reasons."""
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        "/v1/returns",
        body,
        lambda: returns.request_return(c.db, c.clock, actor, body),
    )


@router.get("/returns", response_model=ReturnPage, responses=responses(400, 401, 403, 422))
def list_returns(
    c: ContainerDep,
    actor: ActorDep,
    status: ReturnStatus | None = None,
    order_number: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="search RMA number, order number or email")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Any:
    """Returns, newest first, with an opaque cursor for the next page."""
    after = None
    if cursor:
        after = decode_cursor(cursor)
        if after is None:
            raise ValidationFailed("cursor is not valid", code="invalid_cursor")
    items, last = returns.list_returns(
        c.db,
        actor,
        status=status.value if status else None,
        order_number=order_number,
        query=q,
        after_id=after,
        limit=limit,
    )
    return {"items": items, "next_cursor": encode_cursor(last) if last else None}


@router.get("/returns/{return_id}", response_model=ReturnOut, responses=responses(401, 403, 404, 422))
def get_return(return_id: ReturnId, c: ContainerDep, actor: ActorDep) -> Any:
    """One return, with its decision, risk and timeline."""
    return returns.get_return(c.db, actor, return_id)


@router.post(
    "/returns/{return_id}/approve", response_model=ReturnOut, responses=responses(401, 403, 404, 409, 422)
)
def approve(
    return_id: ReturnId, c: ContainerDep, actor: ActorDep, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Approve a return waiting for review."""
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        f"/v1/returns/{return_id}/approve",
        None,
        lambda: returns.approve(c.db, c.clock, actor, return_id),
        status_code=200,
    )


@router.post(
    "/returns/{return_id}/reject",
    response_model=ReturnOut,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def reject(
    return_id: ReturnId,
    body: RejectInput,
    c: ContainerDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Reject a return, with the reason."""
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        f"/v1/returns/{return_id}/reject",
        body,
        lambda: returns.reject(c.db, c.clock, actor, return_id, body.reason),
        status_code=200,
    )


@router.post(
    "/returns/{return_id}/cancel", response_model=ReturnOut, responses=responses(401, 403, 404, 409, 422)
)
def cancel(
    return_id: ReturnId, c: ContainerDep, actor: ActorDep, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Cancel a return; its units become returnable again."""
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        f"/v1/returns/{return_id}/cancel",
        None,
        lambda: returns.cancel(c.db, c.clock, actor, return_id),
        status_code=200,
    )
