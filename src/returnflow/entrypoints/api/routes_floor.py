"""The returns-center floor: receipts, inspection, photos, disposition, inventory, work orders, claims."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from returnflow.adapters.db.repositories import decode_cursor, encode_cursor
from returnflow.domain.errors import ValidationFailed
from returnflow.entrypoints.api.deps import ActorDep, ContainerDep, IdempotencyKey
from returnflow.entrypoints.api.idempotent import idempotent_post
from returnflow.entrypoints.api.problems import problem
from returnflow.entrypoints.api.schemas import responses
from returnflow.services import (
    claims,
    disposition,
    floor_documents,
    inspection,
    inventory,
    photos,
    receiving,
    work_orders,
)
from returnflow.services.floor_inputs import (
    ClaimUpdate,
    InspectionInput,
    MatchInput,
    OverrideInput,
    ReceiptInput,
    WorkOrderCompletion,
    WorkOrderInput,
)

router = APIRouter(tags=["floor"])
Id = Annotated[str, Path(min_length=1, max_length=40)]
NodeQuery = Annotated[str | None, Query(max_length=64, description="node code")]
SkuQuery = Annotated[str | None, Query(max_length=64)]
# Photo uploads carry their own body limit (the app's middleware reads it from here).
PHOTO_PATH = r"/v1/returns/[^/]+/lines/[^/]+/photos"
MULTIPART_OVERHEAD = 64 * 1024


# Receipts


@router.post("/receipts", status_code=201, responses=responses(400, 401, 403, 409, 413, 422))
def post_receipt(
    body: ReceiptInput, c: ContainerDep, actor: ActorDep, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Scan a parcel in at a node: `{return_id, kind, …}` when matched, else a blind receipt."""
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        "/v1/receipts",
        body,
        lambda: receiving.receive(
            c.db, c.clock, actor, body.scan, body.node_code, lines=body.lines, note=body.note
        ),
    )


@router.get("/receipts", responses=responses(401, 403, 422))
def list_receipts(c: ContainerDep, actor: ActorDep, node: NodeQuery = None) -> Any:
    """Blind receipts waiting to be matched, newest first (matched ones are on their return)."""
    return {"items": receiving.blind_receipts(c.db, actor, node)}


@router.get("/receipts/{receipt_id}", responses=responses(401, 403, 404, 422))
def get_receipt(receipt_id: Id, c: ContainerDep, actor: ActorDep) -> Any:
    """One receipt with its counted lines."""
    return receiving.get_receipt(c.db, actor, receipt_id)


@router.post("/receipts/{receipt_id}/match", responses=responses(400, 401, 403, 404, 409, 413, 422))
def post_match(
    receipt_id: Id,
    body: MatchInput,
    c: ContainerDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Match a blind receipt to its return (by `scan` or `return_id`); the return becomes received."""
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        f"/v1/receipts/{receipt_id}/match",
        body,
        lambda: receiving.match_receipt(
            c.db,
            c.clock,
            actor,
            receipt_id,
            scan=body.scan,
            return_id=body.return_id,
            lines=body.lines,
            note=body.note,
        ),
        status_code=200,
    )


# Inspection, photos, disposition


@router.post(
    "/returns/{return_id}/lines/{line_id}/inspection",
    status_code=201,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def post_inspection(
    return_id: Id,
    line_id: Id,
    body: InspectionInput,
    c: ContainerDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Inspect a received line: the line with its `disposition {path, node_code, expected_recovery}`."""
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        f"/v1/returns/{return_id}/lines/{line_id}/inspection",
        body,
        lambda: inspection.inspect_line(c.db, c.clock, actor, return_id, line_id, body),
    )


@router.get("/returns/{return_id}/lines/{line_id}/inspection", responses=responses(401, 403, 404, 422))
def get_inspection(return_id: Id, line_id: Id, c: ContainerDep, actor: ActorDep) -> Any:
    """The line with its inspection, disposition, photos and claim (null before inspection)."""
    return inspection.get_line(c.db, actor, return_id, line_id)


@router.get("/returns/{return_id}/lines/{line_id}/checklist", responses=responses(401, 403, 404, 422))
def get_checklist(return_id: Id, line_id: Id, c: ContainerDep, actor: ActorDep) -> Any:
    """What inspecting the line asks: questions, required photos (taken or not), expected weight."""
    return inspection.checklist_for_line(c.db, actor, return_id, line_id)


class _PhotoRequest(BaseModel):
    """What identifies a photo upload for Idempotency-Key replays."""

    model_config = ConfigDict(frozen=True)
    sha256: str
    code: str | None


@router.post(
    "/returns/{return_id}/lines/{line_id}/photos",
    status_code=201,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def post_photo(
    return_id: Id,
    line_id: Id,
    c: ContainerDep,
    actor: ActorDep,
    file: Annotated[UploadFile, File(description="a JPEG, PNG or WebP photo")],
    code: Annotated[
        str | None, Form(pattern=r"^[a-z][a-z0-9_]*$", max_length=40, description="checklist photo code")
    ] = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Upload a photo of a received line (multipart `file`, optional `code` such as `front`)."""
    limit = c.settings.max_photo_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        return problem(413, f"the photo is larger than {limit:,} bytes", "photo_too_large")
    fingerprint = _PhotoRequest(sha256=hashlib.sha256(data).hexdigest(), code=code)
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        f"/v1/returns/{return_id}/lines/{line_id}/photos",
        fingerprint,
        lambda: photos.upload_photo(
            c.db, c.clock, actor, c.photos, return_id, line_id, data, code=code, max_bytes=limit
        ),
    )


@router.get("/returns/{return_id}/lines/{line_id}/disposition", responses=responses(401, 403, 404, 422))
def get_disposition(return_id: Id, line_id: Id, c: ContainerDep, actor: ActorDep) -> Any:
    """The line's disposition: chosen path, recommendation, override and every alternative valued."""
    return disposition.get_disposition(c.db, actor, return_id, line_id)


@router.post(
    "/returns/{return_id}/lines/{line_id}/disposition/override",
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def post_override(
    return_id: Id,
    line_id: Id,
    body: OverrideInput,
    c: ContainerDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A specialist sends the line down another allowed path, with the reason (audited)."""
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        f"/v1/returns/{return_id}/lines/{line_id}/disposition/override",
        body,
        lambda: disposition.override_disposition(
            c.db, c.clock, actor, return_id, line_id, body.path, body.reason
        ),
        status_code=200,
    )


# Inventory


@router.get("/inventory", responses=responses(401, 403, 404, 422))
def get_inventory(
    c: ContainerDep,
    actor: ActorDep,
    node: NodeQuery = None,
    sku: SkuQuery = None,
    limit: Annotated[int, Query(ge=1, le=inventory.MAX_PAGE)] = inventory.PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> Any:
    """Balances per node / SKU / condition bucket in (node, SKU) order, paged:
    `{items: [{node_code, sku, buckets, total}], next_cursor}` (null on the last page)."""
    after = _inventory_after(cursor) if cursor else None
    items, last = inventory.balances(c.db, actor, node, sku, after=after, limit=limit)
    return {"items": items, "next_cursor": encode_cursor(json.dumps(list(last))) if last else None}


def _inventory_after(cursor: str) -> tuple[str, str]:
    """The (node, SKU) inside an inventory cursor; invalid_cursor when it is not one of ours."""
    raw = decode_cursor(cursor)
    try:
        pair = json.loads(raw) if raw else None
    except ValueError:
        pair = None
    if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair)):
        raise ValidationFailed("cursor is not valid", code="invalid_cursor")
    return pair[0], pair[1]


@router.get(
    "/inventory/export",
    responses={
        **responses(401, 403, 404, 422),
        200: {"content": {"text/csv": {}}, "description": "one row per node and SKU"},
    },
)
def export_inventory(
    c: ContainerDep, actor: ActorDep, node: NodeQuery = None, sku: SkuQuery = None
) -> Response:
    """The balances as CSV (node_code, sku, one column per bucket, total), streamed page by page."""
    return StreamingResponse(
        inventory.export_csv(c.db, actor, node, sku),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="inventory.csv"'},
    )


@router.get("/inventory/movements", responses=responses(401, 403, 404, 422))
def get_movements(
    c: ContainerDep,
    actor: ActorDep,
    node: NodeQuery = None,
    sku: SkuQuery = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> Any:
    """The append-only movement ledger, newest first."""
    return {"items": inventory.movements(c.db, actor, node, sku, limit)}


# Work orders


@router.post(
    "/returns/{return_id}/lines/{line_id}/work-orders",
    status_code=201,
    responses=responses(400, 401, 403, 404, 409, 413, 422),
)
def post_work_order(
    return_id: Id,
    line_id: Id,
    c: ContainerDep,
    actor: ActorDep,
    body: WorkOrderInput | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Open refurbish or repair work on a line whose disposition is that path."""
    data = body or WorkOrderInput()
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        f"/v1/returns/{return_id}/lines/{line_id}/work-orders",
        data,
        lambda: work_orders.open_work_order(c.db, c.clock, actor, return_id, line_id, data),
    )


@router.get("/work-orders", responses=responses(401, 403, 422))
def list_work_orders(
    c: ContainerDep,
    actor: ActorDep,
    status: Literal["open", "completed", "failed"] | None = None,
    node: NodeQuery = None,
) -> Any:
    """Work orders, newest first."""
    return {"items": work_orders.list_work_orders(c.db, actor, status, node)}


@router.get("/work-orders/{work_order_id}", responses=responses(401, 403, 404, 422))
def get_work_order(work_order_id: Id, c: ContainerDep, actor: ActorDep) -> Any:
    """One work order."""
    return work_orders.get_work_order(c.db, actor, work_order_id)


@router.post("/work-orders/{work_order_id}/complete", responses=responses(400, 401, 403, 404, 409, 413, 422))
def post_work_order_complete(
    work_order_id: Id,
    body: WorkOrderCompletion,
    c: ContainerDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Complete work: parts, labor, outcome, new grade; the unit returns to stock at that grade."""
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        f"/v1/work-orders/{work_order_id}/complete",
        body,
        lambda: work_orders.complete_work_order(c.db, c.clock, actor, work_order_id, body),
        status_code=200,
    )


# Carrier claims


@router.post(
    "/returns/{return_id}/lines/{line_id}/claim",
    status_code=201,
    responses=responses(400, 401, 403, 404, 409, 422),
)
def post_claim(
    return_id: Id, line_id: Id, c: ContainerDep, actor: ActorDep, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Open a carrier claim for an inspected line by hand (inspection opens one for transit damage)."""
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        f"/v1/returns/{return_id}/lines/{line_id}/claim",
        None,
        lambda: claims.open_claim(c.db, c.clock, actor, return_id, line_id),
    )


@router.get("/claims", responses=responses(401, 403, 422))
def list_claims(
    c: ContainerDep,
    actor: ActorDep,
    status: Literal["opened", "submitted", "paid", "denied"] | None = None,
) -> Any:
    """Carrier claims, newest first."""
    return {"items": claims.list_claims(c.db, actor, status)}


@router.get("/claims/{claim_id}", responses=responses(401, 403, 404, 422))
def get_claim(claim_id: Id, c: ContainerDep, actor: ActorDep) -> Any:
    """One claim with its evidence and status history."""
    return claims.get_claim(c.db, actor, claim_id)


@router.post("/claims/{claim_id}/status", responses=responses(400, 401, 403, 404, 409, 413, 422))
def post_claim_status(
    claim_id: Id,
    body: ClaimUpdate,
    c: ContainerDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Move a claim: opened → submitted → paid (with `paid_amount`) or denied."""
    return idempotent_post(
        c,
        actor,
        idempotency_key,
        f"/v1/claims/{claim_id}/status",
        body,
        lambda: claims.update_status(c.db, c.clock, actor, claim_id, body),
        status_code=200,
    )


# The tenant's floor documents


class FloorDocumentInput(BaseModel):
    """Body of PUT /v1/floor/{kind}: the YAML document."""

    model_config = ConfigDict(extra="forbid")
    document: str = Field(min_length=1, max_length=500_000)


FloorKind = Literal["checklists", "disposition"]


@router.get("/floor/{kind}", responses=responses(401, 403, 422))
def get_floor_document(kind: FloorKind, c: ContainerDep, actor: ActorDep) -> Any:
    """The checklists or disposition tables in force (`version` 0 = the packaged defaults)."""
    return floor_documents.current_document(c.db, actor, kind)


@router.put("/floor/{kind}", responses=responses(400, 401, 403, 413, 422))
def put_floor_document(kind: FloorKind, body: FloorDocumentInput, c: ContainerDep, actor: ActorDep) -> Any:
    """Save a new version of the checklists or disposition tables (every problem listed at once)."""
    return floor_documents.save_document(c.db, c.clock, actor, kind, body.document)
