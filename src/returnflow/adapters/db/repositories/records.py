"""The audit chain, the outbox and idempotency records."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.tables import AuditEntry, AuditHead, IdempotencyRecord, OutboxMessage
from returnflow.domain.audit import audit_content, entry_hash


class RecordRepository(TenantScoped):
    """The audit chain and the outbox: written in the same transaction as each change."""

    def append_audit(
        self, *, at: datetime, actor: str, action: str, entity_type: str, entity_id: str, data: dict[str, Any]
    ) -> AuditEntry:
        """Chain a new entry to the tenant's head (the head row is locked until commit)."""
        head = self.s.scalars(
            select(AuditHead).where(AuditHead.tenant_id == self.tenant_id).with_for_update()
        ).one()
        seq = head.seq + 1
        content = audit_content(seq, at, actor, action, entity_type, entity_id, data)
        digest = entry_hash(head.hash, content)
        entry = AuditEntry(
            tenant_id=self.tenant_id,
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            data=data,
            prev_hash=head.hash,
            hash=digest,
        )
        self.s.add(entry)
        head.seq, head.hash = seq, digest
        return entry

    def audit_entries(self, batch: int = 1000) -> Iterator[AuditEntry]:
        """The tenant's chain in sequence order, streamed in batches."""
        last = 0
        while True:
            rows = self.s.scalars(
                select(AuditEntry)
                .where(AuditEntry.tenant_id == self.tenant_id, AuditEntry.seq > last)
                .order_by(AuditEntry.seq)
                .limit(batch)
            ).all()
            if not rows:
                return
            yield from rows
            last = rows[-1].seq

    def entity_history(self, entity_type: str, entity_id: str) -> Sequence[AuditEntry]:
        """Every audit entry of one entity, oldest first (a return's timeline)."""
        return self.s.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.tenant_id == self.tenant_id,
                AuditEntry.entity_type == entity_type,
                AuditEntry.entity_id == entity_id,
            )
            .order_by(AuditEntry.seq)
        ).all()

    def add_event(
        self,
        *,
        event_id: str,
        topic: str,
        entity_type: str,
        entity_id: str,
        payload: dict[str, Any],
        at: datetime,
    ) -> None:
        """Queue an event for the relay (same transaction as the change)."""
        self.s.add(
            OutboxMessage(
                tenant_id=self.tenant_id,
                id=event_id,
                topic=topic,
                entity_type=entity_type,
                entity_id=entity_id,
                payload=payload,
                created_at=at,
                published_at=None,
                attempts=0,
            )
        )

    def events(self, limit: int = 100) -> Sequence[OutboxMessage]:
        """The tenant's outbox, newest first."""
        return self.s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.tenant_id == self.tenant_id)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        ).all()

    def unpublished(self, limit: int = 100) -> Sequence[OutboxMessage]:
        """Oldest unpublished outbox messages of this tenant."""
        return self.s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.tenant_id == self.tenant_id, OutboxMessage.published_at.is_(None))
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).all()

    def idempotency(self, key: str) -> IdempotencyRecord | None:
        """A stored idempotency record."""
        return self.s.get(IdempotencyRecord, (self.tenant_id, key))

    def claim_idempotency(self, key: str, request_hash: str, at: datetime) -> bool:
        """Claim a key; False when it was already claimed (the primary key decides races)."""
        if self.idempotency(key) is not None:
            return False
        record = IdempotencyRecord(
            tenant_id=self.tenant_id, key=key, request_hash=request_hash, created_at=at
        )
        try:
            with self.s.begin_nested():
                self.s.add(record)
        except IntegrityError:
            return False
        return True

    def complete_idempotency(self, key: str, status_code: int, body: str) -> None:
        """Store the response to replay."""
        record = self.idempotency(key)
        if record is not None:
            record.status_code, record.response_body = status_code, body

    def delete_idempotency(self, key: str) -> None:
        """Release a claim whose request failed unexpectedly, so it can be retried."""
        record = self.idempotency(key)
        if record is not None:
            self.s.delete(record)
