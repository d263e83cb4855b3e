"""Tenant policies: the version in force (compiled once per process), saving new versions, explaining."""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from returnflow.adapters.policy_document import load_policy, parse_document
from returnflow.domain.errors import NotFound
from returnflow.domain.policy import Policy
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import Database, UnitOfWork

_cache: dict[tuple[str, int], Policy] = {}
_lock = threading.Lock()


def policy_in_force(uow: UnitOfWork) -> Policy:
    """The tenant's highest policy version, compiled (cached: versions are immutable)."""
    version, _ = uow.policies.in_force()
    if version is None:
        raise NotFound("the tenant has no policy", code="no_policy")
    key = (uow.tenant_id, version)
    policy = _cache.get(key)
    if policy is None:
        row = uow.policies.version(version)
        assert row is not None  # versions are never deleted
        policy = load_policy(row.document, version=version)
        with _lock:
            _cache[key] = policy
    return policy


def check_document(text: str) -> Policy:
    """Validate a policy document (raises PolicyInvalid listing every problem)."""
    return load_policy(text, version=0)


def save_policy(db: Database, clock: Clock, actor: Actor, text: str) -> int:
    """Validate and store a new version; returns its number."""
    actor.require("policy.write")
    parse_document(text)
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        latest = uow.policies.latest()
        version = (latest.version if latest else 0) + 1
        load_policy(text, version=version)
        uow.policies.add(version=version, document=text, created_at=now, created_by=actor.label)
        record(
            uow,
            actor,
            now,
            "policy.saved",
            "policy",
            str(version),
            {"version": version},
            topic="policy.saved",
        )
        uow.commit()
    return version


def current_policy_document(db: Database, actor: Actor) -> tuple[int, str]:
    """The version number and text of the policy in force."""
    actor.require("policy.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        row = uow.policies.latest()
        if row is None:
            raise NotFound("the tenant has no policy", code="no_policy")
        return row.version, row.document


def to_jsonable(value: Any) -> Any:
    """Dataclasses, tuples, enums and datetimes to JSON-ready values (for storing decisions)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if hasattr(value, "eligible") and "eligible" not in out:
            out["eligible"] = value.eligible
        return out
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value
