"""The outbox relay: fan-out, Standard Webhooks signatures, retries with backoff, disabling."""

from __future__ import annotations

import random
from datetime import timedelta

import httpx
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from returnflow.bootstrap import Container
from returnflow.services import relay
from returnflow.services.access import system_actor
from returnflow.services.clock import system_clock
from returnflow.services.recording import record
from returnflow.services.subscriptions import create_subscription, list_deliveries, set_development_mode
from returnflow.services.tenants import tenant_by_slug
from tests.webhook_receiver import Receiver


def _setup(c: Container, slug: str, url: str, types: list[str]) -> tuple[str, dict]:
    tid = tenant_by_slug(c.db, slug).id
    actor = system_actor(tid)
    set_development_mode(c.db, c.clock, actor, True)
    return tid, create_subscription(c.db, c.clock, actor, url, types, lambda h, p: [])


def _emit(c: Container, tid: str, topic: str, n: int = 1) -> None:
    with c.db.uow(tid) as uow:
        for i in range(n):
            record(uow, system_actor(tid), c.clock(), topic, "thing", f"thing-{i}", {"i": i}, topic=topic)
        uow.commit()


def _drain(c: Container, poster: relay.Poster) -> None:
    while relay.fan_out(c.db, c.clock):
        pass
    # Loop: other tests' tenants share the queue, and one pass delivers a bounded batch.
    while relay.deliver_due(c.db, c.clock, poster, random.Random(1)):
        pass


def test_events_reach_a_real_server_signed_per_standard_webhooks(container, tenant_slug):
    c = Container(settings=container.settings, db=container.db, clock=system_clock)
    with Receiver() as rx, httpx.Client() as http:
        tid, sub = _setup(c, tenant_slug, rx.url, ["credit.*", "return.approved"])
        _emit(c, tid, "return.approved", 2)
        _emit(c, tid, "credit.issued")
        _emit(c, tid, "policy.saved")  # not subscribed
        _drain(c, http)
        assert len(rx.received) == 3
        for headers, body in rx.received:
            data = Webhook(sub["secret"]).verify(body, headers)
            assert data["type"] in ("return.approved", "credit.issued")
            assert headers["webhook-id"].startswith("evt_")
            assert headers["webhook-signature"].startswith("v1,")
        tampered_headers, body = rx.received[0]
        with pytest.raises(WebhookVerificationError):
            Webhook(sub["secret"]).verify(body.replace(b'"i"', b'"j"'), tampered_headers)
        log = list_deliveries(c.db, system_actor(tid), sub["id"])
        assert {d["status"] for d in log} == {"delivered"}
        assert all(d["log"][0]["status_code"] == 200 for d in log)


def test_failures_back_off_keep_the_event_id_and_disable_the_endpoint(container, tenant_slug, clock):
    seen: list[str] = []
    status = {"code": 503}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == f"{tenant_slug}.example.com":  # the shared queue holds other tenants too
            seen.append(request.headers["webhook-id"])
        return httpx.Response(status["code"])

    http = httpx.Client(transport=httpx.MockTransport(handler))
    tid, sub = _setup(container, tenant_slug, f"https://{tenant_slug}.example.com/x", ["*"])
    _emit(container, tid, "return.approved")
    _drain(container, http)
    first = list_deliveries(container.db, system_actor(tid), sub["id"])[0]
    assert first["status"] == "pending" and first["attempts"] == 1
    assert first["log"][0]["status_code"] == 503 and first["log"][0]["error"] == "HTTP 503"
    delay = first["next_attempt_at"] - clock.now
    assert timedelta(seconds=2.5) <= delay <= timedelta(seconds=5)
    _drain(container, http)  # not due yet: nothing is sent
    assert len(seen) == 1
    delays = [delay]
    for _ in range(4):
        clock.now += timedelta(hours=7)
        _drain(container, http)
        d = list_deliveries(container.db, system_actor(tid), sub["id"])[0]
        if d["next_attempt_at"] is not None:
            delays.append(d["next_attempt_at"] - clock.now)
    assert len(set(seen)) == 1 and len(seen) == 5  # one event, one webhook-id, five attempts
    assert delays == sorted(delays)
    subs = container.db
    with subs.uow(tid, readonly=True) as uow:
        row = uow.deliveries.subscription(sub["id"])
        assert row is not None and row.status == "disabled" and row.consecutive_failures == 5
    clock.now += timedelta(hours=7)
    _drain(container, http)
    assert len(seen) == 5  # a disabled endpoint gets nothing more
    status["code"] = 200
