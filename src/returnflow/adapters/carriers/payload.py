"""Reading provider JSON: typed field access that names the path of whatever is missing or wrong."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from returnflow.adapters.carriers.errors import PayloadInvalid
from returnflow.domain.tracking import TrackingStatus, normalize_tracking_number

# A provider status this code does not know (a vocabulary grown since this was written) becomes an
# exception: it never moves a return, and the raw value is kept so someone sees it and maps it.
UNKNOWN_STATUS_FALLBACK = TrackingStatus.EXCEPTION


def load_json(body: bytes) -> Any:
    """The decoded JSON document, or PayloadInvalid saying where it is malformed."""
    try:
        # Decoding first skips json's encoding sniffing; provider webhooks are UTF-8.
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise PayloadInvalid.at("$", "body is not UTF-8 text", "malformed_json") from None
    except json.JSONDecodeError as err:
        raise PayloadInvalid.at(
            "$", f"not valid JSON (line {err.lineno} column {err.colno}): {err.msg}", "malformed_json"
        ) from None


def as_object(value: Any, path: str) -> dict[str, Any]:
    """`value` when it is a JSON object."""
    if not isinstance(value, dict):
        raise PayloadInvalid.at(path, "expected a JSON object", "wrong_type")
    return value


def obj(data: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    """The required object at `key`."""
    if data.get(key) is None:
        raise PayloadInvalid.at(_join(path, key), "is required", "missing_field")
    return as_object(data[key], _join(path, key))


def items(data: dict[str, Any], key: str, path: str) -> list[Any]:
    """The list at `key`; absent or null reads as empty."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadInvalid.at(_join(path, key), "expected a JSON array", "wrong_type")
    return value


def text(data: dict[str, Any], key: str, path: str) -> str:
    """The required non-blank string at `key`, stripped."""
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PayloadInvalid.at(_join(path, key), "is required", "missing_field")
    if not isinstance(value, str):
        raise PayloadInvalid.at(_join(path, key), "expected a string", "wrong_type")
    return value.strip()


def optional_text(data: dict[str, Any], key: str, path: str) -> str | None:
    """The string at `key`, or None when absent, null or blank."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadInvalid.at(_join(path, key), "expected a string", "wrong_type")
    return value.strip() or None


def tracking_number(data: dict[str, Any], key: str, path: str) -> str:
    """The normalized tracking number at `key`."""
    raw = text(data, key, path)
    try:
        return normalize_tracking_number(raw)
    except ValueError as err:
        raise PayloadInvalid.at(_join(path, key), str(err), "invalid_tracking_number") from None


def parse_time(raw: str) -> datetime | None:
    """An ISO 8601 timestamp with an offset, in UTC; None when it carries no offset."""
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC)


def timestamp(data: dict[str, Any], key: str, path: str) -> datetime:
    """The required ISO 8601 timestamp at `key`, with an offset, in UTC."""
    raw = text(data, key, path)
    try:
        moment = parse_time(raw)
    except ValueError:
        raise PayloadInvalid.at(
            _join(path, key), f"not an ISO 8601 timestamp: {raw!r}", "bad_timestamp"
        ) from None
    if moment is None:
        raise PayloadInvalid.at(_join(path, key), f"timestamp has no UTC offset: {raw!r}", "naive_timestamp")
    return moment


def place(parts: Sequence[Any]) -> str | None:
    """Location parts (city, state, postal code, country) joined as one line; None if all empty."""
    words = [str(p).strip() for p in parts if p is not None and str(p).strip()]
    return ", ".join(words) or None


def status_of(raw: str, table: dict[str, TrackingStatus]) -> TrackingStatus:
    """The normalized status for a provider status, falling back for unknown ones."""
    return table.get(raw, UNKNOWN_STATUS_FALLBACK)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
