"""Builders for the tracking tests: returns with tracking numbers, signed webhook requests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from returnflow.bootstrap import Container
from returnflow.services.access import system_actor
from returnflow.services.carrier_secrets import set_secret
from returnflow.services.tenants import tenant_by_slug
from tests.builders import line, order, return_request

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "carriers"
PLACED = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
SECRET = "whsec-current-5b1f0e"
OLD_SECRET = "whsec-previous-77c2aa"
FIXTURE_FILES = {
    "easypost": "easypost_tracker_updated.json",
    "shippo": "shippo_track_updated.json",
    "aftership": "aftership_tracking_update.json",
    "generic": "generic.json",
}
FIXTURE_NUMBERS = {
    "easypost": "9400111899223197428490",
    "shippo": "1Z999AA10123456784",
    "aftership": "420894039261290346009501",
    "generic": "1Z999AA10123456784",
}


def _mac(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def sign(provider: str, body: bytes, secret: str = SECRET, at: datetime | None = None) -> dict[str, str]:
    """The provider's signature header for `body`, computed independently of the code under test."""
    if provider == "easypost":
        return {"X-Hmac-Signature": "hmac-sha256-hex=" + _mac(secret, body).hex()}
    if provider == "shippo":
        t = str(int((at or datetime.now(UTC)).timestamp()))
        return {"Shippo-Auth-Signature": f"t={t},v1={_mac(secret, t.encode() + b'.' + body).hex()}"}
    if provider == "aftership":
        return {"aftership-hmac-sha256": base64.b64encode(_mac(secret, body)).decode()}
    return {"X-ReturnFlow-Signature": "sha256=" + _mac(secret, body).hex()}


def fixture_body(provider: str) -> bytes:
    """A provider's real payload, byte for byte."""
    return (FIXTURES / FIXTURE_FILES[provider]).read_bytes()


def configure_secret(container: Container, slug: str, provider: str, secret: str = SECRET) -> None:
    """Set a provider's signing secret for the tenant (as `returnflow carrier-secret set` does)."""
    t = tenant_by_slug(container.db, slug)
    set_secret(container.db, container.clock, system_actor(t.id, "test"), provider, secret)


def make_return(
    admin: Any, container: Container, slug: str, tracking_number: str | None, **fields: Any
) -> dict[str, Any]:
    """An approved return created through the API, then given a tracking number (as a label would)."""
    number = f"T-{secrets.token_hex(4)}"
    r = admin.post("/orders", order(number, [line(quantity=1)], placed=PLACED))
    assert r.status_code == 201, r.text
    r = admin.post("/returns", return_request(number, r.json()["lines"][0]["id"]))
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    assert created["status"] == "approved"
    if tracking_number is not None or fields:
        tenant_id = tenant_by_slug(container.db, slug).id
        set_return_fields(container, tenant_id, created["id"], tracking_number=tracking_number, **fields)
    return created


def set_return_fields(container: Container, tenant_id: str, return_id: str, **fields: Any) -> None:
    """Change stored columns of a return directly (what another capability would have done)."""
    with container.db.uow(tenant_id) as uow:
        row = uow.returns.get(return_id, for_update=True)
        assert row is not None
        for key, value in fields.items():
            setattr(row, key, value)
        uow.commit()


def post_webhook(client: Any, slug: str, provider: str, body: bytes, headers: dict[str, str]) -> Any:
    """POST a raw body to the tracking webhook endpoint."""
    return client.post(
        f"/v1/webhooks/{slug}/tracking/{provider}",
        content=body,
        headers={"Content-Type": "application/json", **headers},
    )


def generic_body(*records: dict[str, Any]) -> bytes:
    """A generic-format body: one object, or an array of several."""
    return json.dumps(records[0] if len(records) == 1 else list(records)).encode()


def scan(event_id: str, number: str, status: str, at: str, **extra: Any) -> dict[str, Any]:
    """One generic-format record."""
    return {"event_id": event_id, "tracking_number": number, "status": status, "occurred_at": at, **extra}
