"""Hash chaining of audit entries: each entry's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def entry_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and the canonical JSON of the entry's content."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainedEntry:
    """One stored audit entry as the verifier sees it."""

    seq: int
    prev_hash: str
    hash: str
    content: Mapping[str, Any]


@dataclass(frozen=True)
class ChainBreak:
    """The first entry where the chain does not hold, and why."""

    seq: int
    problem: str


def verify_chain(entries: Iterable[ChainedEntry]) -> tuple[int, ChainBreak | None]:
    """Walk entries in seq order; return (entries checked, first break or None)."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for entry in entries:
        if entry.seq != expected_seq:
            return checked, ChainBreak(entry.seq, f"sequence gap: expected {expected_seq}")
        if entry.prev_hash != expected_prev:
            return checked, ChainBreak(entry.seq, "previous-hash link broken")
        if entry_hash(entry.prev_hash, entry.content) != entry.hash:
            return checked, ChainBreak(entry.seq, "content does not match its hash")
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    return checked, None


def audit_content(
    seq: int, at: datetime, actor: str, action: str, entity_type: str, entity_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    """What an entry's hash covers (also rebuilt by the verifier from stored columns)."""
    return {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "data": data,
    }
