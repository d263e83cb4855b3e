"""A tenant's inspection checklists and disposition tables: YAML versions, defaults until one is saved."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from returnflow.adapters.disposition import (
    default_disposition_tables,
    default_disposition_text,
    load_disposition_tables,
)
from returnflow.adapters.inspection import default_checklists, default_checklists_text, load_checklists
from returnflow.domain.disposition import DispositionEngine
from returnflow.domain.errors import NotFound
from returnflow.domain.inspection import Checklists
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import Database, UnitOfWork

CHECKLISTS = "checklists"
DISPOSITION = "disposition"
KINDS = (CHECKLISTS, DISPOSITION)
_LOADERS: dict[str, Callable[[str], Any]] = {
    CHECKLISTS: load_checklists,
    DISPOSITION: load_disposition_tables,
}
_DEFAULT_TEXT: dict[str, Callable[[], str]] = {
    CHECKLISTS: default_checklists_text,
    DISPOSITION: default_disposition_text,
}
# Versions never change once saved, so what they compile to is cached per (tenant, kind, version).
_cache: dict[tuple[str, str, int], Any] = {}
_lock = threading.Lock()
_default_engine: list[DispositionEngine] = []


def _compiled(uow: UnitOfWork, kind: str) -> Any | None:
    row = uow.floor.latest_document(kind)
    if row is None:
        return None
    key = (uow.tenant_id, kind, row.version)
    found = _cache.get(key)
    if found is None:
        loaded = _LOADERS[kind](row.document)
        found = DispositionEngine(loaded) if kind == DISPOSITION else loaded
        with _lock:
            _cache[key] = found
    return found


def checklists_in_force(uow: UnitOfWork) -> Checklists:
    """The tenant's checklists (the packaged defaults until it saves its own)."""
    found = _compiled(uow, CHECKLISTS)
    return found if found is not None else default_checklists()


def engine_in_force(uow: UnitOfWork) -> DispositionEngine:
    """The disposition engine over the tenant's tables (the packaged defaults until it saves its own)."""
    found = _compiled(uow, DISPOSITION)
    if found is not None:
        engine: DispositionEngine = found
        return engine
    if not _default_engine:
        with _lock:
            if not _default_engine:
                _default_engine.append(DispositionEngine(default_disposition_tables()))
    return _default_engine[0]


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise NotFound(f"no floor document {kind!r}; one of {', '.join(KINDS)}", code="not_found")
    return kind


def save_document(db: Database, clock: Clock, actor: Actor, kind: str, text: str) -> dict[str, Any]:
    """Validate (every problem listed at once) and store a new version of a floor document."""
    actor.require("floor.configure")
    _LOADERS[_kind(kind)](text)
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        latest = uow.floor.latest_document(kind)
        version = (latest.version if latest else 0) + 1
        uow.floor.add_document(
            kind=kind, version=version, document=text, created_at=now, created_by=actor.label
        )
        record(
            uow,
            actor,
            now,
            f"floor.{kind}_saved",
            "floor_document",
            f"{kind}:{version}",
            {"version": version},
        )
        uow.commit()
    return {"kind": kind, "version": version, "created_at": now}


def current_document(db: Database, actor: Actor, kind: str) -> dict[str, Any]:
    """The document in force: its version (0 = the packaged default) and YAML text."""
    actor.require("floor.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        row = uow.floor.latest_document(_kind(kind))
        if row is None:
            return {"kind": kind, "version": 0, "document": _DEFAULT_TEXT[kind]()}
        return {"kind": kind, "version": row.version, "document": row.document}
