"""Products and nodes: PUT upserts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from returnflow.entrypoints.api.deps import ActorDep, ContainerDep
from returnflow.entrypoints.api.schemas import NodeOut, ProductOut, responses
from returnflow.services import catalog
from returnflow.services.inputs import NodeInput, ProductInput

router = APIRouter(tags=["catalog"])
CodePath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-]+$")]


@router.put("/products/{sku}", response_model=ProductOut, responses=responses(400, 401, 403, 413, 422))
def put_product(sku: CodePath, body: ProductInput, c: ContainerDep, actor: ActorDep) -> Any:
    """Create or replace a product."""
    return catalog.upsert_product(c.db, c.clock, actor, sku, body)


@router.get("/products/{sku}", response_model=ProductOut, responses=responses(401, 403, 404, 422))
def get_product(sku: CodePath, c: ContainerDep, actor: ActorDep) -> Any:
    """One product."""
    return catalog.get_product(c.db, actor, sku)


@router.put("/nodes/{code}", response_model=NodeOut, responses=responses(400, 401, 403, 413, 422))
def put_node(code: CodePath, body: NodeInput, c: ContainerDep, actor: ActorDep) -> Any:
    """Create or replace a node of the reverse network."""
    return catalog.upsert_node(c.db, c.clock, actor, code, body)


@router.get("/nodes", response_model=list[NodeOut], responses=responses(401, 403))
def get_nodes(c: ContainerDep, actor: ActorDep) -> Any:
    """Every node."""
    return catalog.list_nodes(c.db, actor)
