"""Signed tokens, CSRF tokens and the server secret behind both (HMAC-SHA256, standard library only)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request

from returnflow.config import Settings

SECRET_FILE = "secret.key"
_secrets: dict[str, bytes] = {}
_lock = threading.Lock()


def server_secret(settings: Settings) -> bytes:
    """The configured secret, else one kept in `data_dir/secret.key` (created once, shared by workers)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = (settings.data_dir / SECRET_FILE).resolve()
    key = str(path)
    with _lock:
        if key not in _secrets:
            _secrets[key] = _load_or_create(path)
        return _secrets[key]


def _load_or_create(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:
            # link() fails when another worker won the race; then everyone reads the winner's secret.
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    value = path.read_text().strip()
    if len(value) < 32:
        raise RuntimeError(f"{path} holds a secret shorter than 32 characters")
    return value.encode()


def _subkey(secret: bytes, purpose: str) -> bytes:
    # One key per purpose, so a portal token can never pass as an ops session (or vice versa).
    return hmac.new(secret, f"returnflow:{purpose}".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: bytes, purpose: str, claims: dict[str, Any], expires_at: datetime) -> str:
    """A tamper-evident token `payload.signature` carrying `claims` until `expires_at`."""
    body = {**claims, "exp": int(expires_at.timestamp())}
    payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(_subkey(secret, purpose), payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}"


def verify(secret: bytes, purpose: str, token: str | None, now: datetime) -> dict[str, Any] | None:
    """The token's claims when its signature is good and it has not expired, else None."""
    if not token or token.count(".") != 1 or len(token) > 4096:
        return None
    payload, signature = token.split(".")
    expected = hmac.new(_subkey(secret, purpose), payload.encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, _unb64(signature)):
            return None
        claims = json.loads(_unb64(payload))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("exp"), int):
        return None
    if claims["exp"] <= now.timestamp():
        return None
    return claims


def _keystream(secret: bytes, nonce: bytes, length: int) -> bytes:
    key = _subkey(secret, "seal")
    blocks = (length + 31) // 32
    stream = b"".join(
        hmac.new(key, nonce + i.to_bytes(4, "big"), hashlib.sha256).digest() for i in range(blocks)
    )
    return stream[:length]


def seal(secret: bytes, plaintext: str) -> str:
    """Hide a value inside a signed token (HMAC-SHA256 in counter mode; `sign` authenticates it)."""
    data, nonce = plaintext.encode(), secrets.token_bytes(16)
    return _b64(nonce + bytes(a ^ b for a, b in zip(data, _keystream(secret, nonce, len(data)), strict=True)))


def unseal(secret: bytes, sealed: str) -> str | None:
    """The value `seal` hid, or None when it is malformed."""
    try:
        raw = _unb64(sealed)
        nonce, body = raw[:16], raw[16:]
        stream = _keystream(secret, nonce, len(body))
        return bytes(a ^ b for a, b in zip(body, stream, strict=True)).decode()
    except (binascii.Error, ValueError):
        return None


def csrf_token(secret: bytes, session_token: str) -> str:
    """The form token tied to one session cookie (a cross-site page can read neither)."""
    return _b64(hmac.new(_subkey(secret, "csrf"), session_token.encode(), hashlib.sha256).digest())


def csrf_ok(secret: bytes, session_token: str | None, submitted: str | None) -> bool:
    """Whether a submitted form token belongs to the session cookie sent with it."""
    if not session_token or not submitted:
        return False
    return hmac.compare_digest(csrf_token(secret, session_token), submitted)


def same_origin(request: Request) -> bool:
    """False when the browser says the form was posted from another site (defence in depth)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")
