"""Statements compiled once per dialect and run on the driver's own cursor.

On the request paths, SQLAlchemy's work around each execution (execution contexts, result objects,
the ORM's events and loading) cost three to four times the driver's own call for the small
statements there. A statement here is built once at import, compiled once per dialect, and run
with the bind and result processors SQLAlchemy itself would apply, so values go in and come out as
they do through the ORM (UTC datetimes, JSON, booleans on SQLite).

They are run by `row_queue`, which sends what the session still holds first — its queued rows and
the ORM's pending objects — so a statement never misses a write of its own transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Executable, String, bindparam, event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator

Processor = Callable[[Any], Any]


class _StringList(TypeDecorator[list[str]]):
    """A list of strings as one parameter: an array on PostgreSQL, JSON text elsewhere."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """An array of text on PostgreSQL."""
        return dialect.type_descriptor(ARRAY(String) if dialect.name == "postgresql" else String())

    def process_bind_param(self, value: list[str] | None, dialect: Dialect) -> Any:
        """The list as the dialect takes it."""
        if value is None or dialect.name == "postgresql":
            return value
        return json.dumps(list(value))


class OneOf(ColumnElement[bool]):
    """`column` is one of the strings in the list parameter `name`, whatever the list's length.

    IN lists are rendered per execution (one placeholder per value); this is one parameter, so the
    statement's text is fixed and compiles once: `= ANY(array)` on PostgreSQL, `IN json_each(…)`
    on SQLite.
    """

    type = Boolean()
    # A condition already: SQLite (no boolean type) must not have it compared to 1, which would
    # keep its index out of use.
    _is_implicitly_boolean = True
    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("values", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column = column
        self.values = bindparam(name, type_=_StringList())


@compiles(OneOf, "postgresql")
def _one_of_array(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.values, **kw)})"


@compiles(OneOf)
def _one_of_json(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    values = compiler.process(element.values, **kw)
    return f"{compiler.process(element.column, **kw)} IN (SELECT value FROM json_each({values}))"


@dataclass(frozen=True, slots=True)
class Compiled:
    """A statement's text in the driver's parameter style, with SQLAlchemy's value processors."""

    sql: str
    # Bind names in placeholder order for positional drivers (SQLite's `?`), None for named ones.
    positions: tuple[str, ...] | None
    binds: Mapping[str, Processor]
    # Values the statement carries itself (literals SQLAlchemy turned into parameters).
    constants: Mapping[str, Any]
    # One processor (or None) per result column; None when no column needs one.
    results: tuple[Processor | None, ...] | None

    def params(self, values: Mapping[str, Any]) -> Mapping[str, Any] | tuple[Any, ...]:
        """The driver's parameters for `values`, each through its bind processor."""
        if self.constants:
            values = {**self.constants, **values}
        binds = self.binds
        if binds:
            values = {k: (binds[k](v) if k in binds else v) for k, v in values.items()}
        if self.positions is None:
            return values
        return tuple(values[name] for name in self.positions)

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        """A result row with each column through its result processor."""
        if self.results is None:
            return tuple(raw)
        return tuple(v if p is None or v is None else p(v) for p, v in zip(self.results, raw, strict=True))


@cache
def compiled(stmt: Executable, dialect: Dialect) -> Compiled:
    """`stmt` compiled for `dialect` (once: statements are built once at import)."""
    c = stmt.compile(dialect=dialect)  # type: ignore[attr-defined]
    positions = tuple(c.positiontup) if c.positional else None
    results: tuple[Processor | None, ...] | None = None
    columns = getattr(c, "_result_columns", None)
    if columns:
        found = tuple(col.type._cached_result_processor(dialect, None) for col in columns)
        results = found if any(p is not None for p in found) else None
    constants = {
        name: (bp.callable() if bp.callable else bp.value) for name, bp in c.binds.items() if not bp.required
    }
    # An insert leaving out a column with a Python-side default: SQLAlchemy fills it per execution.
    for column in getattr(c, "insert_prefetch", ()):
        constants[column.key] = constant_default(column)
    return Compiled(str(c), positions, dict(c._bind_processors), constants, results)


def constant_default(column: Any) -> Any:
    """The value a column takes when an insert leaves it out (None without a default); only
    constant defaults, since nothing here runs SQLAlchemy's per-execution defaults."""
    default = column.default
    if default is None:
        return None
    if not default.is_scalar:
        raise ValueError(f"{column}: give it a value; only constant defaults are filled in here")
    return default.arg


def driver_connection(session: Session) -> Any:
    """The driver's connection of the session's transaction (which this begins, if need be).

    Kept for the transaction: asking the session each time cost more than most statements here.
    """
    found = session.info.get(_DRIVER)
    if found is None:
        found = session.info[_DRIVER] = session.connection().connection.driver_connection
    return found


def txn_cursor(session: Session) -> Any:
    """The one cursor of the transaction's driver connection that statements here use (their
    results are read at once)."""
    cursor = session.info.get(_CURSOR)
    if cursor is None:
        cursor = session.info[_CURSOR] = driver_connection(session).cursor()
    return cursor


# session.info keys of the transaction's driver connection and the one cursor statements here use.
_DRIVER = "returnflow.driver_connection"
_CURSOR = "returnflow.driver_cursor"


@event.listens_for(Session, "after_transaction_end")
def _forget_connection(session: Session, transaction: SessionTransaction) -> None:
    """A new transaction may run on another pooled connection."""
    if transaction.parent is None:
        session.info.pop(_DRIVER, None)
        cursor = session.info.pop(_CURSOR, None)
        if cursor is not None:
            cursor.close()


def execute_many(cursor: Any, c: Compiled, rows: Sequence[Mapping[str, Any]]) -> None:
    """Run a write once per row on a driver cursor (psycopg pipelines it inside a pipeline)."""
    cursor.executemany(c.sql, [c.params(row) for row in rows])
