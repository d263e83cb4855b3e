"""The audit chain, the outbox and idempotency records."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.row_queue import fetch_one, insert_rows, run_queued, txn_queue
from returnflow.adapters.db.tables import AuditEntry, AuditHead, IdempotencyRecord, OutboxMessage
from returnflow.domain.audit import audit_content, entry_hash

# Session.info keys of the audit entries and outbox events queued in the current transaction.
PENDING_AUDIT = "returnflow.pending_audit"
PENDING_OUTBOX = "returnflow.pending_outbox"

# The Tables, not the mapped classes: an insert of a class through the session takes the ORM's
# bulk path, several times slower for these few rows per transaction.
AUDIT_LOG: Table = AuditEntry.__table__  # type: ignore[assignment]
OUTBOX: Table = OutboxMessage.__table__  # type: ignore[assignment]
# Built once: every write transaction runs both, with the tenant's head row locked in between.
_HEAD = (
    select(AuditHead.seq, AuditHead.hash)
    .where(AuditHead.tenant_id == bindparam("tenant_id"))
    .with_for_update()
)
AUDIT_HEADS: Table = AuditHead.__table__  # type: ignore[assignment]
_MOVE_HEAD = (
    update(AUDIT_HEADS)
    .where(AUDIT_HEADS.c.tenant_id == bindparam("head_tenant_id"))
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


class RecordRepository(TenantScoped):
    """The audit chain and the outbox: written in the same transaction as each change."""

    def append_audit(
        self, *, at: datetime, actor: str, action: str, entity_type: str, entity_id: str, data: dict[str, Any]
    ) -> None:
        """Queue an entry; `chain_pending` links it to the tenant's head right before commit."""
        txn_queue(self.s, PENDING_AUDIT).append(
            {
                "tenant_id": self.tenant_id,
                "at": at,
                "actor": actor,
                "action": action,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "data": data,
            }
        )

    def chain_pending(self) -> None:
        """Chain the queued entries to each tenant's head and insert them.

        Everything else in the transaction is flushed first (by the head query's autoflush), so
        the head row — every writer of a tenant waits for it — is locked only for a few
        statements and the commit, not for the whole use case. The queued outbox events go in
        first, in one executemany, before the head is locked.
        """
        self.flush_outbox()
        pending: list[dict[str, Any]] = self.s.info.pop(PENDING_AUDIT, [])
        by_tenant: dict[str, list[dict[str, Any]]] = {}
        for entry in pending:
            by_tenant.setdefault(entry["tenant_id"], []).append(entry)
        for tenant_id, entries in by_tenant.items():
            head = fetch_one(self.s, _HEAD, {"tenant_id": tenant_id})
            if head is None:  # pragma: no cover - every tenant is created with its head
                raise LookupError(f"tenant {tenant_id} has no audit head")
            seq, prev = head
            rows = []
            for e in entries:
                seq += 1
                content = audit_content(
                    seq, e["at"], e["actor"], e["action"], e["entity_type"], e["entity_id"], e["data"]
                )
                digest = entry_hash(prev, content)
                rows.append({**e, "seq": seq, "prev_hash": prev, "hash": digest})
                prev = digest
            insert_rows(self.s, AUDIT_LOG, rows)
            run_queued(self.s, _MOVE_HEAD, [{"head_tenant_id": tenant_id, "new_seq": seq, "new_hash": prev}])

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
        """Queue an event for the relay; inserted with the transaction's others before commit."""
        txn_queue(self.s, PENDING_OUTBOX).append(
            {
                "tenant_id": self.tenant_id,
                "id": event_id,
                "topic": topic,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "payload": payload,
                "created_at": at,
                "published_at": None,
                "attempts": 0,
            }
        )

    def flush_outbox(self) -> None:
        """Insert the queued outbox events now (one executemany); commit does this too."""
        pending: list[dict[str, Any]] = self.s.info.pop(PENDING_OUTBOX, [])
        if pending:
            insert_rows(self.s, OUTBOX, pending)

    def events(self, limit: int = 100) -> Sequence[OutboxMessage]:
        """The tenant's outbox, newest first."""
        self.flush_outbox()
        return self.s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.tenant_id == self.tenant_id)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        ).all()

    def unpublished(self, limit: int = 100) -> Sequence[OutboxMessage]:
        """Oldest unpublished outbox messages of this tenant."""
        self.flush_outbox()
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
