"""Carrier tracking use cases: signed webhooks in, bulk scan imports, events matched to returns later.

Every path ends in `apply_events`: store the events (the database refuses a second copy of one),
then apply the new ones to the returns carrying their tracking numbers — the status only moves
forward, exceptions become a note, the first scan and the delivery may fire the return's credit —
with the audit entries and outbox events in the same transaction. Events for a tracking number no
return carries yet are kept, and `match_pending` applies them once a label gives a return that number.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from returnflow.adapters.carriers import PROVIDERS
from returnflow.adapters.carriers.errors import SignatureInvalid
from returnflow.domain.errors import NotFound
from returnflow.domain.returns import ReturnStatus, transition
from returnflow.domain.tracking import (
    EXCEPTIONAL,
    SUMMARY_FIELDS,
    CarrierEvent,
    ParcelSummary,
    TrackingStatus,
    dedupe,
    normalize_tracking_number,
    outcome_for,
)
from returnflow.services import secret_memory
from returnflow.services.access import Actor, system_actor
from returnflow.services.clock import Clock
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.tables import ReturnRow
    from returnflow.adapters.db.tables_tracking import CarrierEventRow, ReturnTrackingRow
    from returnflow.adapters.db.uow import Database, UnitOfWork

# Outbox topics of the changes a carrier event makes.
TOPIC_FOR_STATUS = {ReturnStatus.IN_TRANSIT: "return.in_transit", ReturnStatus.DELIVERED: "return.delivered"}
EXCEPTION_TOPIC = "tracking.exception"
IMPORT_CHUNK = 20_000
Progress = Callable[[int], None]


@dataclass(frozen=True)
class IngestResult:
    """What one delivery or import did: events received, stored as new, and applied to a return."""

    received: int
    new: int
    applied: int
    unmatched: int

    def as_dict(self) -> dict[str, int]:
        """The response body of the webhook endpoint."""
        return {
            "received": self.received,
            "new": self.new,
            "applied": self.applied,
            "unmatched": self.unmatched,
        }


def ingest_webhook(
    db: Database,
    clock: Clock,
    tenant_slug: str,
    provider: str,
    headers: Mapping[str, str],
    raw_body: bytes,
) -> IngestResult:
    """Verify a provider's webhook over its raw body, then store and apply its events in one transaction.

    Raises NotFound (unknown tenant or provider), SignatureInvalid (nothing is read or applied) and
    PayloadInvalid naming the bad field.
    """
    fmt = PROVIDERS.get(provider)
    if fmt is None:
        raise NotFound(f"no tracking provider '{provider}'", code="provider_not_found")
    now = clock()
    known = secret_memory.memory.get(db, tenant_slug, provider)
    events = None
    if known is not None:
        try:
            events = fmt.read(headers, raw_body, list(known[1]), now)
        except SignatureInvalid:
            known = None  # perhaps signed with a secret set since: verified again on fresh secrets
    if known is None:
        known = _tenant_secrets(db, tenant_slug, provider)
        events = fmt.read(headers, raw_body, list(known[1]), now)
        secret_memory.memory.put(db, tenant_slug, provider, known)
    tenant_id = known[0]
    if not events:
        return IngestResult(0, 0, 0, 0)
    actor = system_actor(tenant_id, f"carrier:{provider}")
    with db.uow(tenant_id) as uow:
        result = apply_events(uow, actor, now, events)
        uow.commit()
    return result


def _tenant_secrets(db: Database, tenant_slug: str, provider: str) -> secret_memory.Known:
    # Read on a snapshot, outside any write lock: forged traffic never queues writers.
    with db.uow(readonly=True) as uow:
        tenant = uow.tenants.by_slug(tenant_slug)
        if tenant is None:
            raise NotFound(f"no tenant '{tenant_slug}'", code="tenant_not_found")
        uow.set_tenant(tenant.id)
        return tenant.id, tuple(uow.tracking.active_secrets(provider))


def import_scans(
    db: Database, clock: Clock, actor: Actor, events: Sequence[CarrierEvent], progress: Progress | None = None
) -> IngestResult:
    """Store and apply a whole scan file in one transaction (already validated: see `scan_files`)."""
    actor.require("returns.decide")
    now = clock()
    totals = [0, 0, 0, 0]
    with db.uow(actor.tenant_id) as uow:
        for chunk in _by_parcel(events, IMPORT_CHUNK):
            part = apply_events(uow, actor, now, chunk)
            for i, n in enumerate((part.received, part.new, part.applied, part.unmatched)):
                totals[i] += n
            if progress is not None:
                progress(len(chunk))
        uow.commit()
    return IngestResult(*totals)


def _by_parcel(events: Sequence[CarrierEvent], size: int) -> Iterator[list[CarrierEvent]]:
    """Chunks of about `size` events that never split one tracking number's events.

    Each return is then loaded, folded and written once per import rather than once per chunk.
    """
    groups: dict[str, list[CarrierEvent]] = defaultdict(list)
    for event in events:
        groups[event.tracking_number].append(event)
    chunk: list[CarrierEvent] = []
    for group in groups.values():
        chunk.extend(group)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def apply_events(
    uow: UnitOfWork, actor: Actor, now: datetime, events: Sequence[CarrierEvent]
) -> IngestResult:
    """Store the events not seen before and apply them to the returns carrying their tracking numbers."""
    unique = dedupe(events)
    # Returns first, then events, then the audit head: every writer takes locks in this order.
    carriers = uow.tracking.returns_by_tracking(e.tracking_number for e in unique)
    new_keys = uow.tracking.add_events(
        [_event_row(e, now, _first_id(carriers.get(e.tracking_number))) for e in unique]
    )
    fresh = [e for e in unique if e.key in new_keys]
    by_number: dict[str, list[CarrierEvent]] = defaultdict(list)
    for event in fresh:
        by_number[event.tracking_number].append(event)
    matched = [r for n in by_number for r in carriers.get(n, [])]
    states = uow.tracking.tracking_of([r.id for r in matched])
    _prepare_credits(uow, matched)
    applied = unmatched = 0
    # The lines follow their return's final status: one UPDATE per status value for the whole batch.
    line_statuses: dict[str, str] = {}
    for number, group in by_number.items():
        rows = carriers.get(number)
        if not rows:
            unmatched += len(group)
            continue
        applied += len(group)
        for row in rows:
            state = states.get(row.id) or uow.tracking.add_tracking(row.id, number)
            apply_to_return(uow, actor, now, row, state, group, line_statuses)
    uow.tracking.set_line_statuses(line_statuses)
    if any(e.status in EXCEPTIONAL for e in fresh):
        _open_delivery_cases(uow, actor, now, fresh)
    return IngestResult(len(events), len(fresh), applied, unmatched)


def match_pending(uow: UnitOfWork, return_row: ReturnRow, at: datetime | None = None) -> int:
    """Apply the kept events of the return's (new) tracking number; how many were applied.

    Called in the transaction that gives the return its tracking number; `at` defaults to the
    return's `updated_at`, which that transaction has just set.
    """
    if not return_row.tracking_number:
        return 0
    number = normalize_tracking_number(return_row.tracking_number)
    rows = uow.tracking.unmatched(number)
    if not rows:
        return 0
    for row in rows:
        row.return_id = return_row.id
    state = uow.tracking.tracking_of([return_row.id]).get(return_row.id) or uow.tracking.add_tracking(
        return_row.id, number
    )
    moment = at or return_row.updated_at
    actor = system_actor(uow.tenant_id, "tracking")
    apply_to_return(uow, actor, moment, return_row, state, [_event_of(r) for r in rows])
    return len(rows)


def match_unmatched(db: Database, clock: Clock, tenant_id: str) -> int:
    """Apply kept events whose tracking number a return now carries (heals a label/webhook race)."""
    applied = 0
    with db.uow(tenant_id) as uow:
        for number in uow.tracking.unmatched_numbers():
            for row in uow.tracking.returns_by_tracking([number]).get(number, []):
                applied += match_pending(uow, row, clock())
        uow.commit()
    return applied


def apply_to_return(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    row: ReturnRow,
    state: ReturnTrackingRow,
    events: Sequence[CarrierEvent],
    line_statuses: dict[str, str] | None = None,
) -> None:
    """Apply new events to one return in the order they happened, recording each change it makes.

    The return's lines follow its final status: with `line_statuses` the caller collects it (return
    id to status) and updates many returns' lines at once; without, one UPDATE is made here.
    """
    moved_to: str | None = None
    # Folded in a plain object and written back once: the ORM row sees one change per field.
    summary = ParcelSummary(**{name: getattr(state, name) for name in SUMMARY_FIELDS})
    summary.events = summary.events or 0
    for event in sorted(events, key=lambda e: (e.occurred_at, e.event_id)):
        first_scan = summary.track(event)
        previous = row.status
        outcome = outcome_for(row.status, event)
        if outcome.target is not None:
            row.status = moved_to = transition(row.status, outcome.target).value
            row.updated_at = now
        note = None
        if outcome.exception_note is not None:
            note = outcome.exception_note
            # Only the latest exception (by when it happened) is the return's note, whatever the order.
            if summary.note_exception(event.occurred_at, note):
                row.status_note = note
                row.updated_at = now
        if outcome.target is None and note is None and not first_scan:
            continue
        data: dict[str, Any] = {
            **_event_data(event),
            "from": previous,
            "to": row.status,
            "first_scan": first_scan,
        }
        if outcome.target is not None:
            record(uow, actor, now, f"return.{row.status}", "return", row.id, data,
                   topic=TOPIC_FOR_STATUS.get(outcome.target), payload=_payload(row, event))  # fmt: skip
        if note is not None:
            record(uow, actor, now, EXCEPTION_TOPIC, "return", row.id, {**data, "note": note},
                   topic=EXCEPTION_TOPIC, payload={**_payload(row, event), "note": note})  # fmt: skip
        if first_scan and outcome.target is None and note is None:
            record(uow, actor, now, "tracking.first_scan", "return", row.id, data)
        if first_scan:
            _fire_credit(uow, actor, now, row, "first_scan")
        if outcome.target == ReturnStatus.DELIVERED:
            _fire_credit(uow, actor, now, row, "delivered")
    for name in SUMMARY_FIELDS:
        if getattr(state, name) != getattr(summary, name):
            setattr(state, name, getattr(summary, name))
    if moved_to is not None:
        if line_statuses is None:
            uow.tracking.set_line_status(row.id, moved_to)
        else:
            line_statuses[row.id] = moved_to


def _capability(name: str) -> Any:
    # Imported when needed: credits and delivery cases are their own capabilities, and tracking
    # works without them.
    try:
        return importlib.import_module(f"returnflow.services.{name}")
    except ImportError:  # pragma: no cover - the capability is absent
        return None


def _fire_credit(uow: UnitOfWork, actor: Actor, at: datetime, row: ReturnRow, event: str) -> None:
    credits = _capability("credits")
    if credits is not None:
        credits.fire_trigger(uow, actor, at, row, event)


def _prepare_credits(uow: UnitOfWork, rows: Sequence[ReturnRow]) -> None:
    credits = _capability("credits")
    if credits is not None:
        credits.prepare(uow, rows)


def _open_delivery_cases(uow: UnitOfWork, actor: Actor, at: datetime, events: Sequence[CarrierEvent]) -> None:
    # Trouble on an outbound shipment opens a failed-delivery case.
    cases = _capability("delivery_cases")
    if cases is not None:
        cases.on_carrier_events(uow, actor, at, events)


def _first_id(rows: list[ReturnRow] | None) -> str | None:
    return rows[0].id if rows else None


def _event_row(event: CarrierEvent, received_at: datetime, return_id: str | None) -> dict[str, Any]:
    return {
        "provider": event.provider,
        "event_id": event.event_id,
        "tracking_number": event.tracking_number,
        "carrier": event.carrier[:40] if event.carrier else None,
        "status": event.status.value,
        "raw_status": event.raw_status[:80],
        "substatus": event.substatus[:80] if event.substatus else None,
        "occurred_at": event.occurred_at,
        "location": event.location[:300] if event.location else None,
        "message": event.message,
        "received_at": received_at,
        "return_id": return_id,
    }


def _event_of(row: CarrierEventRow) -> CarrierEvent:
    return CarrierEvent(
        provider=row.provider,
        event_id=row.event_id,
        tracking_number=row.tracking_number,
        carrier=row.carrier,
        status=TrackingStatus(row.status),
        raw_status=row.raw_status,
        substatus=row.substatus,
        occurred_at=row.occurred_at,
        location=row.location,
        message=row.message,
    )


def _event_data(event: CarrierEvent) -> dict[str, Any]:
    return {
        "provider": event.provider,
        "event_id": event.event_id,
        "tracking_number": event.tracking_number,
        "tracking_status": event.status.value,
        "occurred_at": event.occurred_at.isoformat(),
        "location": event.location,
    }


def _payload(row: ReturnRow, event: CarrierEvent) -> dict[str, Any]:
    return {
        "return_id": row.id,
        "number": row.number,
        "status": row.status,
        "carrier": event.carrier,
        **_event_data(event),
    }
