"""Shippo tracking webhooks: `{"event": "track_updated", "data": <Track>}`.

Signature: Shippo's HMAC option (enabled for an account through Shippo support), header
`Shippo-Auth-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. Because the
timestamp is signed, a request older or newer than five minutes is refused as a replay. Several
`v1=` entries may be present; any one matching an active secret passes. Shippo's other options (an
IP allowlist, a token in the URL) prove nothing about the body, so they are not accepted here.

Events: one per entry of `tracking_history` plus `tracking_status` (usually also the last history
entry). Each status record's `object_id` is the event id, so the repeated history in every webhook —
Shippo says its tracking webhooks may arrive more than once — de-duplicates. A record without an
`object_id` is keyed on `<tracking number>/<UTC time>/<status>/<substatus>`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from returnflow.adapters.carriers import payload, signatures
from returnflow.adapters.carriers.errors import PayloadInvalid, SignatureInvalid
from returnflow.adapters.carriers.webhook_format import CarrierWebhookFormat
from returnflow.domain.tracking import CarrierEvent, TrackingStatus, dedupe

PROVIDER = "shippo"
SIGNATURE_HEADER = "Shippo-Auth-Signature"
EVENT = "track_updated"

T = TrackingStatus
# `tracking_status.status` values documented by Shippo. UNKNOWN means no carrier data yet.
STATUS_MAP: dict[str, TrackingStatus] = {
    "PRE_TRANSIT": T.LABEL_CREATED,
    "TRANSIT": T.IN_TRANSIT,
    "DELIVERED": T.DELIVERED,
    "RETURNED": T.RETURNED_TO_SENDER,
    "FAILURE": T.FAILURE,
    "UNKNOWN": T.LABEL_CREATED,
}
# `substatus.code` values that refine TRANSIT; codes not listed (package_arrived, package_departed,
# delayed, delivery_scheduled, …) stay in_transit. Under other statuses the status alone decides.
TRANSIT_SUBSTATUS_MAP: dict[str, TrackingStatus] = {
    "package_accepted": T.PICKED_UP,
    "out_for_delivery": T.OUT_FOR_DELIVERY,
    "pickup_available": T.OUT_FOR_DELIVERY,
    "delivery_attempted": T.EXCEPTION,
    "notice_left": T.EXCEPTION,
    "address_issue": T.EXCEPTION,
    "contact_carrier": T.EXCEPTION,
    "location_inaccessible": T.EXCEPTION,
    "package_held": T.EXCEPTION,
    "package_damaged": T.EXCEPTION,
    "package_undeliverable": T.EXCEPTION,
    "return_to_sender": T.RETURNED_TO_SENDER,
    "package_lost": T.FAILURE,
    "package_disposed": T.FAILURE,
}


def verify(headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime) -> None:
    """Raise SignatureInvalid unless the signed timestamp is fresh and a `v1` HMAC matches."""
    value = signatures.require_header(headers, SIGNATURE_HEADER)
    stamp, digests = None, []
    for part in value.split(","):
        key, sep, val = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            stamp = val.strip()
        elif key == "v1":
            digests.append(signatures.decode_hex(val.strip()))
    if stamp is None or not digests:
        raise SignatureInvalid(
            f"{SIGNATURE_HEADER} must look like t=<unix>,v1=<hex>", code="signature_malformed"
        )
    signatures.require_fresh(stamp, now)
    signed = stamp.encode("ascii") + b"." + body
    signatures.require_match(digests, signed, signatures.secret_keys(secrets))


def parse(body: bytes) -> list[CarrierEvent]:
    """The status records of one `track_updated` webhook (none for other Shippo events)."""
    hook = payload.as_object(payload.load_json(body), "$")
    if payload.text(hook, "event", "") != EVENT:
        return []
    track = payload.obj(hook, "data", "")
    number = payload.tracking_number(track, "tracking_number", "data")
    carrier = payload.optional_text(track, "carrier", "data")
    carrier = carrier.lower() if carrier else None
    records = [
        (f"data.tracking_history[{i}]", r)
        for i, r in enumerate(payload.items(track, "tracking_history", "data"))
    ]
    records.append(("data.tracking_status", payload.obj(track, "tracking_status", "data")))
    return dedupe(_record(number, carrier, rec, path) for path, rec in records)


def _record(number: str, carrier: str | None, item: Any, path: str) -> CarrierEvent:
    rec = payload.as_object(item, path)
    raw = payload.text(rec, "status", path)
    code = None
    sub = rec.get("substatus")
    if sub is not None:
        code = payload.optional_text(payload.as_object(sub, f"{path}.substatus"), "code", f"{path}.substatus")
    status = payload.status_of(raw, STATUS_MAP)
    if raw == "TRANSIT" and code:
        status = TRANSIT_SUBSTATUS_MAP.get(code, status)
    occurred_at = _when(rec, path)
    where = rec.get("location")
    location = None
    if where is not None:
        spot = payload.as_object(where, f"{path}.location")
        location = payload.place([spot.get(k) for k in ("city", "state", "zip", "country")])
    event_id = payload.optional_text(rec, "object_id", path)
    return CarrierEvent(
        provider=PROVIDER,
        event_id=event_id or f"{number}/{occurred_at.isoformat()}/{raw}/{code or ''}",
        tracking_number=number,
        carrier=carrier,
        status=status,
        raw_status=raw,
        substatus=code,
        occurred_at=occurred_at,
        location=location,
        message=payload.optional_text(rec, "status_details", path),
    )


def _when(rec: dict[str, Any], path: str) -> datetime:
    # Shippo leaves status_date null while it has no carrier data (UNKNOWN); the record's own
    # creation time is then the best statement of when this status was known.
    for key in ("status_date", "object_updated", "object_created"):
        if rec.get(key) is not None:
            return payload.timestamp(rec, key, path)
    raise PayloadInvalid.at(f"{path}.status_date", "is required", "missing_field")


FORMAT = CarrierWebhookFormat(PROVIDER, SIGNATURE_HEADER, verify, parse)
