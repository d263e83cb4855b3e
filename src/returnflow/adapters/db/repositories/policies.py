"""A tenant's policy versions and reason catalogue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select

from returnflow.adapters.db.repositories.base import TenantScoped
from returnflow.adapters.db.repositories.routing import NETWORK_STATE, network_state_columns
from returnflow.adapters.db.row_queue import fetch_all
from returnflow.adapters.db.tables import PolicyVersion, ReturnReason

# Built once (constructing them costs more than running their cached compiled form): the highest
# version, and with it every active reason code and the routing network's state — a return
# request prices routing next.
_LATEST = select(func.max(PolicyVersion.version)).where(PolicyVersion.tenant_id == bindparam("tenant_id"))
_IN_FORCE = select(
    _LATEST.scalar_subquery(), ReturnReason.code, *network_state_columns(bindparam("tenant_id"))
).where(ReturnReason.tenant_id == bindparam("tenant_id"), ReturnReason.active.is_(True))


class PolicyRepository(TenantScoped):
    """Versions of the tenant's policy and its reason catalogue."""

    def latest(self) -> PolicyVersion | None:
        """The version in force (the highest)."""
        return self.s.scalars(
            select(PolicyVersion)
            .where(PolicyVersion.tenant_id == self.tenant_id)
            .order_by(PolicyVersion.version.desc())
            .limit(1)
        ).first()

    def in_force(self) -> tuple[int | None, frozenset[str]]:
        """The version in force and the active reason codes, in one round trip (kept for the transaction)."""
        memo: tuple[int | None, frozenset[str]] | None = self.memo.get("policy_in_force")
        if memo is not None:
            return memo
        rows = fetch_all(self.s, _IN_FORCE, {"tenant_id": self.tenant_id})
        if rows:
            self.memo[NETWORK_STATE] = tuple(rows[0][2:])
        version = rows[0][0] if rows else self.s.scalar(_LATEST, {"tenant_id": self.tenant_id})
        found = self.memo["policy_in_force"] = (version, frozenset(str(row[1]) for row in rows))
        return found

    def version(self, version: int) -> PolicyVersion | None:
        """One saved version."""
        return self.s.get(PolicyVersion, (self.tenant_id, version))

    def add(self, **fields: Any) -> PolicyVersion:
        """Save a new version."""
        row = PolicyVersion(tenant_id=self.tenant_id, **fields)
        self.s.add(row)
        self.memo.pop("policy_in_force", None)
        return row

    def reasons(self) -> Sequence[ReturnReason]:
        """Active reasons, in display order."""
        return self.s.scalars(
            select(ReturnReason)
            .where(ReturnReason.tenant_id == self.tenant_id, ReturnReason.active.is_(True))
            .order_by(ReturnReason.position)
        ).all()

    def add_reason(self, **fields: Any) -> None:
        """Add a reason to the catalogue."""
        self.s.add(ReturnReason(tenant_id=self.tenant_id, active=True, **fields))
        self.memo.pop("policy_in_force", None)
