"""A transaction's statements on the driver: writes queued and sent together, reads sent with them.

Writes a transaction only makes (the return and its lines, claims, money rows, outbox events,
audit entries) are queued in the session on PostgreSQL and go out in one pipeline — one round trip
for all of them — right before the session's next statement, or with its COMMIT. A read through
`fetch_all` rides in the same pipeline, after the rows queued before it, so it never misses one;
any other statement of the session sends the queue first. On SQLite, whose statements cost no
round trip, each write runs at once. Statements are compiled once (`compiled`).

Order with the ORM's own changes: the ORM's pending changes go out before a row is queued, so a
queued row may refer to anything in the session; the queue goes out before the ORM flushes, so the
ORM may change or refer to a queued row (a return inserted here and routed a moment later).

A unique or foreign-key violation in the queue surfaces, as SQLAlchemy's IntegrityError, from the
statement or commit that sent it.

`txn_queue` is the lifetime every such queue shares (these rows, and the audit entries and outbox
events the records repository chains at commit): the list lives in the session for the current
transaction and is dropped by any rollback of it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import psycopg
from sqlalchemy import Executable, Table, bindparam, event, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from returnflow.adapters.db.compiled import Compiled, compiled, driver_connection, execute_many, txn_cursor

QUEUED = "returnflow.queued_rows"
# Rows inserted by one statement at most (see `insert_rows`).
MULTI_ROW = 8

# session.info keys of the lists `txn_queue` hands out.
_QUEUE_KEYS: set[str] = set()


def txn_queue(session: Session, key: str) -> list[Any]:
    """A list (under `key` in session.info) of writes queued for the current transaction.

    The transaction is begun here, so that any rollback of it drops the list — even one that
    came before anything reached the database, when no database rollback happens. Whoever queues
    is responsible for sending the list before commit.
    """
    queue: list[Any] | None = session.info.get(key)
    if queue is None:  # the first of this transaction (a rollback drops the list with it)
        _QUEUE_KEYS.add(key)
        driver_connection(session)
        queue = session.info[key] = []
    return queue


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) in the session's transaction, queued on PostgreSQL.

    A few rows (a credit's postings, a transaction's audit entries) are one statement with a
    VALUES list, each count compiled once; more are one statement per row.
    """
    if not rows:
        return
    keys = tuple(rows[0])
    if 1 < len(rows) <= MULTI_ROW:
        numbered = {f"{k}_{i}": v for i, row in enumerate(rows) for k, v in row.items()}
        run_queued(session, _insert_many(table, keys, len(rows)), [numbered])
    else:
        run_queued(session, _insert(table, keys), rows)


def run_queued(session: Session, stmt: Executable, rows: Sequence[dict[str, Any]]) -> None:
    """Run a write whose outcome nobody reads (a statement built once, with bind parameters) once
    per row in `rows`: queued on PostgreSQL, at once on SQLite.

    The ORM's pending changes go out first, so a queued row may refer to anything the session
    holds; from then on the queue goes before the ORM's changes (see `_before_flush`), so the ORM
    may change or refer to a queued row.
    """
    session.flush()
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql":
        try:
            execute_many(txn_cursor(session), compiled(stmt, dialect), rows)
        except sqlite3.IntegrityError as err:
            raise IntegrityError("queued writes", None, err) from err
        return
    txn_queue(session, QUEUED).append((stmt, rows))


def fetch_all(session: Session, stmt: Executable, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Every row `stmt` (built once; see `compiled`) answers for `values`, after every write the
    session holds — on PostgreSQL in the same round trip as the rows queued before it."""
    c = compiled(stmt, session.get_bind().dialect)
    rows = send_queued(session, then=(c, c.params(values)))
    return [c.row(r) for r in rows] if c.results is not None else [tuple(r) for r in rows]


def fetch_one(session: Session, stmt: Executable, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The first row `stmt` answers for `values`, or None."""
    rows = fetch_all(session, stmt, values)
    return rows[0] if rows else None


def send_queued(
    session: Session, then: tuple[Compiled, Any] | None = None, *, commit: bool = False
) -> list[Any]:
    """Send everything the session holds for the database — the queued rows, then the ORM's
    changes — and with `then` (a compiled statement and its parameters), run it last and answer
    its rows; with `commit`, end with the COMMIT. When the ORM has nothing to send, all of it is
    one pipeline: one round trip."""
    if session.new or session.dirty or session.deleted:
        session.flush()  # the queue goes out first (`_before_flush`)
    return _send_rows(session, then, commit=commit)


def _send_rows(
    session: Session, then: tuple[Compiled, Any] | None = None, *, commit: bool = False
) -> list[Any]:
    """The queued rows, and `then` after them, in one pipeline; `then`'s rows. With `commit` (and
    rows to send), the pipeline ends with the transaction's COMMIT."""
    queued: list[tuple[Executable, Sequence[dict[str, Any]]]] | None = session.info.pop(QUEUED, None)
    if not queued and then is None:
        return []
    cursor = txn_cursor(session)
    if not queued:
        assert then is not None
        cursor.execute(then[0].sql, then[1])
        return list(cursor.fetchall())
    dialect = session.get_bind().dialect
    driver = driver_connection(session)
    assert isinstance(driver, psycopg.Connection)
    try:
        with driver.pipeline():
            for stmt, rows in queued:
                execute_many(cursor, compiled(stmt, dialect), rows)
            if then is not None:
                cursor.execute(then[0].sql, then[1])
            if commit:
                driver.commit()
    except psycopg.IntegrityError as err:
        raise IntegrityError("queued writes", None, err) from err
    return list(cursor.fetchall()) if then is not None else []


@cache
def _insert(table: Table, keys: tuple[str, ...]) -> Executable:
    return insert(table).values({k: bindparam(k) for k in keys})


@cache
def _insert_many(table: Table, keys: tuple[str, ...], count: int) -> Executable:
    rows = [{k: bindparam(f"{k}_{i}", type_=table.c[k].type) for k in keys} for i in range(count)]
    return insert(table).values(rows)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """The ORM's changes go after the queued rows: they may update or refer to them."""
    _send_rows(session)


@event.listens_for(Session, "do_orm_execute")
def _before_statement(state: ORMExecuteState) -> None:
    """Every statement of a session sends its queued rows first, so it sees them."""
    if QUEUED in state.session.info:
        send_queued(state.session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    """A commit sends what is still queued (the audit chain's last rows, typically), on PostgreSQL
    with the COMMIT in the same round trip — the audit head's lock is then held one round trip
    less. The session's own commit that follows finds the transaction ended and does nothing."""
    send_queued(session, commit=True)


@event.listens_for(Session, "after_soft_rollback")
def _drop_queues(session: Session, previous: SessionTransaction) -> None:
    """Writes queued by a rolled-back transaction must never be sent by the session's next one."""
    if previous.parent is None:
        for key in _QUEUE_KEYS:
            session.info.pop(key, None)
