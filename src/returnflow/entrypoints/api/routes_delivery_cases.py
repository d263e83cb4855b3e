"""Outbound shipments and failed-delivery (NDR) cases: register, list, resolve."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from returnflow.adapters.db.repositories import decode_cursor, encode_cursor
from returnflow.domain.errors import ValidationFailed
from returnflow.entrypoints.api.deps import ActorDep, ContainerDep, IdempotencyKey
from returnflow.entrypoints.api.idempotent import idempotent_post
from returnflow.entrypoints.api.schemas import responses
from returnflow.services import delivery_cases
from returnflow.services.delivery_cases import CaseActionInput, ShipmentInput

router = APIRouter(tags=["delivery cases"])
Id = Annotated[str, Path(min_length=1, max_length=40)]


@router.post("/shipments", status_code=201, responses=responses(400, 401, 403, 404, 409, 413, 422))
def post_shipment(
    body: ShipmentInput, c: ContainerDep, actor: ActorDep, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Register an order's outbound parcel by tracking number; carrier trouble on it opens a case.

    An existing tracking number → 409 `shipment_exists`; an unknown order → 404.
    """
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        "/v1/shipments",
        body,
        lambda: delivery_cases.register_shipment(c.db, c.clock, actor, body),
    )


@router.get("/shipments/{shipment_id}", responses=responses(401, 403, 404, 422))
def get_shipment(shipment_id: Id, c: ContainerDep, actor: ActorDep) -> Any:
    """One outbound shipment with its delivery cases."""
    return delivery_cases.get_shipment(c.db, actor, shipment_id)


@router.get("/delivery-cases", responses=responses(400, 401, 403, 422))
def list_cases(
    c: ContainerDep,
    actor: ActorDep,
    status: Literal["open", "resolved"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Any:
    """Failed-delivery cases, newest first: `{items, next_cursor}` (`?status=open` for the work queue)."""
    after = None
    if cursor:
        after = decode_cursor(cursor)
        if after is None:
            raise ValidationFailed("cursor is not valid", code="invalid_cursor")
    items, last = delivery_cases.list_cases(c.db, actor, status=status, after_id=after, limit=limit)
    return {"items": items, "next_cursor": encode_cursor(last) if last else None}


@router.get("/delivery-cases/{case_id}", responses=responses(401, 403, 404, 422))
def get_case(case_id: Id, c: ContainerDep, actor: ActorDep) -> Any:
    """One failed-delivery case with its shipment."""
    return delivery_cases.get_case(c.db, actor, case_id)


@router.post("/delivery-cases/{case_id}/actions", responses=responses(400, 401, 403, 404, 409, 413, 422))
def post_action(
    case_id: Id,
    body: CaseActionInput,
    c: ContainerDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Resolve an open case: `reattempt`, `address_correction` (with `address`) or `return_to_origin`.

    `return_to_origin` creates an approved return of type `failed_delivery` (its id is the case's
    `return_id`); a resolved case → 409 `case_closed`.
    """
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        f"/v1/delivery-cases/{case_id}/actions",
        body,
        lambda: delivery_cases.act(c.db, c.clock, actor, case_id, body),
        status_code=200,
    )
