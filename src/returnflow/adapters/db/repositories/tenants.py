"""Tenants and their API keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from returnflow.adapters.db.tables import ApiKey, AuditHead, Tenant
from returnflow.domain.audit import GENESIS


class TenantRepository:
    """Tenants and their API keys (looked up before the tenant is known)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def by_slug(self, slug: str) -> Tenant | None:
        """The tenant with this slug."""
        return self.s.scalars(select(Tenant).where(Tenant.slug == slug)).first()

    def by_id(self, tenant_id: str) -> Tenant | None:
        """The tenant with this id."""
        return self.s.get(Tenant, tenant_id)

    def all(self) -> Sequence[Tenant]:
        """Every tenant, by slug."""
        return self.s.scalars(select(Tenant).order_by(Tenant.slug)).all()

    def add(self, **fields: Any) -> Tenant:
        """Insert a tenant and its empty audit chain head."""
        tenant = Tenant(**fields)
        self.s.add(tenant)
        self.s.flush()
        self.s.add(AuditHead(tenant_id=tenant.id, seq=0, hash=GENESIS))
        return tenant

    def add_key(self, **fields: Any) -> ApiKey:
        """Insert an API key row."""
        key = ApiKey(**fields)
        self.s.add(key)
        return key

    def key_by_hash(self, key_hash: str) -> ApiKey | None:
        """The live key with this hash."""
        return self.s.scalars(
            select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
        ).first()
