"""Tenants and API keys: create a tenant with the default policy and reasons; issue keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from returnflow.adapters.policy_document import default_policy_text
from returnflow.domain.errors import Conflict, NotFound, ValidationFailed
from returnflow.domain.policy import DEFAULT_REASONS
from returnflow.services.access import ROLES, Actor, system_actor
from returnflow.services.clock import Clock
from returnflow.services.ids import new_id
from returnflow.services.inputs import TenantInput
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import Database


@dataclass(frozen=True)
class TenantInfo:
    """A tenant as the CLI and pages show it."""

    id: str
    slug: str
    name: str


def hash_key(plaintext: str) -> str:
    """Keys are 256-bit random, so one SHA-256 is a safe, fast lookup hash."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_tenant(db: Database, clock: Clock, slug: str, name: str) -> TenantInfo:
    """A new tenant with policy version 1 (the default) and the default reason catalogue."""
    data = TenantInput(slug=slug, name=name)
    now = clock()
    with db.uow() as uow:
        if uow.tenants.by_slug(data.slug) is not None:
            raise Conflict(f"tenant '{data.slug}' already exists", code="tenant_exists")
        tenant_id = new_id("ten")
        uow.tenants.add(id=tenant_id, slug=data.slug, name=data.name, created_at=now)
        uow.set_tenant(tenant_id)
        uow.policies.add(version=1, document=default_policy_text(), created_at=now, created_by="system")
        for position, (code, label) in enumerate(DEFAULT_REASONS):
            uow.policies.add_reason(code=code, label=label, position=position)
        actor = system_actor(tenant_id)
        record(uow, actor, now, "tenant.created", "tenant", tenant_id, {"slug": data.slug, "name": data.name})
        uow.commit()
    return TenantInfo(id=tenant_id, slug=data.slug, name=data.name)


def tenant_by_slug(db: Database, slug: str) -> TenantInfo:
    """The tenant with this slug, or NotFound."""
    with db.uow(readonly=True) as uow:
        row = uow.tenants.by_slug(slug)
        if row is None:
            raise NotFound(f"no tenant '{slug}'", code="tenant_not_found")
        return TenantInfo(id=row.id, slug=row.slug, name=row.name)


def create_key(
    db: Database,
    clock: Clock,
    tenant_slug: str,
    role: str,
    *,
    node_code: str | None = None,
    customer_email: str | None = None,
) -> str:
    """Issue a key and return its plaintext (shown once; only the hash is stored)."""
    if role not in ROLES:
        raise ValidationFailed(f"unknown role '{role}'; roles: {', '.join(ROLES)}", code="unknown_role")
    if customer_email and role != "customer":
        raise ValidationFailed("only customer keys bind to a customer email", code="bad_binding")
    if role == "customer" and not customer_email:
        raise ValidationFailed("a customer key needs --customer EMAIL", code="bad_binding")
    if node_code and role not in ("warehouse", "partner"):
        raise ValidationFailed("only warehouse and partner keys bind to a node", code="bad_binding")
    tenant = tenant_by_slug(db, tenant_slug)
    plaintext = f"rf_{role[:4]}_{secrets.token_urlsafe(32)}"
    now = clock()
    with db.uow(tenant.id) as uow:
        key_id = new_id("key")
        uow.tenants.add_key(
            tenant_id=tenant.id,
            id=key_id,
            key_hash=hash_key(plaintext),
            prefix=plaintext[:12],
            role=role,
            node_code=node_code,
            customer_email=customer_email.lower() if customer_email else None,
            created_at=now,
        )
        record(
            uow,
            system_actor(tenant.id),
            now,
            "api_key.created",
            "api_key",
            key_id,
            {
                "role": role,
                "node_code": node_code,
                "customer_email": customer_email,
                "prefix": plaintext[:12],
            },
        )
        uow.commit()
    return plaintext


def authenticate(db: Database, plaintext: str) -> Actor | None:
    """The actor behind a key, or None when the key is unknown or revoked."""
    return authenticate_hash(db, hash_key(plaintext))


def authenticate_hash(db: Database, key_hash: str) -> Actor | None:
    """The actor behind a key's hash, or None when the key is unknown or revoked."""
    with db.uow(readonly=True) as uow:
        key = uow.tenants.key_by_hash(key_hash)
        if key is None:
            return None
        return Actor(
            tenant_id=key.tenant_id,
            role=key.role,
            label=f"key:{key.prefix}",
            node_code=key.node_code,
            customer_email=key.customer_email,
        )
