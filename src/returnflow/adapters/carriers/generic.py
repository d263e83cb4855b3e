"""The generic tracking format: `{event_id, tracking_number, status, occurred_at, location?}`.

Signed with `X-ReturnFlow-Signature: sha256=<hex HMAC-SHA256 of the raw body>` (API.md). A body is one
such object or a JSON array of them; `carrier` and `message` are optional extras. The status must
already be one of the normalized statuses — this format is ours, so nothing is guessed.
The scheme carries no timestamp, so a replayed request is caught by de-duplication on `event_id`
(and by statuses only moving forward), not by a time window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from returnflow.adapters.carriers import payload, signatures
from returnflow.adapters.carriers.errors import PayloadInvalid, SignatureInvalid
from returnflow.adapters.carriers.webhook_format import CarrierWebhookFormat
from returnflow.domain.errors import FieldProblem
from returnflow.domain.tracking import CarrierEvent, TrackingStatus, normalize_tracking_number

PROVIDER = "generic"
SIGNATURE_HEADER = "X-ReturnFlow-Signature"
SIGNATURE_PREFIX = "sha256="
MAX_EVENT_ID = 200
STATUSES: dict[str, TrackingStatus] = {s.value: s for s in TrackingStatus}


def verify(headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime) -> None:
    """Raise SignatureInvalid unless the body carries a valid `sha256=` HMAC of one active secret."""
    value = signatures.require_header(headers, SIGNATURE_HEADER)
    if value[: len(SIGNATURE_PREFIX)].lower() != SIGNATURE_PREFIX:
        raise SignatureInvalid(f"{SIGNATURE_HEADER} must look like sha256=<hex>", code="signature_malformed")
    digest = signatures.decode_hex(value[len(SIGNATURE_PREFIX) :].strip())
    signatures.require_match([digest], body, signatures.secret_keys(secrets))


def parse(body: bytes) -> list[CarrierEvent]:
    """The events of one generic webhook body (an object, or an array of objects)."""
    data = payload.load_json(body)
    records: list[tuple[str, Any]] = (
        [(f"[{i}].", rec) for i, rec in enumerate(data)] if isinstance(data, list) else [("", data)]
    )
    events, problems = [], []
    for where, rec in records:
        if not isinstance(rec, dict):
            problems.append(FieldProblem(where.rstrip(".") or "$", "wrong_type", "expected a JSON object"))
            continue
        event = event_from_record(rec, problems, where)
        if event is not None:
            events.append(event)
    if problems:
        first = problems[0]
        raise PayloadInvalid(f"{first.field}: {first.message}", problems=problems)
    return events


def event_from_record(
    rec: Mapping[str, Any], problems: list[FieldProblem], where: str = "", provider: str = PROVIDER
) -> CarrierEvent | None:
    """One generic record as an event; on failure, every bad field is appended to `problems`."""
    before = len(problems)
    event_id = _required(rec, "event_id", problems, where)
    if event_id is not None and len(event_id) > MAX_EVENT_ID:
        problems.append(
            FieldProblem(f"{where}event_id", "too_long", f"longer than {MAX_EVENT_ID} characters")
        )
    number = _required(rec, "tracking_number", problems, where)
    if number is not None:
        try:
            number = normalize_tracking_number(number)
        except ValueError as err:
            problems.append(FieldProblem(f"{where}tracking_number", "invalid_tracking_number", str(err)))
    raw_status = _required(rec, "status", problems, where)
    status = None
    if raw_status is not None:
        status = STATUSES.get(raw_status.lower())
        if status is None:
            allowed = ", ".join(STATUSES)
            problems.append(
                FieldProblem(f"{where}status", "unknown_status", f"{raw_status!r} is not one of: {allowed}")
            )
    occurred_at = _moment(rec, problems, where)
    location = _optional(rec, "location", problems, where)
    carrier = _optional(rec, "carrier", problems, where)
    message = _optional(rec, "message", problems, where)
    if len(problems) > before or not (event_id and number and raw_status and status and occurred_at):
        return None
    return CarrierEvent(
        provider=provider,
        event_id=event_id,
        tracking_number=number,
        carrier=carrier.lower() if carrier else None,
        status=status,
        raw_status=raw_status,
        substatus=None,
        occurred_at=occurred_at,
        location=location,
        message=message,
    )


def _required(rec: Mapping[str, Any], key: str, problems: list[FieldProblem], where: str) -> str | None:
    value = rec.get(key)
    if isinstance(value, str):
        value = value.strip()
        if value:
            return value
    elif value is not None:
        problems.append(FieldProblem(f"{where}{key}", "wrong_type", "expected a string"))
        return None
    problems.append(FieldProblem(f"{where}{key}", "missing_field", "is required"))
    return None


def _optional(rec: Mapping[str, Any], key: str, problems: list[FieldProblem], where: str) -> str | None:
    value = rec.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(FieldProblem(f"{where}{key}", "wrong_type", "expected a string"))
        return None
    return value.strip() or None


def _moment(rec: Mapping[str, Any], problems: list[FieldProblem], where: str) -> datetime | None:
    raw = _required(rec, "occurred_at", problems, where)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        problems.append(
            FieldProblem(f"{where}occurred_at", "bad_timestamp", f"not an ISO 8601 timestamp: {raw!r}")
        )
        return None
    if moment.tzinfo is None:
        problems.append(
            FieldProblem(f"{where}occurred_at", "naive_timestamp", f"timestamp has no UTC offset: {raw!r}")
        )
        return None
    return moment.astimezone(UTC)


FORMAT = CarrierWebhookFormat(PROVIDER, SIGNATURE_HEADER, verify, parse)
