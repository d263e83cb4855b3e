"""Small read helpers the pages share: tenants by slug, product names, the reason catalogue."""

from __future__ import annotations

from collections.abc import Iterable

from returnflow.bootstrap import Container
from returnflow.domain.errors import NotFound
from returnflow.services.access import Actor, system_actor
from returnflow.services.catalog import get_product
from returnflow.services.tenants import TenantInfo, tenant_by_slug


def find_tenant(c: Container, slug: str) -> TenantInfo | None:
    """The tenant with this slug, or None."""
    try:
        return tenant_by_slug(c.db, slug)
    except NotFound:
        return None


def product_names(c: Container, actor: Actor | None, tenant_id: str, skus: Iterable[str]) -> dict[str, str]:
    """Product names by SKU (the SKU itself when the product is unknown)."""
    reader = actor if actor is not None and actor.role != "customer" else system_actor(tenant_id, "portal")
    names: dict[str, str] = {}
    for sku in dict.fromkeys(skus):
        try:
            names[sku] = str(get_product(c.db, reader, sku)["name"])
        except NotFound:
            names[sku] = sku
    return names


def reason_catalogue(c: Container, tenant_id: str) -> list[tuple[str, str]]:
    """The tenant's return reasons as (code, label), in their display order."""
    with c.db.uow(tenant_id, readonly=True) as uow:
        return [(row.code, row.label) for row in uow.policies.reasons()]
