"""Idempotency-Key handling: the first response to a key is stored and replayed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from returnflow.domain.errors import Conflict, DomainError, ValidationFailed
from returnflow.services.access import Actor
from returnflow.services.clock import Clock

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import Database


@dataclass(frozen=True)
class StoredResponse:
    """A response as it was first sent."""

    status_code: int
    body: Any
    replayed: bool = False


def request_fingerprint(method: str, path: str, body: Any) -> str:
    """What must match for a replay: method, path and the canonical body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def run_once(
    db: Database,
    clock: Clock,
    actor: Actor,
    key: str | None,
    fingerprint: str,
    handler: Callable[[], StoredResponse],
    error_response: Callable[[DomainError], StoredResponse],
) -> StoredResponse:
    """Run `handler` at most once per key; replay its stored response for repeats."""
    if not key:
        return handler()
    if len(key) > 255:
        raise ValidationFailed(
            "Idempotency-Key is longer than 255 characters", code="invalid_idempotency_key"
        )
    with db.uow(actor.tenant_id) as uow:
        claimed = uow.records.claim_idempotency(key, fingerprint, clock())
        existing = None if claimed else uow.records.idempotency(key)
        uow.commit()
    if existing is not None:
        if existing.request_hash != fingerprint:
            raise ValidationFailed(
                "this Idempotency-Key was used with a different request", code="idempotency_key_reused"
            )
        if existing.status_code is None:
            raise Conflict(
                "a request with this Idempotency-Key is still in progress", code="idempotency_in_progress"
            )
        return StoredResponse(
            existing.status_code, json.loads(existing.response_body or "null"), replayed=True
        )
    try:
        response = handler()
    except DomainError as err:
        response = error_response(err)
    except BaseException:
        # Nothing was stored for this key, so a retry must be allowed to run it.
        with db.uow(actor.tenant_id) as uow:
            uow.records.delete_idempotency(key)
            uow.commit()
        raise
    with db.uow(actor.tenant_id) as uow:
        uow.records.complete_idempotency(key, response.status_code, json.dumps(response.body, default=str))
        uow.commit()
    return response
