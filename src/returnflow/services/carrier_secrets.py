"""Carrier webhook signing secrets: set one, keeping the previous one active for a rotation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from returnflow.adapters.carriers import PROVIDERS
from returnflow.domain.errors import FieldProblem, ValidationFailed
from returnflow.services import secret_memory
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.ids import new_id
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import Database

MIN_LENGTH = 8
MAX_LENGTH = 512


def set_secret(
    db: Database, clock: Clock, actor: Actor, provider: str, secret: str, *, keep_previous: bool = True
) -> tuple[str, int]:
    """Store a new secret for `provider`; (its id, how many secrets are now active).

    With `keep_previous` the secret in use until now stays valid beside the new one, so deliveries
    signed before the provider switched still verify; any older secret is forgotten. The secret
    itself never reaches the audit log: the entry names the secret's id only.
    """
    actor.require("policy.write")
    _check(provider, secret)
    now = clock()
    secret_id = new_id("csec")
    with db.uow(actor.tenant_id) as uow:
        existing = uow.tracking.secrets(provider)
        kept = existing[:1] if keep_previous else []
        uow.tracking.drop_secrets(provider, [row.id for row in existing if row not in kept])
        uow.tracking.add_secret(provider, secret_id, secret, now)
        record(
            uow,
            actor,
            now,
            "carrier_secret.set",
            "carrier_secret",
            secret_id,
            {"provider": provider, "still_active": [row.id for row in kept]},
        )
        uow.commit()
    secret_memory.memory.forget()
    return secret_id, 1 + len(kept)


def _check(provider: str, secret: str) -> None:
    problems = []
    if provider not in PROVIDERS:
        problems.append(
            FieldProblem("provider", "unknown_provider", f"one of: {', '.join(sorted(PROVIDERS))}")
        )
    if secret != secret.strip() or not MIN_LENGTH <= len(secret) <= MAX_LENGTH:
        problems.append(
            FieldProblem(
                "secret",
                "bad_secret",
                f"{MIN_LENGTH}–{MAX_LENGTH} characters without leading or trailing spaces",
            )
        )
    if problems:
        raise ValidationFailed(problems[0].message, code="invalid_carrier_secret", problems=problems)
