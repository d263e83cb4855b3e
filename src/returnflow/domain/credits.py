"""What a return credits: refund, store credit (with bonus) or exchange, minus fees, capped by what was paid.

Rules (all amounts integer minor units of one currency):

- Each returned line credits its value (unit price × quantity), but never more than what is still
  uncredited of the order line it comes from (`remaining`): several returns of one order, however
  they interleave, never credit more than was paid for a line.
- Fees are withheld from that credited value (never more than it): they become fee revenue.
- `refund`: the rest goes back to the original payment. A policy bonus, if any, is store credit.
- `store_credit`: the rest plus the policy's bonus becomes store credit.
- `exchange`: a replacement is reserved. Its value is `replacement_value`, or, when the request
  names no replacement, the returned items' value (same item, equal value). The credited value pays
  for it first, then the bonus; what is left of the credited value is refunded, what is left of the
  bonus becomes store credit (a bonus never becomes cash), and what is still missing of the
  replacement's price is charged to the customer.
"""

from __future__ import annotations

from dataclasses import dataclass

from returnflow.domain.ledger import Account, Entry, credit, debit, entry

RESOLUTIONS = ("refund", "store_credit", "exchange")
CREDIT_KINDS = ("refund", "store_credit", "exchange", "fee")


@dataclass(frozen=True)
class ReturnedLine:
    """A returned line: its value in this return and what of its order line is still uncredited."""

    order_line_id: str
    value: int
    remaining: int


@dataclass(frozen=True)
class CreditBasis:
    """Everything the credit is computed from (the return's decision plus the order's credit history)."""

    resolution: str
    currency: str
    lines: tuple[ReturnedLine, ...]
    fees_total: int = 0
    bonus: int = 0
    replacement_value: int | None = None


@dataclass(frozen=True)
class CreditLine:
    """One credit to the customer (or a fee withheld), as finance sees it."""

    kind: str
    amount: int


@dataclass(frozen=True)
class Settlement:
    """The credits of one return and the balanced ledger entry that records them."""

    currency: str
    credits: tuple[CreditLine, ...]
    allocations: tuple[tuple[str, int], ...]
    entry: Entry | None
    items_credited: int
    fees_withheld: int
    bonus_granted: int
    replacement_value: int
    charge: int

    @property
    def empty(self) -> bool:
        """Nothing to credit (e.g. the order lines were already fully credited)."""
        return self.entry is None

    def amount_of(self, kind: str) -> int:
        """Total of the credits of one kind."""
        return sum(c.amount for c in self.credits if c.kind == kind)


def settle(basis: CreditBasis) -> Settlement:
    """Compute the credits and the ledger entry of one return; deterministic, no I/O."""
    if basis.resolution not in RESOLUTIONS:
        raise ValueError(f"unknown resolution {basis.resolution!r}")
    if basis.fees_total < 0 or basis.bonus < 0 or any(ln.value < 0 for ln in basis.lines):
        raise ValueError("amounts must not be negative")
    cur = basis.currency
    allocations = tuple((ln.order_line_id, max(min(ln.value, ln.remaining), 0)) for ln in basis.lines)
    items = sum(amount for _, amount in allocations)
    if items == 0:
        return Settlement(cur, (), allocations, None, 0, 0, 0, 0, 0)
    fees = min(basis.fees_total, items)
    net = items - fees
    refund = store_credit = exchange = bonus_used = charge = replacement = 0
    if basis.resolution == "refund":
        refund, store_credit, bonus_used = net, basis.bonus, basis.bonus
    elif basis.resolution == "store_credit":
        store_credit, bonus_used = net + basis.bonus, basis.bonus
    else:
        replacement = items if basis.replacement_value is None else max(basis.replacement_value, 0)
        # Credited value first, so a bonus never turns into cash; then the bonus; the rest is charged.
        cash_used = min(net, replacement)
        bonus_toward = min(basis.bonus, replacement - cash_used)
        exchange = cash_used + bonus_toward
        refund = net - cash_used
        charge = replacement - exchange
        store_credit, bonus_used = basis.bonus - bonus_toward, basis.bonus
    postings = [
        debit(Account.SALES_RETURNS, items, cur),
        debit(Account.WRITE_OFFS, bonus_used, cur),
        debit(Account.CUSTOMER_RECEIVABLE, charge, cur),
        credit(Account.FEE_REVENUE, fees, cur),
        credit(Account.CUSTOMER_REFUNDS_PAYABLE, refund, cur),
        credit(Account.STORE_CREDIT_LIABILITY, store_credit, cur),
        credit(Account.EXCHANGE_CLEARING, exchange + charge, cur),
    ]
    credits = tuple(
        CreditLine(kind, amount)
        for kind, amount in (
            ("exchange", exchange),
            ("refund", refund),
            ("store_credit", store_credit),
            ("fee", fees),
        )
        if amount > 0 or (kind == "exchange" and basis.resolution == "exchange")
    )
    return Settlement(
        currency=cur,
        credits=credits,
        allocations=allocations,
        entry=entry(postings),
        items_credited=items,
        fees_withheld=fees,
        bonus_granted=bonus_used,
        replacement_value=replacement,
        charge=charge,
    )
