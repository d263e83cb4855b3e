"""The outbox relay: fan events out to subscriptions, then deliver them signed (Standard Webhooks)."""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from standardwebhooks import Webhook

from returnflow.domain.webhooks import DISABLE_AFTER_FAILURES, MAX_ATTEMPTS, backoff_seconds, topic_matches
from returnflow.services import notifications
from returnflow.services.access import system_actor
from returnflow.services.clock import Clock
from returnflow.services.ids import new_id
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import Database

# A claimed delivery is not offered again for this long; a worker killed mid-request is retried after it.
LEASE = timedelta(seconds=30)


class _Response(Protocol):
    @property
    def status_code(self) -> int: ...


class Poster(Protocol):
    """What the relay needs from an HTTP client (an `httpx.Client` fits)."""

    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> _Response: ...


@dataclass(frozen=True)
class _Job:
    tenant_id: str
    delivery_id: str
    url: str
    secret: str
    event_id: str
    body: str


def event_body(topic: str, at: datetime, payload: dict[str, Any]) -> str:
    """The JSON sent for an event: Standard Webhooks' `type`, `timestamp`, `data` envelope."""
    return json.dumps(
        {"type": topic, "timestamp": at.isoformat(), "data": payload}, sort_keys=True, default=str
    )


def signed_headers(secret: str, event_id: str, at: datetime, body: str) -> dict[str, str]:
    """`webhook-id` (the event id, stable across retries), `webhook-timestamp`, `webhook-signature`."""
    return {
        "content-type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, at, body),
    }


def fan_out(db: Database, clock: Clock, batch: int = 200) -> int:
    """Turn unpublished outbox events into deliveries and emails; published in the same commit."""
    now = clock()
    with db.uow("") as uow:
        events = uow.deliveries.claim_outbox(batch)
        if not events:
            return 0
        subs = uow.deliveries.subscriptions_of_tenants(sorted({e.tenant_id for e in events}))
        for event in events:
            uow.set_tenant(event.tenant_id)
            for sub in subs[event.tenant_id]:
                if topic_matches(sub.event_types, event.topic):
                    uow.deliveries.add_delivery(
                        id=new_id("dlv"),
                        subscription_id=sub.id,
                        event_id=event.id,
                        topic=event.topic,
                        payload=event.payload,
                        event_at=event.created_at,
                        status="pending",
                        next_attempt_at=now,
                        created_at=now,
                    )
            notifications.on_event(uow, event, now)
            event.published_at, event.attempts = now, event.attempts + 1
        uow.commit()
    return len(events)


def _claim(db: Database, clock: Clock, batch: int) -> list[_Job]:
    now = clock()
    jobs: list[_Job] = []
    with db.uow("") as uow:
        for row in uow.deliveries.claim_due_deliveries(now, batch):
            uow.set_tenant(row.tenant_id)
            sub = uow.deliveries.subscription(row.subscription_id)
            if sub is None or sub.status != "active":
                row.status, row.last_error = "cancelled", "the endpoint is disabled"
                continue
            row.next_attempt_at = now + LEASE
            body = event_body(row.topic, row.event_at, row.payload)
            jobs.append(_Job(row.tenant_id, row.id, sub.url, sub.secret, row.event_id, body))
        uow.commit()
    return jobs


def _record_attempt(
    db: Database, clock: Clock, job: _Job, status: int | None, error: str | None, ms: int, rng: random.Random
) -> None:
    now = clock()
    with db.uow(job.tenant_id) as uow:
        row = uow.deliveries.delivery(job.delivery_id, for_update=True)
        if row is None or row.status != "pending":
            return  # deleted meanwhile, or another worker finished it after our lease ran out
        sub = uow.deliveries.subscription(row.subscription_id, for_update=True)
        row.attempts += 1
        row.last_status_code, row.last_error = status, error
        uow.deliveries.add_attempt(
            id=new_id("att"), delivery_id=row.id, at=now, status_code=status, duration_ms=ms, error=error
        )
        if error is None:
            row.status, row.delivered_at = "delivered", now
            if sub is not None:
                sub.consecutive_failures = 0
        else:
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
            else:
                delay = backoff_seconds(row.attempts, rng.uniform)
                row.next_attempt_at = now + timedelta(seconds=delay)
            if sub is not None:
                sub.consecutive_failures += 1
                if sub.status == "active" and sub.consecutive_failures >= DISABLE_AFTER_FAILURES:
                    sub.status = "disabled"
                    sub.disabled_reason = f"{sub.consecutive_failures} consecutive failed deliveries"
                    sub.updated_at = now
                    record(
                        uow,
                        system_actor(job.tenant_id, "worker"),
                        now,
                        "webhook_subscription.disabled",
                        "webhook_subscription",
                        sub.id,
                        {"reason": sub.disabled_reason},
                    )
        uow.commit()


def deliver_due(
    db: Database, clock: Clock, poster: Poster, rng: random.Random | None = None, batch: int = 50
) -> int:
    """POST every due delivery once; log each attempt; back off, give up, or disable on failure."""
    rng = rng or random.Random()
    jobs = _claim(db, clock, batch)
    for job in jobs:
        headers = signed_headers(job.secret, job.event_id, clock(), job.body)
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            status = poster.post(job.url, content=job.body.encode(), headers=headers).status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except Exception as exc:  # any transport failure is a failed attempt, never a crashed worker
            error = f"{type(exc).__name__}: {exc}"[:500]
        ms = int((time.perf_counter() - started) * 1000)
        _record_attempt(db, clock, job, status, error, ms, rng)
    return len(jobs)
