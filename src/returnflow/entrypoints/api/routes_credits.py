"""Credits of a return, ledger balances and refund-instruction exports for finance."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from returnflow.adapters.payments.builtin import instructions_csv
from returnflow.domain.errors import DomainError
from returnflow.entrypoints.api.deps import ActorDep, ContainerDep, IdempotencyKey
from returnflow.entrypoints.api.idempotent import idempotent_post
from returnflow.entrypoints.api.schemas import responses
from returnflow.services import credits, ledger, refunds

router = APIRouter(tags=["credits"])
ReturnId = Annotated[str, Path(min_length=1, max_length=40)]


class ManualCreditInput(BaseModel):
    """Body of POST /v1/returns/{id}/credits (may be empty)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    note: str | None = Field(default=None, max_length=2000)


@router.get("/returns/{return_id}/credits", responses=responses(401, 403, 404, 422))
def get_credits(return_id: ReturnId, c: ContainerDep, actor: ActorDep) -> Any:
    """The return's credits: `[{id, kind, amount, currency, status, created_at}]`."""
    return credits.list_credits(c.db, actor, return_id)


@router.post(
    "/returns/{return_id}/credits", status_code=201, responses=responses(400, 401, 403, 404, 409, 422)
)
def post_credit(
    return_id: ReturnId,
    c: ContainerDep,
    actor: ActorDep,
    body: ManualCreditInput | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Finance issues the return's credit now (trigger `manual`); requires an Idempotency-Key."""
    if not idempotency_key:
        # A plain DomainError is a 400: the request is incomplete, not a broken business rule.
        raise DomainError("crediting requires an Idempotency-Key header", code="idempotency_key_required")
    note = body.note if body is not None else None
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        f"/v1/returns/{return_id}/credits",
        body,
        lambda: credits.issue_manual(c.db, c.clock, actor, return_id, note),
    )


@router.get("/ledger/balances", responses=responses(401, 403))
def get_balances(c: ContainerDep, actor: ActorDep) -> Any:
    """Each ledger account's debits, credits and balance per currency."""
    return {"items": ledger.account_balances(c.db, actor)}


@router.get("/refund-instructions", responses=responses(401, 403, 422))
def get_refund_instructions(
    c: ContainerDep,
    actor: ActorDep,
    format: Literal["json", "csv"] = "json",
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Any:
    """Refund instructions for the commerce platform (`?format=csv` for the export file)."""
    rows = refunds.export_rows(c.db, actor, status)
    if format == "csv":
        return Response(
            instructions_csv(rows),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="refund-instructions.csv"'},
        )
    return {"items": rows}
