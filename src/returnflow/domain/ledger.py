"""Double-entry ledger: the chart of accounts, balanced entries, balances and invariant checks.

Every money movement of a return is one entry whose postings balance per currency (debits equal
credits, integer minor units). The chart, from the merchant's point of view:

| account                    | type           | grows with | what it holds                                   |
|----------------------------|----------------|------------|-------------------------------------------------|
| `sales_returns`            | contra-revenue | debit      | revenue reversed for items taken back           |
| `customer_refunds_payable` | liability      | credit     | money owed back to the original payment         |
| `store_credit_liability`   | liability      | credit     | store credit the customer can spend             |
| `exchange_clearing`        | liability      | credit     | value held for a reserved replacement order     |
| `customer_receivable`      | asset          | debit      | price difference to charge for a dearer exchange|
| `fee_revenue`              | revenue        | credit     | return fees withheld from the credit            |
| `write_offs`               | expense        | debit      | value granted beyond what was paid (bonuses)    |
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from returnflow.domain.errors import ValidationFailed


class Account(StrEnum):
    """The accounts a return's credit posts to."""

    SALES_RETURNS = "sales_returns"
    CUSTOMER_REFUNDS_PAYABLE = "customer_refunds_payable"
    STORE_CREDIT_LIABILITY = "store_credit_liability"
    EXCHANGE_CLEARING = "exchange_clearing"
    CUSTOMER_RECEIVABLE = "customer_receivable"
    FEE_REVENUE = "fee_revenue"
    WRITE_OFFS = "write_offs"


# Account -> (type, normal side): a balance is reported positive on its normal side.
CHART: dict[Account, tuple[str, str]] = {
    Account.SALES_RETURNS: ("contra_revenue", "debit"),
    Account.CUSTOMER_REFUNDS_PAYABLE: ("liability", "credit"),
    Account.STORE_CREDIT_LIABILITY: ("liability", "credit"),
    Account.EXCHANGE_CLEARING: ("liability", "credit"),
    Account.CUSTOMER_RECEIVABLE: ("asset", "debit"),
    Account.FEE_REVENUE: ("revenue", "credit"),
    Account.WRITE_OFFS: ("expense", "debit"),
}

SIDES = ("debit", "credit")


class LedgerError(ValidationFailed):
    """An entry that would break the ledger (unbalanced, negative, unknown account)."""


@dataclass(frozen=True)
class Posting:
    """One line of an entry: `amount` minor units of `currency` on one side of one account."""

    account: str
    side: str
    amount: int
    currency: str


@dataclass(frozen=True)
class Entry:
    """A balanced set of postings (build it with `entry(...)`, which checks it)."""

    postings: tuple[Posting, ...]


def debit(account: Account, amount: int, currency: str) -> Posting:
    """A debit posting."""
    return Posting(account.value, "debit", amount, currency)


def credit(account: Account, amount: int, currency: str) -> Posting:
    """A credit posting."""
    return Posting(account.value, "credit", amount, currency)


def posting_problems(postings: Iterable[Posting]) -> list[str]:
    """What is wrong with a set of postings as one entry (empty when it is a sound entry)."""
    problems: list[str] = []
    net: dict[str, int] = defaultdict(int)
    count = 0
    for p in postings:
        count += 1
        if p.account not in CHART:
            problems.append(f"unknown account {p.account!r}")
        if p.side not in SIDES:
            problems.append(f"unknown side {p.side!r} on {p.account}")
        if not isinstance(p.amount, int) or isinstance(p.amount, bool) or p.amount <= 0:
            problems.append(f"{p.account}: amount must be a positive whole number of minor units")
            continue
        net[p.currency] += p.amount if p.side == "debit" else -p.amount
    if count < 2:
        problems.append("an entry needs at least two postings")
    for currency, diff in sorted(net.items()):
        if diff:
            problems.append(f"{currency}: debits and credits differ by {diff} minor units")
    return problems


def entry(postings: Iterable[Posting]) -> Entry:
    """A checked entry: zero-amount postings are dropped, the rest must balance per currency."""
    kept = tuple(p for p in postings if p.amount != 0)
    problems = posting_problems(kept)
    if problems:
        raise LedgerError(
            "the ledger entry does not balance: " + "; ".join(problems), code="unbalanced_entry"
        )
    return Entry(kept)


def balances(postings: Iterable[Posting]) -> dict[tuple[str, str], int]:
    """(account, currency) -> balance on the account's normal side."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    for p in postings:
        normal = CHART[Account(p.account)][1] if p.account in CHART else "debit"
        out[(p.account, p.currency)] += p.amount if p.side == normal else -p.amount
    return dict(out)


def trial_balance(postings: Iterable[Posting]) -> dict[str, int]:
    """Currency -> debits minus credits over all postings (0 everywhere in a sound ledger)."""
    out: dict[str, int] = defaultdict(int)
    for p in postings:
        out[p.currency] += p.amount if p.side == "debit" else -p.amount
    return dict(out)


def over_credited(paid: Mapping[str, int], credited: Mapping[str, int]) -> dict[str, int]:
    """Keys (order lines or orders) whose credited value exceeds what was paid -> the excess."""
    return {key: amount - paid.get(key, 0) for key, amount in credited.items() if amount > paid.get(key, 0)}
