"""EasyPost tracking webhooks: an `Event` whose `result` is a `Tracker`.

Signature: `X-Hmac-Signature: hmac-sha256-hex=<hex HMAC-SHA256 of the raw body>`, keyed with the
webhook secret after Unicode NFKD normalization (as EasyPost's own client libraries do). The scheme
has no timestamp; EasyPost retries failed deliveries for a long time, so replays are handled by
de-duplication rather than by a time window.

Events: one per `tracking_details` entry. Every `tracker.updated` Event repeats the tracker's whole
history, so keying each scan on the Event id would give an old scan a new id in every webhook.
Instead a scan's id is `<tracker id>/<UTC time>/<status>/<status_detail>`, the same in every Event
that carries it: replays and overlapping histories de-duplicate, and a missed webhook is healed by
the next one. A tracker with no details yet yields one event keyed on the Event `id`.
Events other than `tracker.*` (batches, refunds, …) carry no scans and yield nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from returnflow.adapters.carriers import payload, signatures
from returnflow.adapters.carriers.errors import PayloadInvalid, SignatureInvalid
from returnflow.adapters.carriers.webhook_format import CarrierWebhookFormat
from returnflow.domain.tracking import CarrierEvent, TrackingStatus

PROVIDER = "easypost"
SIGNATURE_HEADER = "X-Hmac-Signature"
SIGNATURE_PREFIX = "hmac-sha256-hex="

T = TrackingStatus
# Tracker `status` values documented by EasyPost. `unknown` means the carrier has said nothing yet:
# like a bare label, it moves nothing. A parcel waiting at a pickup point is on its final leg.
STATUS_MAP: dict[str, TrackingStatus] = {
    "unknown": T.LABEL_CREATED,
    "pre_transit": T.LABEL_CREATED,
    "in_transit": T.IN_TRANSIT,
    "out_for_delivery": T.OUT_FOR_DELIVERY,
    "available_for_pickup": T.OUT_FOR_DELIVERY,
    "delivered": T.DELIVERED,
    "return_to_sender": T.RETURNED_TO_SENDER,
    "failure": T.FAILURE,
    "cancelled": T.EXCEPTION,
    "error": T.EXCEPTION,
}
# `status_detail` values that say more than the status: the first scan at the origin is the pickup.
DETAIL_MAP: dict[tuple[str, str], TrackingStatus] = {
    ("in_transit", "received_at_origin_facility"): T.PICKED_UP,
}


def verify(headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime) -> None:
    """Raise SignatureInvalid unless `X-Hmac-Signature` is the HMAC of the body under an active secret."""
    value = signatures.require_header(headers, SIGNATURE_HEADER)
    if not value.lower().startswith(SIGNATURE_PREFIX):
        raise SignatureInvalid(
            f"{SIGNATURE_HEADER} must look like {SIGNATURE_PREFIX}<hex>", code="signature_malformed"
        )
    digest = signatures.decode_hex(value[len(SIGNATURE_PREFIX) :].strip())
    signatures.require_match([digest], body, signatures.secret_keys(secrets, nfkd=True))


def parse(body: bytes) -> list[CarrierEvent]:
    """The scans in one EasyPost Event (none for Events that are not about a tracker)."""
    event = payload.as_object(payload.load_json(body), "$")
    event_id = payload.text(event, "id", "")
    description = payload.text(event, "description", "")
    if not description.startswith("tracker."):
        return []
    tracker = payload.obj(event, "result", "")
    kind = tracker.get("object")
    if kind is not None and kind != "Tracker":
        raise PayloadInvalid.at("result.object", f"expected a Tracker, got {kind!r}", "wrong_type")
    number = payload.tracking_number(tracker, "tracking_code", "result")
    carrier = payload.optional_text(tracker, "carrier", "result")
    carrier = carrier.lower() if carrier else None
    details = payload.items(tracker, "tracking_details", "result")
    if not details:
        raw = payload.text(tracker, "status", "result")
        detail = payload.optional_text(tracker, "status_detail", "result")
        return [
            CarrierEvent(
                provider=PROVIDER,
                event_id=event_id,
                tracking_number=number,
                carrier=carrier,
                status=_status(raw, detail),
                raw_status=raw,
                substatus=detail,
                occurred_at=payload.timestamp(tracker, "updated_at", "result"),
            )
        ]
    tracker_id = payload.text(tracker, "id", "result")
    return [
        _scan(tracker_id, number, carrier, d, f"result.tracking_details[{i}]") for i, d in enumerate(details)
    ]


def _scan(tracker_id: str, number: str, carrier: str | None, item: Any, path: str) -> CarrierEvent:
    detail = payload.as_object(item, path)
    raw = payload.text(detail, "status", path)
    sub = payload.optional_text(detail, "status_detail", path)
    occurred_at = payload.timestamp(detail, "datetime", path)
    where = detail.get("tracking_location")
    location = None
    if where is not None:
        spot = payload.as_object(where, f"{path}.tracking_location")
        location = payload.place([spot.get(k) for k in ("city", "state", "zip", "country")])
    return CarrierEvent(
        provider=PROVIDER,
        event_id=f"{tracker_id}/{occurred_at.isoformat()}/{raw}/{sub or ''}",
        tracking_number=number,
        carrier=carrier,
        status=_status(raw, sub),
        raw_status=raw,
        substatus=sub,
        occurred_at=occurred_at,
        location=location,
        message=payload.optional_text(detail, "message", path),
    )


def _status(raw: str, detail: str | None) -> TrackingStatus:
    refined = DETAIL_MAP.get((raw, detail)) if detail else None
    return refined or payload.status_of(raw, STATUS_MAP)


FORMAT = CarrierWebhookFormat(PROVIDER, SIGNATURE_HEADER, verify, parse)
