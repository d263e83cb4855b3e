"""AfterShip tracking webhooks: `{"event": "tracking_update", "event_id", "ts", "msg": <Tracking>}`.

Signature: `aftership-hmac-sha256: <base64 HMAC-SHA256 of the raw body>` under the account's webhook
secret. The scheme has no signed timestamp, and AfterShip retries a failed delivery with back-off
for many hours, so replays are handled by de-duplication rather than by a time window.

Events: one per `msg.checkpoints` entry, keyed `<tracking id>/<checkpoint_time>/<tag>/<subtag>`, so
the history repeated in every webhook de-duplicates. When the tracking's own `tag` is not the last
checkpoint's (Pending, InfoReceived, Expired usually have no checkpoint of their own) one more
event is emitted for it, keyed `<tracking id>/tag/<tag>` and timed by the webhook's `ts`.
A `checkpoint_time` without an offset is the carrier's local wall-clock time in an unknown zone;
the checkpoint's `created_at` (UTC, when AfterShip recorded it) is used instead.
Other events (`edd_revise`, `tracking_pending_time`, …) carry no scan and yield nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from returnflow.adapters.carriers import payload, signatures
from returnflow.adapters.carriers.errors import PayloadInvalid
from returnflow.adapters.carriers.webhook_format import CarrierWebhookFormat
from returnflow.domain.tracking import CarrierEvent, TrackingStatus, dedupe

PROVIDER = "aftership"
SIGNATURE_HEADER = "aftership-hmac-sha256"
EVENT = "tracking_update"

T = TrackingStatus
# The delivery statuses (`tag`) documented by AfterShip. A failed attempt or an expired tracking
# needs a person's attention on a return, so both are exceptions.
STATUS_MAP: dict[str, TrackingStatus] = {
    "Pending": T.LABEL_CREATED,
    "InfoReceived": T.LABEL_CREATED,
    "InTransit": T.IN_TRANSIT,
    "OutForDelivery": T.OUT_FOR_DELIVERY,
    "AvailableForPickup": T.OUT_FOR_DELIVERY,
    "AttemptFail": T.EXCEPTION,
    "Delivered": T.DELIVERED,
    "Exception": T.EXCEPTION,
    "Expired": T.EXCEPTION,
}
# Sub-statuses (`subtag`) that say more than their tag.
SUBTAG_MAP: dict[str, TrackingStatus] = {
    "InTransit_002": T.PICKED_UP,  # acceptance scan
    "Exception_010": T.RETURNED_TO_SENDER,  # returning to sender
    "Exception_011": T.RETURNED_TO_SENDER,  # returned to sender
    "Exception_013": T.FAILURE,  # shipment lost
}


def verify(headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime) -> None:
    """Raise SignatureInvalid unless the base64 HMAC of the body matches an active secret."""
    value = signatures.require_header(headers, SIGNATURE_HEADER)
    digest = signatures.decode_base64(value)
    signatures.require_match([digest], body, signatures.secret_keys(secrets))


def parse(body: bytes) -> list[CarrierEvent]:
    """The checkpoints (and the current tag) of one `tracking_update` webhook."""
    hook = payload.as_object(payload.load_json(body), "$")
    if payload.text(hook, "event", "") != EVENT:
        return []
    msg = payload.obj(hook, "msg", "")
    number = payload.tracking_number(msg, "tracking_number", "msg")
    slug = payload.optional_text(msg, "slug", "msg")
    carrier = slug.lower() if slug else None
    tracking_id = payload.optional_text(msg, "id", "msg") or f"{carrier or ''}/{number}"
    tag = payload.text(msg, "tag", "msg")
    checkpoints = payload.items(msg, "checkpoints", "msg")
    events = [
        _checkpoint(tracking_id, number, carrier, cp, f"msg.checkpoints[{i}]")
        for i, cp in enumerate(checkpoints)
    ]
    if not events or events[-1].raw_status != tag:
        subtag = payload.optional_text(msg, "subtag", "msg")
        events.append(
            CarrierEvent(
                provider=PROVIDER,
                event_id=f"{tracking_id}/tag/{tag}",
                tracking_number=number,
                carrier=carrier,
                status=_status(tag, subtag),
                raw_status=tag,
                substatus=subtag,
                occurred_at=_webhook_time(hook, msg),
                message=payload.optional_text(msg, "subtag_message", "msg"),
            )
        )
    return dedupe(events)


def _checkpoint(tracking_id: str, number: str, carrier: str | None, item: Any, path: str) -> CarrierEvent:
    cp = payload.as_object(item, path)
    tag = payload.text(cp, "tag", path)
    subtag = payload.optional_text(cp, "subtag", path)
    raw_time = payload.optional_text(cp, "checkpoint_time", path)
    occurred_at = None
    if raw_time is not None:
        try:
            occurred_at = payload.parse_time(raw_time)
        except ValueError:
            raise PayloadInvalid.at(
                f"{path}.checkpoint_time", f"not an ISO 8601 timestamp: {raw_time!r}", "bad_timestamp"
            ) from None
    if occurred_at is None:
        if raw_time is not None and cp.get("created_at") is None:
            raise PayloadInvalid.at(
                f"{path}.checkpoint_time", f"timestamp has no UTC offset: {raw_time!r}", "naive_timestamp"
            )
        occurred_at = payload.timestamp(cp, "created_at", path)
    country = cp.get("country_region") or cp.get("country_iso3")
    location = payload.optional_text(cp, "location", path) or payload.place(
        [cp.get("city"), cp.get("state"), cp.get("zip") or cp.get("postal_code"), country]
    )
    return CarrierEvent(
        provider=PROVIDER,
        event_id=f"{tracking_id}/{raw_time or occurred_at.isoformat()}/{tag}/{subtag or ''}",
        tracking_number=number,
        carrier=(payload.optional_text(cp, "slug", path) or carrier or "").lower() or None,
        status=_status(tag, subtag),
        raw_status=tag,
        substatus=subtag,
        occurred_at=occurred_at,
        location=location,
        message=payload.optional_text(cp, "message", path),
    )


def _status(tag: str, subtag: str | None) -> TrackingStatus:
    refined = SUBTAG_MAP.get(subtag) if subtag else None
    return refined or payload.status_of(tag, STATUS_MAP)


def _webhook_time(hook: dict[str, Any], msg: dict[str, Any]) -> datetime:
    ts = hook.get("ts")
    if isinstance(ts, int) and not isinstance(ts, bool):
        try:
            return datetime.fromtimestamp(ts, UTC)
        except (OverflowError, OSError, ValueError):
            raise PayloadInvalid.at("ts", f"not a plausible Unix timestamp: {ts}", "bad_timestamp") from None
    if ts is not None:
        raise PayloadInvalid.at("ts", "expected a Unix timestamp (integer seconds)", "wrong_type")
    return payload.timestamp(msg, "updated_at", "msg")


FORMAT = CarrierWebhookFormat(PROVIDER, SIGNATURE_HEADER, verify, parse)
