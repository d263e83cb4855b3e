"""Finance views of the ledger: balances per account, and verification of its invariants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from returnflow.domain.ledger import CHART, Account, Posting, balances, posting_problems
from returnflow.services.access import Actor

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import Database, UnitOfWork


@dataclass(frozen=True)
class LedgerReport:
    """Result of verifying one tenant's ledger: `violations` is empty when everything holds."""

    tenant_slug: str
    entries: int
    postings: int
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the ledger balances and no order is over-credited."""
        return not self.violations


def _balances(uow: UnitOfWork) -> list[dict[str, Any]]:
    postings = [Posting(a, side, total, cur) for a, cur, side, total in uow.ledger.balances()]
    out = []
    for (account, currency), balance in sorted(balances(postings).items()):
        kind, normal = CHART[Account(account)] if account in CHART else ("unknown", "debit")
        debits = sum(
            p.amount for p in postings if (p.account, p.currency, p.side) == (account, currency, "debit")
        )
        credits = sum(
            p.amount for p in postings if (p.account, p.currency, p.side) == (account, currency, "credit")
        )
        out.append(
            {
                "account": account,
                "type": kind,
                "normal_side": normal,
                "currency": currency,
                "debits": debits,
                "credits": credits,
                "balance": balance,
            }
        )
    return out


def account_balances(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """Each account's debits, credits and balance (on its normal side), per currency."""
    actor.require("ledger.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        return _balances(uow)


def _verify_tenant(uow: UnitOfWork, slug: str) -> LedgerReport:
    violations: list[str] = []
    entries = postings = 0
    seen: set[str] = set()
    for entry_id, rows in uow.ledger.entries_with_postings():
        entries += 1
        postings += len(rows)
        seen.add(entry_id)
        problems = posting_problems(Posting(p.account, p.side, p.amount, p.currency) for p in rows)
        violations.extend(f"entry {entry_id}: {problem}" for problem in problems)
    for entry_id in sorted(uow.ledger.entry_ids() - seen):
        violations.append(f"entry {entry_id}: has no postings")
    for order_id, line_id, paid, credited in uow.ledger.over_allocated_lines():
        violations.append(
            f"order {order_id} line {line_id}: credited {credited} but only {paid} was paid (over-credited)"
        )
    for return_id, credited, instructed in uow.ledger.refunds_beyond_credit():
        violations.append(
            f"return {return_id}: refunds of {instructed} instructed for a refund credit of {credited}"
        )
    return LedgerReport(slug, entries, postings, violations)


def verify(db: Database, tenant_slugs: list[str] | None = None) -> list[LedgerReport]:
    """Check each tenant's ledger (all tenants when none are named): balanced, nothing over-credited."""
    reports = []
    with db.uow(readonly=True) as uow:
        tenants = [t for t in uow.tenants.all() if not tenant_slugs or t.slug in tenant_slugs]
        for tenant in tenants:
            uow.set_tenant(tenant.id)
            reports.append(_verify_tenant(uow, tenant.slug))
    return reports
