"""Carrier tracking webhooks end to end over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from returnflow.adapters.policy_document import default_policy_text
from returnflow.services import secret_memory
from returnflow.services.access import system_actor
from returnflow.services.policies import save_policy
from returnflow.services.tenants import tenant_by_slug
from returnflow.services.tracking import ingest_webhook, match_pending
from tests.integration.tracking_helpers import (
    FIXTURE_NUMBERS,
    OLD_SECRET,
    SECRET,
    configure_secret,
    fixture_body,
    generic_body,
    make_return,
    post_webhook,
    scan,
    sign,
)

EXPECTED = {
    # provider: (return status after its fixture, topics it must have queued)
    "easypost": ("delivered", {"return.in_transit", "return.delivered"}),
    "shippo": ("in_transit", {"return.in_transit"}),
    "aftership": ("in_transit", {"return.in_transit", "tracking.exception"}),
    "generic": ("delivered", {"return.delivered"}),
}


def _send(client: Any, slug: str, body: bytes, secret: str = SECRET) -> int:
    """POST a generic body signed with `secret`; the status code."""
    return int(post_webhook(client, slug, "generic", body, sign("generic", body, secret)).status_code)


def _state(container: Any, slug: str, return_id: str) -> dict[str, Any]:
    """What a user can see of a return's tracking, plus the stored events and queued topics."""
    tenant_id = tenant_by_slug(container.db, slug).id
    with container.db.uow(tenant_id, readonly=True) as uow:
        row = uow.returns.get(return_id)
        assert row is not None
        tracking = uow.tracking.tracking_of([return_id]).get(return_id)
        events = uow.tracking.events_of(return_id)
        return {
            "status": row.status,
            "note": row.status_note,
            "lines": sorted(ln.status for ln in uow.returns.lines(return_id)),
            "parcel": None
            if tracking is None
            else (tracking.status, tracking.first_scan_at, tracking.delivered_at, tracking.exception_note),
            "events": sorted((e.provider, e.event_id) for e in events),
            "topics": sorted(m.topic for m in uow.records.events(limit=1000) if m.entity_id == return_id),
            "audit": len(uow.records.entity_history("return", return_id)),
        }


@pytest.mark.parametrize("provider", sorted(EXPECTED))
def test_each_providers_real_payload_moves_its_return(provider, admin, client, container, tenant_slug, clock):
    ret = make_return(admin, container, tenant_slug, FIXTURE_NUMBERS[provider])
    configure_secret(container, tenant_slug, provider)
    body = fixture_body(provider)
    r = post_webhook(client, tenant_slug, provider, body, sign(provider, body, at=clock.now))
    assert r.status_code == 200, r.text
    assert r.json()["applied"] == r.json()["new"] > 0
    status, topics = EXPECTED[provider]
    got = admin.get(f"/returns/{ret['id']}").json()
    assert got["status"] == status
    assert {ln["status"] for ln in got["lines"]} == {status}
    state = _state(container, tenant_slug, ret["id"])
    assert topics <= set(state["topics"])
    assert any(e["action"] == f"return.{status}" for e in got["timeline"])
    if provider == "aftership":
        assert got["status_note"].startswith("carrier reported returned_to_sender")
    assert state["parcel"][1] is not None  # the first carrier scan is recorded


def test_forged_tampered_and_stale_payloads_are_refused_and_change_nothing(
    admin, client, container, tenant_slug, clock
):
    number = "1ZFORGE0000000001"
    ret = make_return(admin, container, tenant_slug, number)
    configure_secret(container, tenant_slug, "generic")
    configure_secret(container, tenant_slug, "shippo")
    body = generic_body(scan("e-1", number, "delivered", "2026-03-14T10:00:00Z"))
    tampered = body.replace(b"delivered", b"in_transit")
    shippo = fixture_body("shippo").replace(b"1Z999AA10123456784", number.encode())
    attempts = [
        ("generic", body, sign("generic", body, secret="not-the-secret")),
        ("generic", tampered, sign("generic", body)),
        ("generic", body, {}),
        ("generic", body, {"X-ReturnFlow-Signature": "sha256=zz"}),
        ("shippo", shippo, sign("shippo", shippo, at=clock.now - timedelta(minutes=10))),
        ("shippo", shippo, sign("shippo", shippo, at=clock.now + timedelta(minutes=10))),
    ]
    before = _state(container, tenant_slug, ret["id"])
    for provider, payload, headers in attempts:
        r = post_webhook(client, tenant_slug, provider, payload, headers)
        assert r.status_code == 401, (provider, headers, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"].startswith("signature_")
    assert _state(container, tenant_slug, ret["id"]) == before
    assert before["status"] == "approved" and before["events"] == []
    ok = post_webhook(client, tenant_slug, "generic", body, sign("generic", body))
    assert ok.status_code == 200
    assert _state(container, tenant_slug, ret["id"])["status"] == "delivered"


def test_no_secret_configured_is_refused(admin, client, container, tenant_slug):
    body = generic_body(scan("e-1", "1ZNOSECRET1", "in_transit", "2026-03-14T10:00:00Z"))
    r = post_webhook(client, tenant_slug, "generic", body, sign("generic", body))
    assert r.status_code == 401
    assert r.json()["code"] == "signature_unconfigured"


def test_rotation_accepts_old_and_new_secret_until_the_next_set(admin, client, container, tenant_slug):
    number = "1ZROTATE00000001"
    ret = make_return(admin, container, tenant_slug, number)
    configure_secret(container, tenant_slug, "generic", OLD_SECRET)
    configure_secret(container, tenant_slug, "generic", SECRET)
    first = generic_body(scan("r-1", number, "picked_up", "2026-03-13T10:00:00Z"))
    second = generic_body(scan("r-2", number, "delivered", "2026-03-14T10:00:00Z"))
    assert (
        post_webhook(client, tenant_slug, "generic", first, sign("generic", first, OLD_SECRET)).status_code
        == 200
    )
    assert (
        post_webhook(client, tenant_slug, "generic", second, sign("generic", second, SECRET)).status_code
        == 200
    )
    assert _state(container, tenant_slug, ret["id"])["status"] == "delivered"
    configure_secret(container, tenant_slug, "generic", "whsec-third-000111")
    third = generic_body(scan("r-3", number, "delivered", "2026-03-14T11:00:00Z"))
    assert (
        post_webhook(client, tenant_slug, "generic", third, sign("generic", third, OLD_SECRET)).status_code
        == 401
    )
    assert (
        post_webhook(client, tenant_slug, "generic", third, sign("generic", third, SECRET)).status_code == 200
    )


def test_duplicate_deliveries_change_nothing(admin, client, container, tenant_slug, clock):
    ret = make_return(admin, container, tenant_slug, FIXTURE_NUMBERS["easypost"])
    configure_secret(container, tenant_slug, "easypost")
    body = fixture_body("easypost")
    first = post_webhook(client, tenant_slug, "easypost", body, sign("easypost", body))
    after_first = _state(container, tenant_slug, ret["id"])
    clock.now += timedelta(minutes=3)
    again = post_webhook(client, tenant_slug, "easypost", body, sign("easypost", body))
    assert first.status_code == again.status_code == 200
    assert again.json()["new"] == 0 and again.json()["received"] == first.json()["received"]
    assert _state(container, tenant_slug, ret["id"]) == after_first


def test_unknown_tenant_or_provider_is_404_and_bad_payload_is_422_naming_the_field(
    admin, client, container, tenant_slug
):
    configure_secret(container, tenant_slug, "generic")
    body = generic_body(scan("e-1", "1ZX1", "delivered", "2026-03-14T10:00:00Z"))
    assert post_webhook(client, "no-such-tenant", "generic", body, sign("generic", body)).status_code == 404
    assert post_webhook(client, tenant_slug, "fedex-direct", body, sign("generic", body)).status_code == 404
    bad = json.dumps({"event_id": "e-2", "tracking_number": "1ZX1", "status": "teleported",
                      "occurred_at": "2026-03-14T10:00:00Z"}).encode()  # fmt: skip
    r = post_webhook(client, tenant_slug, "generic", bad, sign("generic", bad))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in r.json()["errors"]] == ["status"]
    broken = b'{"event_id": "e-3",'
    r = post_webhook(client, tenant_slug, "generic", broken, sign("generic", broken))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "$"


def test_events_before_the_label_are_kept_and_matched_when_the_return_gets_its_number(
    admin, client, container, tenant_slug
):
    number = "1ZEARLY000000001"
    configure_secret(container, tenant_slug, "generic")
    body = generic_body(
        scan("x-1", number, "picked_up", "2026-03-13T10:00:00Z"),
        scan("x-2", number, "exception", "2026-03-13T12:00:00Z", message="Address unreadable"),
        scan("x-3", number, "delivered", "2026-03-14T10:00:00Z"),
    )
    r = post_webhook(client, tenant_slug, "generic", body, sign("generic", body))
    assert r.json() == {"received": 3, "new": 3, "applied": 0, "unmatched": 3}
    ret = make_return(admin, container, tenant_slug, None)
    tenant_id = tenant_by_slug(container.db, tenant_slug).id
    with container.db.uow(tenant_id) as uow:
        row = uow.returns.get(ret["id"], for_update=True)
        assert row is not None
        row.tracking_number = number
        row.updated_at = container.clock()
        assert match_pending(uow, row) == 3
        uow.commit()
    state = _state(container, tenant_slug, ret["id"])
    assert state["status"] == "delivered"
    assert "Address unreadable" in state["note"]
    assert {"return.in_transit", "return.delivered", "tracking.exception"} <= set(state["topics"])
    # Matched events are not matched twice.
    with container.db.uow(tenant_id) as uow:
        row = uow.returns.get(ret["id"], for_update=True)
        assert row is not None and match_pending(uow, row) == 0


def _stream(number: str) -> list[dict[str, Any]]:
    hours = ["08", "10", "12", "14", "16", "18", "20"]
    statuses = ["label_created", "picked_up", "in_transit", "exception"]
    statuses += ["in_transit", "out_for_delivery", "delivered"]
    return [
        scan(f"{number}-{i}", number, status, f"2026-03-1{3 + i // 4}T{hours[i]}:00:00Z", message=f"scan {i}")
        for i, status in enumerate(statuses)
    ]


def _comparable(state: dict[str, Any]) -> dict[str, Any]:
    # Audit and topic counts legitimately differ (a delivered-first stream skips in_transit).
    out = {k: v for k, v in state.items() if k not in ("topics", "audit", "events")}
    out["events"] = sorted(event_id.rsplit("-", 1)[1] for _, event_id in state["events"])
    return out


@pytest.mark.parametrize("seed", range(4))
def test_a_shuffled_duplicated_stream_ends_where_the_ordered_one_does(
    seed, admin, client, container, tenant_slug
):
    configure_secret(container, tenant_slug, "generic")
    ordered = make_return(admin, container, tenant_slug, "1ZORDER0000000001")
    for rec in _stream("1ZORDER0000000001"):
        body = generic_body(rec)
        assert post_webhook(client, tenant_slug, "generic", body, sign("generic", body)).status_code == 200
    expected = _comparable(_state(container, tenant_slug, ordered["id"]))
    assert expected["status"] == "delivered"

    rng = random.Random(seed)
    shuffled = make_return(admin, container, tenant_slug, "1ZSHUFFLE00000001")
    records = _stream("1ZSHUFFLE00000001")
    records += [rng.choice(records) for _ in range(6)]
    rng.shuffle(records)
    while records:
        size = rng.randint(1, 3)
        batch, records = records[:size], records[size:]
        body = generic_body(*batch) if len(batch) > 1 else generic_body(batch[0])
        assert post_webhook(client, tenant_slug, "generic", body, sign("generic", body)).status_code == 200
    got = _comparable(_state(container, tenant_slug, shuffled["id"]))
    assert got == expected


def test_first_scan_trigger_credits_once_however_often_scans_arrive(admin, client, container, tenant_slug):
    number = "1ZCREDIT00000001"
    tenant_id = tenant_by_slug(container.db, tenant_slug).id
    policy = default_policy_text().replace("low: immediate", "low: first_scan")
    save_policy(container.db, container.clock, system_actor(tenant_id, "test"), policy)
    ret = make_return(admin, container, tenant_slug, number)
    assert ret["credit_trigger"] == "first_scan"
    assert admin.get(f"/returns/{ret['id']}/credits").json() == []
    configure_secret(container, tenant_slug, "generic")
    for rec in [scan("c-1", number, "picked_up", "2026-03-13T10:00:00Z")] * 2 + [
        scan("c-2", number, "delivered", "2026-03-14T10:00:00Z")
    ]:
        body = generic_body(rec)
        assert post_webhook(client, tenant_slug, "generic", body, sign("generic", body)).status_code == 200
    credits = admin.get(f"/returns/{ret['id']}/credits").json()
    refunds = [c for c in credits if c["kind"] == "refund"]
    assert len(refunds) == 1


def test_large_batches_with_repeats_sent_concurrently_land_each_event_once(
    admin, client, container, tenant_slug
):
    configure_secret(container, tenant_slug, "generic")
    numbers = [f"1ZBULK{i:010d}" for i in range(2)]
    returns = [make_return(admin, container, tenant_slug, n) for n in numbers]
    steps = ["picked_up", "in_transit", "out_for_delivery", "delivered"]
    per_parcel = 60
    records = [
        scan(
            f"bulk-{n}-{k}", n, steps[k * len(steps) // per_parcel], f"2026-03-1{k // 24}T{k % 24:02d}:00:00Z"
        )
        for n in numbers
        for k in range(per_parcel)
    ]
    rng = random.Random(7)
    # Each body repeats events inside itself and overlaps the other bodies.
    bodies = []
    for _ in range(4):
        batch = records + rng.sample(records, 10)
        rng.shuffle(batch)
        bodies.append(generic_body(*batch))
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(
                lambda body: ingest_webhook(
                    container.db, container.clock, tenant_slug, "generic", sign("generic", body), body
                ),
                bodies,
            )
        )
    assert sum(r.new for r in results) == len(records)
    assert all(r.received == len(records) + 10 for r in results)
    for ret, number in zip(returns, numbers, strict=True):
        state = _state(container, tenant_slug, ret["id"])
        assert state["status"] == "delivered" and state["lines"] == ["delivered"]
        assert state["events"] == sorted(("generic", f"bulk-{number}-{k}") for k in range(per_parcel))
        # Created, then in_transit, then delivered: one outbox event each (and one credit), no copies.
        assert [t for t in state["topics"] if t.startswith("return.")] == [
            "return.approved",
            "return.delivered",
            "return.in_transit",
        ]
        assert len(state["topics"]) == len(set(state["topics"]))
        assert state["parcel"][0] == "delivered"


def _change_secrets_elsewhere(
    container: Any, slug: str, *, add: str | None = None, drop_all: bool = False
) -> None:
    """Change the stored secrets as another server process would (this process is not told)."""
    tenant_id = tenant_by_slug(container.db, slug).id
    with container.db.uow(tenant_id) as uow:
        if drop_all:
            uow.tracking.drop_secrets("generic", [r.id for r in uow.tracking.secrets("generic")])
        if add is not None:
            uow.tracking.add_secret("generic", f"csec_{add[-6:]}", add, container.clock())
        uow.commit()


def test_secrets_remembered_by_a_process_follow_changes_made_by_others(
    admin, client, container, tenant_slug, monkeypatch
):
    now = [1000.0]
    monkeypatch.setattr(secret_memory, "memory", secret_memory.SecretMemory(5.0, clock=lambda: now[0]))
    ret = make_return(admin, container, tenant_slug, "1ZMEMORY000000001")
    configure_secret(container, tenant_slug, "generic")
    first = generic_body(scan("m-1", "1ZMEMORY000000001", "picked_up", "2026-03-12T10:00:00Z"))
    assert _send(client, tenant_slug, first) == 200  # the secrets are now remembered
    # Another process replaces the secret: a delivery signed with the new one verifies at once.
    _change_secrets_elsewhere(container, tenant_slug, add="whsec-elsewhere-9f3c1d", drop_all=True)
    second = generic_body(scan("m-2", "1ZMEMORY000000001", "in_transit", "2026-03-12T12:00:00Z"))
    assert _send(client, tenant_slug, second, secret="whsec-elsewhere-9f3c1d") == 200
    # It retires every secret: the remembered one stops verifying once its few seconds are over.
    _change_secrets_elsewhere(container, tenant_slug, drop_all=True)
    third = generic_body(scan("m-3", "1ZMEMORY000000001", "in_transit", "2026-03-12T14:00:00Z"))
    now[0] += 6
    assert _send(client, tenant_slug, third, secret="whsec-elsewhere-9f3c1d") == 401
    forged = generic_body(scan("m-4", "1ZMEMORY000000001", "delivered", "2026-03-12T16:00:00Z"))
    assert _send(client, tenant_slug, forged, secret="whsec-never-set-000000") == 401
    state = _state(container, tenant_slug, ret["id"])
    assert state["status"] == "in_transit" and state["events"] == [("generic", "m-1"), ("generic", "m-2")]
