"""Who is acting (the actor behind an API key) and what each role may do."""

from __future__ import annotations

from dataclasses import dataclass

from returnflow.domain.errors import DomainError, NotFound

ROLES = ("admin", "specialist", "warehouse", "finance", "partner", "customer")

# Action -> roles allowed. Object-level checks (own customer, bound node) come on top.
PERMISSIONS: dict[str, frozenset[str]] = {
    "catalog.write": frozenset({"admin", "specialist"}),
    "catalog.read": frozenset({"admin", "specialist", "warehouse", "finance", "partner"}),
    "orders.write": frozenset({"admin", "specialist"}),
    "orders.read": frozenset({"admin", "specialist", "warehouse", "finance", "customer"}),
    "returns.create": frozenset({"admin", "specialist", "customer"}),
    "returns.read": frozenset(ROLES),
    "returns.decide": frozenset({"admin", "specialist"}),
    "returns.cancel": frozenset({"admin", "specialist", "customer"}),
    "policy.read": frozenset({"admin", "specialist"}),
    "policy.write": frozenset({"admin", "specialist"}),
    "audit.read": frozenset({"admin", "specialist", "finance"}),
    "credits.read": frozenset({"admin", "specialist", "finance", "customer"}),
    "credits.issue": frozenset({"admin", "finance"}),
    "ledger.read": frozenset({"admin", "finance"}),
    # The returns-center floor (node-bound keys act only at their node).
    "floor.receive": frozenset({"admin", "specialist", "warehouse"}),
    "floor.inspect": frozenset({"admin", "specialist", "warehouse"}),
    "floor.read": frozenset({"admin", "specialist", "warehouse", "finance", "partner"}),
    "floor.configure": frozenset({"admin", "specialist"}),
    "disposition.override": frozenset({"admin", "specialist"}),
    "inventory.read": frozenset({"admin", "specialist", "warehouse", "finance", "partner"}),
    "work_orders.write": frozenset({"admin", "specialist", "warehouse", "partner"}),
    "claims.read": frozenset({"admin", "specialist", "finance", "warehouse"}),
    "claims.write": frozenset({"admin", "specialist", "finance"}),
    "analytics.read": frozenset({"admin", "specialist", "finance"}),
}


class Forbidden(DomainError):
    """A valid actor asking for something its role may not do."""


@dataclass(frozen=True)
class Actor:
    """The caller: tenant, role and binding, plus a label for the audit log."""

    tenant_id: str
    role: str
    label: str
    node_code: str | None = None
    customer_email: str | None = None

    def require(self, action: str) -> None:
        """Raise Forbidden unless the role may perform `action`."""
        if self.role not in PERMISSIONS.get(action, frozenset()):
            what, verb = action.split(".")
            raise Forbidden(f"role '{self.role}' may not {verb} {what.replace('_', ' ')}", code="forbidden")

    def sees_customer(self, email: str) -> bool:
        """Customer keys only see their own customer's objects."""
        return self.customer_email is None or self.customer_email.lower() == email.lower()

    def sees_node(self, node_code: str | None) -> bool:
        """Node-bound keys only see objects headed to (or at) their node."""
        return self.node_code is None or self.node_code == node_code

    def ensure_visible(self, *, email: str, node_code: str | None, what: str) -> None:
        """Another customer's or node's object is reported as absent, never as forbidden."""
        if not self.sees_customer(email) or (
            self.role in ("warehouse", "partner") and not self.sees_node(node_code)
        ):
            raise NotFound(f"{what} not found", code="not_found")


SYSTEM = "system"


def system_actor(tenant_id: str, label: str = "cli") -> Actor:
    """The actor for CLI and scheduled work (full rights within one tenant)."""
    return Actor(tenant_id=tenant_id, role="admin", label=f"{SYSTEM}:{label}")
