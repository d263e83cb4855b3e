"""Return methods, labels, carriers and services, rate cards, routing settings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from returnflow.entrypoints.api.deps import ActorDep, ContainerDep
from returnflow.entrypoints.api.schemas import ReturnOut, responses
from returnflow.services import carriers, labels, return_methods, routing

router = APIRouter(tags=["routing"])
ReturnId = Annotated[str, Path(min_length=1, max_length=40)]
CodePath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-]+$")]


class MethodChoice(BaseModel):
    """Body of POST /returns/{id}/method."""

    method: Annotated[str, Field(min_length=1, max_length=20, description="a `code` from GET …/methods")]


class RoutingSettingsIn(BaseModel):
    """Body of PUT /routing/settings."""

    max_transit_days: Annotated[int, Field(ge=0, le=60)] | None = None


@router.get("/returns/{return_id}/label", responses=responses(401, 403, 404, 409, 422))
def get_label(
    return_id: ReturnId,
    c: ContainerDep,
    actor: ActorDep,
    format: Annotated[Literal["pdf", "zpl", "qr"], Query()] = "pdf",
) -> Response:
    """The return's label (PDF 4×6, ZPL, or the drop-off QR code as PNG); issued once, then reprinted."""
    label = labels.label_for(c.db, c.clock, actor, return_id, c.label_carrier)
    data, media = labels.render_label(label, format)
    ext = {"pdf": "pdf", "zpl": "zpl", "qr": "png"}[format]
    headers = {
        "Content-Disposition": f'inline; filename="{label.rma_number}.{ext}"',
        "X-Tracking-Number": label.tracking_number,
    }
    return Response(data, media_type=media, headers=headers)


@router.get("/returns/{return_id}/methods", responses=responses(401, 403, 404))
def get_methods(return_id: ReturnId, c: ContainerDep, actor: ActorDep) -> Any:
    """The return methods, whether the return qualifies for each, the shopper's fee and the cost."""
    return {"items": return_methods.list_methods(c.db, c.clock, actor, return_id)}


@router.post(
    "/returns/{return_id}/method", response_model=ReturnOut, responses=responses(401, 403, 404, 409, 422)
)
def post_method(return_id: ReturnId, body: MethodChoice, c: ContainerDep, actor: ActorDep) -> Any:
    """Choose a method the return qualifies for."""
    return return_methods.choose_method(c.db, c.clock, actor, return_id, body.method)


@router.post(
    "/returns/{return_id}/route", response_model=ReturnOut, responses=responses(401, 403, 404, 409, 422)
)
def post_route(return_id: ReturnId, c: ContainerDep, actor: ActorDep) -> Any:
    """Route an approved return again (e.g. after loading nodes or rate cards)."""
    return routing.reroute(c.db, c.clock, actor, return_id)


@router.put("/carriers/{code}", responses=responses(400, 401, 403, 422))
def put_carrier(code: CodePath, body: carriers.CarrierInput, c: ContainerDep, actor: ActorDep) -> Any:
    """Create or replace a carrier and its services (mode, pickup, limits)."""
    return carriers.upsert_carrier(c.db, c.clock, actor, code, body)


@router.get("/carriers", responses=responses(401, 403))
def get_carriers(c: ContainerDep, actor: ActorDep) -> Any:
    """Carriers and services in use (the default network until the tenant loads its own)."""
    return carriers.list_carriers(c.db, actor)


@router.put("/rate-cards/{service}", responses=responses(400, 401, 403, 404, 422))
async def put_rate_card(service: CodePath, request: Request, c: ContainerDep, actor: ActorDep) -> Any:
    """Upload a service's rate card: CSV (text/csv) or JSON `{currency, rows: [...]}`; all or nothing."""
    raw = (await request.body()).decode("utf-8-sig")
    kind = request.headers.get("content-type", "")
    return carriers.save_rate_card(c.db, c.clock, actor, service, raw, csv="csv" in kind)


@router.put("/routing/settings", responses=responses(401, 403, 422))
def put_settings(body: RoutingSettingsIn, c: ContainerDep, actor: ActorDep) -> Any:
    """Set the routing SLA (most transit days to the node; null = none)."""
    return carriers.save_settings(c.db, c.clock, actor, body.max_transit_days)
