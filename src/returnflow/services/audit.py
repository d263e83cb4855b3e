"""Verify a tenant's hash-chained audit log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from returnflow.domain.audit import ChainBreak, ChainedEntry, audit_content, verify_chain

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import Database


@dataclass(frozen=True)
class AuditReport:
    """Result of verifying one tenant's chain."""

    tenant_slug: str
    entries: int
    first_break: ChainBreak | None


def verify(db: Database, tenant_slugs: list[str] | None = None) -> list[AuditReport]:
    """Check each tenant's chain (all tenants when none are named)."""
    reports = []
    with db.uow(readonly=True) as uow:
        tenants = [t for t in uow.tenants.all() if not tenant_slugs or t.slug in tenant_slugs]
        for tenant in tenants:
            uow.set_tenant(tenant.id)

            def entries() -> Iterator[ChainedEntry]:
                for e in uow.records.audit_entries():
                    content = audit_content(
                        e.seq, e.at, e.actor, e.action, e.entity_type, e.entity_id, e.data
                    )
                    yield ChainedEntry(seq=e.seq, prev_hash=e.prev_hash, hash=e.hash, content=content)

            checked, first_break = verify_chain(entries())
            reports.append(AuditReport(tenant.slug, checked, first_break))
    return reports
