"""Repositories: every query of the app lives here, scoped to one tenant."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from returnflow.adapters.db.tables import (
    ApiKey,
    AuditEntry,
    AuditHead,
    CustomerRow,
    IdempotencyRecord,
    NodeRow,
    OrderLineRow,
    OrderRow,
    OutboxMessage,
    PolicyVersion,
    ProductRow,
    ReturnLineRow,
    ReturnReason,
    ReturnRow,
    Tenant,
)
from returnflow.domain.audit import GENESIS, audit_content, entry_hash
from returnflow.domain.returns import CLAIMING


def encode_cursor(value: str) -> str:
    """Opaque cursor for keyset pagination."""
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str | None:
    """The keyset value inside a cursor, or None when it is not one of ours."""
    if not cursor or not all(ch.isalnum() or ch in "-_" for ch in cursor):
        return None
    try:
        value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return value if value.isprintable() and value else None


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


class TenantScoped:
    """Base of the repositories that only ever see one tenant's rows."""

    def __init__(self, session: Session, tenant_id: str) -> None:
        self.s = session
        self.tenant_id = tenant_id


class PolicyRepository(TenantScoped):
    """Versions of the tenant's policy and its reason catalogue."""

    def latest(self) -> PolicyVersion | None:
        """The version in force (the highest)."""
        return self.s.scalars(
            select(PolicyVersion)
            .where(PolicyVersion.tenant_id == self.tenant_id)
            .order_by(PolicyVersion.version.desc())
            .limit(1)
        ).first()

    def version(self, version: int) -> PolicyVersion | None:
        """One saved version."""
        return self.s.get(PolicyVersion, (self.tenant_id, version))

    def add(self, **fields: Any) -> PolicyVersion:
        """Save a new version."""
        row = PolicyVersion(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        return row

    def reasons(self) -> Sequence[ReturnReason]:
        """Active reasons, in display order."""
        return self.s.scalars(
            select(ReturnReason)
            .where(ReturnReason.tenant_id == self.tenant_id, ReturnReason.active.is_(True))
            .order_by(ReturnReason.position)
        ).all()

    def add_reason(self, **fields: Any) -> None:
        """Add a reason to the catalogue."""
        self.s.add(ReturnReason(tenant_id=self.tenant_id, active=True, **fields))


class CatalogRepository(TenantScoped):
    """Products, nodes and customers."""

    def product(self, sku: str) -> ProductRow | None:
        """One product."""
        return self.s.get(ProductRow, (self.tenant_id, sku))

    def products(self, skus: Sequence[str]) -> dict[str, ProductRow]:
        """Products by SKU (missing SKUs are absent)."""
        if not skus:
            return {}
        rows = self.s.scalars(
            select(ProductRow).where(ProductRow.tenant_id == self.tenant_id, ProductRow.sku.in_(set(skus)))
        )
        return {r.sku: r for r in rows}

    def add_product(self, **fields: Any) -> ProductRow:
        """Insert a product."""
        row = ProductRow(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        return row

    def add_node(self, **fields: Any) -> NodeRow:
        """Insert a node."""
        row = NodeRow(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        return row

    def add_customer(self, **fields: Any) -> CustomerRow:
        """Insert a customer."""
        row = CustomerRow(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        self.s.flush()
        return row

    def node(self, code: str) -> NodeRow | None:
        """One node."""
        return self.s.get(NodeRow, (self.tenant_id, code))

    def nodes(self) -> Sequence[NodeRow]:
        """Every node, by code."""
        return self.s.scalars(
            select(NodeRow).where(NodeRow.tenant_id == self.tenant_id).order_by(NodeRow.code)
        ).all()

    def customer(self, email: str) -> CustomerRow | None:
        """One customer."""
        return self.s.get(CustomerRow, (self.tenant_id, email))

    def customers(self, emails: Sequence[str]) -> dict[str, CustomerRow]:
        """Customers by email."""
        if not emails:
            return {}
        rows = self.s.scalars(
            select(CustomerRow).where(
                CustomerRow.tenant_id == self.tenant_id, CustomerRow.email.in_(set(emails))
            )
        )
        return {r.email: r for r in rows}


class OrderRepository(TenantScoped):
    """Orders and their lines."""

    def by_number(self, number: str) -> OrderRow | None:
        """The order with this number."""
        return self.s.scalars(
            select(OrderRow).where(OrderRow.tenant_id == self.tenant_id, OrderRow.number == number)
        ).first()

    def existing_numbers(self, numbers: Sequence[str]) -> set[str]:
        """Which of these order numbers already exist."""
        if not numbers:
            return set()
        return set(
            self.s.scalars(
                select(OrderRow.number).where(
                    OrderRow.tenant_id == self.tenant_id, OrderRow.number.in_(set(numbers))
                )
            )
        )

    def lines(self, order_id: str, *, for_update: bool = False) -> Sequence[OrderLineRow]:
        """An order's lines in order; locked when the caller will change returned quantities."""
        stmt = (
            select(OrderLineRow)
            .where(OrderLineRow.tenant_id == self.tenant_id, OrderLineRow.order_id == order_id)
            .order_by(OrderLineRow.position)
        )
        if for_update:
            stmt = stmt.with_for_update()
        return self.s.scalars(stmt).all()

    def add(
        self, order: dict[str, Any], lines: Sequence[dict[str, Any]]
    ) -> tuple[OrderRow, list[OrderLineRow]]:
        """Insert an order with its lines."""
        row = OrderRow(tenant_id=self.tenant_id, **order)
        line_rows = [OrderLineRow(tenant_id=self.tenant_id, **line) for line in lines]
        # No ORM relationships: parents are flushed first so foreign keys hold at insert time.
        self.s.add(row)
        self.s.flush()
        self.s.add_all(line_rows)
        return row, line_rows

    def release_quantity(self, line_id: str, quantity: int) -> None:
        """Give units back to a line (the return that claimed them ended without them)."""
        self.s.execute(
            update(OrderLineRow)
            .where(OrderLineRow.tenant_id == self.tenant_id, OrderLineRow.id == line_id)
            .values(returned_quantity=OrderLineRow.returned_quantity - quantity)
        )

    def customer_purchases(self, email: str, since: datetime) -> int:
        """Units this customer bought since a moment."""
        total = self.s.scalar(
            select(func.coalesce(func.sum(OrderLineRow.quantity), 0))
            .join(
                OrderRow,
                (OrderRow.tenant_id == OrderLineRow.tenant_id) & (OrderRow.id == OrderLineRow.order_id),
            )
            .where(
                OrderRow.tenant_id == self.tenant_id,
                OrderRow.customer_email == email,
                OrderRow.placed_at >= since,
            )
        )
        return int(total or 0)


class ReturnRepository(TenantScoped):
    """Returns and their lines."""

    def get(self, return_id: str, *, for_update: bool = False) -> ReturnRow | None:
        """One return (row-locked when it is about to change)."""
        stmt = select(ReturnRow).where(ReturnRow.tenant_id == self.tenant_id, ReturnRow.id == return_id)
        if for_update:
            stmt = stmt.with_for_update()
        return self.s.scalars(stmt).first()

    def lines(self, return_id: str) -> Sequence[ReturnLineRow]:
        """A return's lines in order."""
        return self.s.scalars(
            select(ReturnLineRow)
            .where(ReturnLineRow.tenant_id == self.tenant_id, ReturnLineRow.return_id == return_id)
            .order_by(ReturnLineRow.position)
        ).all()

    def lines_of(self, return_ids: Sequence[str]) -> dict[str, list[ReturnLineRow]]:
        """Lines of several returns at once (for lists)."""
        out: dict[str, list[ReturnLineRow]] = {rid: [] for rid in return_ids}
        if not return_ids:
            return out
        rows = self.s.scalars(
            select(ReturnLineRow)
            .where(ReturnLineRow.tenant_id == self.tenant_id, ReturnLineRow.return_id.in_(return_ids))
            .order_by(ReturnLineRow.return_id, ReturnLineRow.position)
        )
        for row in rows:
            out[row.return_id].append(row)
        return out

    def add(
        self, ret: dict[str, Any], lines: Sequence[dict[str, Any]]
    ) -> tuple[ReturnRow, list[ReturnLineRow]]:
        """Insert a return with its lines."""
        row = ReturnRow(tenant_id=self.tenant_id, **ret)
        line_rows = [ReturnLineRow(tenant_id=self.tenant_id, **line) for line in lines]
        self.s.add(row)
        self.s.flush()
        self.s.add_all(line_rows)
        return row, line_rows

    def search(
        self,
        *,
        status: str | None = None,
        order_number: str | None = None,
        customer_email: str | None = None,
        query: str | None = None,
        after_id: str | None = None,
        limit: int = 50,
    ) -> list[ReturnRow]:
        """Newest first, keyset-paginated by id (ids are time-ordered)."""
        stmt = select(ReturnRow).where(ReturnRow.tenant_id == self.tenant_id)
        if status:
            stmt = stmt.where(ReturnRow.status == status)
        if order_number:
            stmt = stmt.where(ReturnRow.order_number == order_number)
        if customer_email:
            stmt = stmt.where(ReturnRow.customer_email == customer_email)
        if query:
            like = f"%{query.strip()}%"
            stmt = stmt.where(
                ReturnRow.number.ilike(like)
                | ReturnRow.order_number.ilike(like)
                | ReturnRow.customer_email.ilike(like)
            )
        if after_id:
            stmt = stmt.where(ReturnRow.id < after_id)
        return list(self.s.scalars(stmt.order_by(ReturnRow.id.desc()).limit(limit)))

    def count_by_status(self) -> dict[str, int]:
        """How many returns are in each status."""
        rows = self.s.execute(
            select(ReturnRow.status, func.count())
            .where(ReturnRow.tenant_id == self.tenant_id)
            .group_by(ReturnRow.status)
        )
        return {status: int(n) for status, n in rows}

    def customer_returns_since(self, email: str, since: datetime) -> int:
        """Live returns this customer requested since a moment."""
        return int(
            self.s.scalar(
                select(func.count())
                .select_from(ReturnRow)
                .where(
                    ReturnRow.tenant_id == self.tenant_id,
                    ReturnRow.customer_email == email,
                    ReturnRow.created_at >= since,
                    ReturnRow.status.in_([s.value for s in CLAIMING]),
                )
            )
            or 0
        )

    def customer_units_returned_since(self, email: str, since: datetime) -> int:
        """Units in this customer's live returns since a moment."""
        return int(
            self.s.scalar(
                select(func.coalesce(func.sum(ReturnLineRow.quantity), 0))
                .join(
                    ReturnRow,
                    (ReturnRow.tenant_id == ReturnLineRow.tenant_id)
                    & (ReturnRow.id == ReturnLineRow.return_id),
                )
                .where(
                    ReturnRow.tenant_id == self.tenant_id,
                    ReturnRow.customer_email == email,
                    ReturnRow.created_at >= since,
                    ReturnRow.status.in_([s.value for s in CLAIMING]),
                )
            )
            or 0
        )

    def customer_keep_its_since(self, email: str, since: datetime) -> int:
        """Keep-it (returnless) resolutions granted to this customer since a moment."""
        return int(
            self.s.scalar(
                select(func.count())
                .select_from(ReturnRow)
                .where(
                    ReturnRow.tenant_id == self.tenant_id,
                    ReturnRow.customer_email == email,
                    ReturnRow.created_at >= since,
                    ReturnRow.method == "keep_it",
                    ReturnRow.status.in_([s.value for s in CLAIMING]),
                )
            )
            or 0
        )


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
