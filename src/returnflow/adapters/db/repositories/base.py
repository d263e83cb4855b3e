"""The base of tenant-scoped repositories and opaque keyset cursors."""

from __future__ import annotations

import base64

from sqlalchemy.orm import Session


def encode_cursor(value: str) -> str:
    """Opaque cursor for keyset pagination."""
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str | None:
    """The keyset value inside a cursor, or None when it is not one of ours."""
    if not cursor or not all(ch.isalnum() or ch in "-_" for ch in cursor):
        return None
    try:
        value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return value if value.isprintable() and value else None


class TenantScoped:
    """Base of the repositories that only ever see one tenant's rows."""

    def __init__(self, session: Session, tenant_id: str) -> None:
        self.s = session
        self.tenant_id = tenant_id
