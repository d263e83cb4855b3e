"""HMAC-SHA256 over the raw body, compared in constant time against any active secret."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from returnflow.adapters.carriers.errors import SignatureInvalid

# How far a signed timestamp may be from our clock, either way, before the request counts as a
# replay (past) or as forged with a clock trick (future).
DEFAULT_TOLERANCE = timedelta(minutes=5)


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header `name`, matched case-insensitively (HTTP header names are)."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, val in headers.items():
        if key.lower() == wanted:
            return val
    return None


def require_header(headers: Mapping[str, str], name: str) -> str:
    """The header's stripped value, or SignatureInvalid naming the missing header."""
    value = header_value(headers, name)
    if value is None or not value.strip():
        raise SignatureInvalid(f"missing {name} header", code="signature_missing")
    return value.strip()


def secret_keys(secrets: Sequence[str], *, nfkd: bool = False) -> list[bytes]:
    """The usable HMAC keys; fails closed when no secret is configured."""
    # An empty secret would make a signature anyone can compute, so it never counts as configured.
    keys = [
        (unicodedata.normalize("NFKD", s) if nfkd else s).encode("utf-8") for s in secrets if s and s.strip()
    ]
    if not keys:
        raise SignatureInvalid("no webhook signing secret is configured", code="signature_unconfigured")
    return keys


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """The raw HMAC-SHA256 digest of `message` under `key`."""
    return hmac.digest(key, message, "sha256")  # the one-shot C path: several times faster than hmac.new


def decode_hex(value: str) -> bytes:
    """A hex-encoded digest as bytes, or SignatureInvalid when it is not hex of the right length."""
    try:
        digest = bytes.fromhex(value)
    except ValueError:
        raise SignatureInvalid("signature is not hexadecimal", code="signature_malformed") from None
    if len(digest) != hashlib.sha256().digest_size:
        raise SignatureInvalid("signature has the wrong length", code="signature_malformed")
    return digest


def decode_base64(value: str) -> bytes:
    """A base64-encoded digest as bytes, or SignatureInvalid when it is not base64 of the right length."""
    try:
        digest = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureInvalid("signature is not base64", code="signature_malformed") from None
    if len(digest) != hashlib.sha256().digest_size:
        raise SignatureInvalid("signature has the wrong length", code="signature_malformed")
    return digest


def require_match(provided: Sequence[bytes], message: bytes, keys: Sequence[bytes]) -> None:
    """Pass when any provided digest equals the HMAC of `message` under any key; else raise."""
    # During a secret rotation two keys are active, and a sender may attach one signature per key.
    for key in keys:
        expected = hmac_sha256(key, message)
        for digest in provided:
            if hmac.compare_digest(expected, digest):
                return
    raise SignatureInvalid("signature does not match the payload", code="signature_mismatch")


def require_fresh(timestamp: str, now: datetime, tolerance: timedelta = DEFAULT_TOLERANCE) -> None:
    """Reject a signed Unix timestamp further than `tolerance` from `now` (a replay, or a forgery)."""
    # Only ASCII digits: int() would also accept other scripts' digits and surrounding spaces.
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise SignatureInvalid("signature timestamp is not a Unix time", code="signature_malformed")
    signed_at = int(timestamp)
    if abs(now.timestamp() - signed_at) > tolerance.total_seconds():
        raise SignatureInvalid("signature timestamp is outside the allowed window", code="signature_stale")
