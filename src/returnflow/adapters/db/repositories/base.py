"""The base of tenant-scoped repositories and opaque keyset cursors."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, String, Table, any_, bindparam, event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session, make_transient_to_detached

from returnflow.adapters.db.compiled import constant_default

_TXN_KEY = "returnflow_txn"


def txn_memo(session: Session) -> dict[str, Any]:
    """What the current transaction itself created or locked, so it is not read back again.

    Rows inserted or locked by this transaction cannot change under it, so repositories answer
    from here instead of a round trip. Forgotten at commit and rollback.
    """
    memo: dict[str, Any] = session.info.setdefault(_TXN_KEY, {})
    return memo


def column_defaults(table: Table) -> dict[str, Any]:
    """Every column of `table` with its value when an insert leaves it out (its default, else None).

    A row inserted by a Core statement and handed out as a session object (`stored`) must carry
    every column, or reading one would go back to the database.
    """
    return {column.key: constant_default(column) for column in table.c}


Stored = TypeVar("Stored")


def stored(session: Session, obj: Stored) -> Stored:
    """`obj` (every column set) attached to the session as a row that is already in the database:
    nothing is inserted for it, and changes made to it later are saved as updates."""
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_transaction(session: Session) -> None:
    session.info.pop(_TXN_KEY, None)


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

    def one_of(self, column: InstrumentedAttribute[Any], values: Sequence[str]) -> ColumnElement[bool]:
        """`column IN values` for a string column; on PostgreSQL `= ANY(array)`.

        One array parameter keeps the statement text the same for any number of values, so the
        driver parses it once and there is no limit on how many values one statement takes.
        """
        if self.s.get_bind().dialect.name == "postgresql":
            return column == any_(bindparam(None, list(values), type_=ARRAY(String)))
        return column.in_(list(values))

    @property
    def memo(self) -> dict[str, Any]:
        """The current transaction's memo (see `txn_memo`)."""
        return txn_memo(self.s)
