"""Inserts a transaction only writes (money rows, outbox events, audit entries), sent together.

On PostgreSQL the rows are queued in the session and go out in one pipeline — one round trip for
all of them — right before the session's next statement, or before its commit. Any statement a
session executes, reads included, sends the queue first, so a query never misses a queued row (the ORM's
pending objects are flushed before it, as foreign keys need). On SQLite, whose statements cost no
round trip, each insert runs at once.

A unique or foreign-key violation in the queue surfaces, as SQLAlchemy's IntegrityError, from the
statement or commit that sent it.

`txn_queue` is the lifetime every such queue shares (these rows, and the audit entries and outbox
events the records repository chains at commit): the list lives in the session for the current
transaction and is dropped by any rollback of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import psycopg
from sqlalchemy import Executable, Table, bindparam, event, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

QUEUED = "returnflow.queued_rows"

# session.info keys of the lists `txn_queue` hands out.
_QUEUE_KEYS: set[str] = set()


def txn_queue(session: Session, key: str) -> list[Any]:
    """A list (under `key` in session.info) of writes queued for the current transaction.

    The transaction is begun here, so that any rollback of it drops the list — even one that
    came before anything reached the database, when no database rollback happens. Whoever queues
    is responsible for sending the list before commit.
    """
    _QUEUE_KEYS.add(key)
    session.connection()
    queue: list[Any] = session.info.setdefault(key, [])
    return queue


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) in the session's transaction, queued on PostgreSQL."""
    if rows:
        run_queued(session, _insert(table, tuple(rows[0])), rows)


def run_queued(session: Session, stmt: Executable, rows: Sequence[dict[str, Any]]) -> None:
    """Run a write whose outcome nobody reads (a statement built once, with bind parameters) once
    per row in `rows`: queued on PostgreSQL, at once on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(stmt, list(rows))
        return
    txn_queue(session, QUEUED).append((stmt, rows))


def send_queued(session: Session) -> None:
    """Send what was queued: the ORM's pending objects first, then the rows, in one round trip."""
    queued: list[tuple[Executable, Sequence[dict[str, Any]]]] | None = session.info.pop(QUEUED, None)
    if not queued:
        return
    session.flush()
    dialect = session.get_bind().dialect
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    try:
        with driver.pipeline(), driver.cursor() as cursor:
            for stmt, rows in queued:
                sql, processors = _compiled(stmt, dialect)
                cursor.executemany(sql, [_bound(row, processors) for row in rows])
    except psycopg.IntegrityError as err:
        raise IntegrityError("queued writes", None, err) from err


def _bound(row: dict[str, Any], processors: dict[str, Callable[[Any], Any]]) -> dict[str, Any]:
    if not processors:
        return row
    return {k: (processors[k](v) if k in processors else v) for k, v in row.items()}


@cache
def _insert(table: Table, keys: tuple[str, ...]) -> Executable:
    return insert(table).values({k: bindparam(k) for k in keys})


@cache
def _compiled(stmt: Executable, dialect: Dialect) -> tuple[str, dict[str, Callable[[Any], Any]]]:
    """The statement's text in the driver's parameter style, and the bind processors (JSON's
    wrapping, the UTC datetimes) SQLAlchemy itself would apply to its parameters."""
    compiled = stmt.compile(dialect=dialect)  # type: ignore[attr-defined]
    return str(compiled), dict(compiled._bind_processors)


@event.listens_for(Session, "do_orm_execute")
def _before_statement(state: ORMExecuteState) -> None:
    """Every statement of a session sends its queued rows first, so it sees them."""
    if QUEUED in state.session.info:
        send_queued(state.session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    """A commit sends what is still queued (the audit chain's last rows, typically)."""
    send_queued(session)


@event.listens_for(Session, "after_soft_rollback")
def _drop_queues(session: Session, previous: SessionTransaction) -> None:
    """Writes queued by a rolled-back transaction must never be sent by the session's next one."""
    if previous.parent is None:
        for key in _QUEUE_KEYS:
            session.info.pop(key, None)
