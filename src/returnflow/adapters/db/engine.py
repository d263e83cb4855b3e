"""Engine creation: SQLite in WAL mode with synchronous=FULL and foreign keys; PostgreSQL via psycopg 3."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

READONLY_OPTION = "returnflow_readonly"
# A pooled connection idle for longer than this is pinged before use (a restarted server or a
# dropped socket is then replaced transparently); busy connections skip the round trip.
PING_AFTER_IDLE_SECONDS = 10.0


def make_engine(url: str, pool_size: int = 10) -> Engine:
    """An engine for `url`, configured for safe concurrent use."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; we issue BEGIN IMMEDIATE ourselves so
        # that a writer takes the lock up front instead of failing on upgrade mid-transaction.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size)
    event.listen(engine, "checkin", _mark_idle)
    event.listen(engine, "checkout", _idle_ping(engine))
    return engine


def _mark_idle(_dbapi_conn: Any, record: Any) -> None:
    if record is not None:
        record.info["idle_since"] = time.monotonic()


def _idle_ping(engine: Engine) -> Callable[[Any, Any, Any], None]:
    """`pool_pre_ping` for connections that sat idle only: one round trip saved per busy checkout."""

    def ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as err:  # any failure means the connection is unusable
            raise exc.DisconnectionError(str(err)) from err
        if not alive:
            raise exc.DisconnectionError("connection did not answer a ping")

    return ping_if_idle


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # autocommit at the driver; BEGIN is emitted in _sqlite_begin
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # Read-only units of work take no write lock, so page views never queue behind writers.
    if conn.get_execution_options().get(READONLY_OPTION):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


class WriteGate:
    """One SQLite writer at a time across threads and processes, queued by the kernel.

    SQLite's own busy handler makes a blocked writer sleep and retry with growing pauses, which
    under steady load starves some requests for hundreds of milliseconds. An exclusive `flock` on a
    file beside the database wakes the next writer as soon as the lock is free. Each acquisition
    opens its own file description, so threads of one process exclude each other too; a thread that
    already holds the gate passes straight through.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._held = threading.local()

    def __enter__(self) -> WriteGate:
        depth = getattr(self._held, "depth", 0)
        if depth == 0:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._held.fd = fd
        self._held.depth = depth + 1
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._held.depth -= 1
        if self._held.depth == 0:
            os.close(self._held.fd)  # closing the description releases the lock


def write_gate(engine: Engine) -> WriteGate | None:
    """The gate for a file-backed SQLite engine; None for PostgreSQL (row locks do the job there)."""
    if not is_sqlite(engine) or not engine.url.database or engine.url.database == ":memory:":
        return None
    return WriteGate(Path(f"{engine.url.database}.write-lock"))
