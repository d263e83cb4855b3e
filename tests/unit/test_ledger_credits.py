"""The credit rules and the double-entry ledger, as pure domain (no database)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from returnflow.domain.credits import CreditBasis, ReturnedLine, settle
from returnflow.domain.ledger import (
    Account,
    LedgerError,
    Posting,
    balances,
    credit,
    debit,
    entry,
    over_credited,
    posting_problems,
    trial_balance,
)


def _basis(resolution: str, value: int, *, remaining: int | None = None, **kw: int | None) -> CreditBasis:
    line = ReturnedLine("l1", value, value if remaining is None else remaining)
    return CreditBasis(resolution=resolution, currency="USD", lines=(line,), **kw)  # type: ignore[arg-type]


def test_refund_withholds_fees_as_revenue():
    s = settle(_basis("refund", 5900, fees_total=595))
    assert s.amount_of("refund") == 5305 and s.amount_of("fee") == 595
    assert s.entry is not None
    b = balances(s.entry.postings)
    assert b[("sales_returns", "USD")] == 5900
    assert b[("customer_refunds_payable", "USD")] == 5305
    assert b[("fee_revenue", "USD")] == 595


def test_store_credit_adds_the_bonus_as_a_write_off():
    s = settle(_basis("store_credit", 5900, bonus=1000))
    assert s.amount_of("store_credit") == 6900 and s.amount_of("refund") == 0
    assert s.entry is not None
    assert balances(s.entry.postings)[("write_offs", "USD")] == 1000


def test_same_item_exchange_at_equal_value_charges_nothing_and_never_pays_the_bonus_as_cash():
    s = settle(_basis("exchange", 5900, bonus=1000))
    assert s.replacement_value == 5900 and s.charge == 0
    assert s.amount_of("exchange") == 5900 and s.amount_of("refund") == 0
    assert s.amount_of("store_credit") == 1000 and s.bonus_granted == 1000


def test_dearer_exchange_charges_the_difference_cheaper_one_refunds_it():
    dearer = settle(_basis("exchange", 5000, fees_total=500, replacement_value=8000))
    assert dearer.charge == 3500 and dearer.amount_of("refund") == 0
    assert dearer.entry is not None
    assert balances(dearer.entry.postings)[("customer_receivable", "USD")] == 3500
    cheaper = settle(_basis("exchange", 5000, bonus=300, replacement_value=2000))
    assert cheaper.charge == 0 and cheaper.amount_of("refund") == 3000
    assert cheaper.amount_of("exchange") == 2000 and cheaper.amount_of("store_credit") == 300
    bonus_helps = settle(_basis("exchange", 5000, bonus=1000, replacement_value=5500))
    assert bonus_helps.charge == 0 and bonus_helps.amount_of("store_credit") == 500


def test_fees_never_exceed_the_credited_value():
    s = settle(_basis("refund", 500, fees_total=595))
    assert s.fees_withheld == 500 and s.amount_of("refund") == 0


def test_a_line_already_credited_credits_nothing_more():
    assert settle(_basis("refund", 5900, remaining=0)).empty
    partial = settle(_basis("refund", 5900, remaining=2000))
    assert partial.items_credited == 2000 and partial.amount_of("refund") == 2000


def test_an_unbalanced_entry_is_refused():
    with pytest.raises(LedgerError):
        entry([debit(Account.SALES_RETURNS, 100, "USD"), credit(Account.FEE_REVENUE, 99, "USD")])
    mixed = [debit(Account.SALES_RETURNS, 100, "USD"), credit(Account.FEE_REVENUE, 100, "EUR")]
    assert len(posting_problems(mixed)) == 2
    assert posting_problems([Posting("petty_cash", "debit", 1, "USD"), credit(Account.FEE_REVENUE, 1, "USD")])


# --- properties over random sequences of returns of random orders ---------------------------------

order_lines = st.lists(
    st.tuples(st.integers(1, 5), st.integers(0, 50_000)), min_size=1, max_size=4
)  # (quantity, unit price)
return_step = st.tuples(
    st.sampled_from(["refund", "store_credit", "exchange"]),
    st.lists(st.tuples(st.integers(0, 3), st.integers(1, 5)), min_size=1, max_size=3),  # (line, qty)
    st.integers(0, 5_000),  # fees
    st.integers(0, 2_000),  # bonus
    st.one_of(st.none(), st.integers(0, 100_000)),  # replacement value of an exchange
)


@settings(max_examples=300, deadline=None)
@given(order_lines, st.lists(return_step, max_size=12))
def test_any_sequence_balances_and_never_credits_more_than_was_paid(lines, steps):
    paid = {f"l{i}": qty * price for i, (qty, price) in enumerate(lines)}
    credited: dict[str, int] = defaultdict(int)
    cash_out = 0
    ledger: list[Posting] = []
    for resolution, picks, fees, bonus, replacement in steps:
        # Returns may claim overlapping units (e.g. a cancelled-and-recreated return): the cap still holds.
        chosen = {f"l{i % len(lines)}": qty for i, qty in picks}
        returned = tuple(
            ReturnedLine(lid, lines[int(lid[1:])][1] * qty, paid[lid] - credited[lid])
            for lid, qty in chosen.items()
        )
        s = settle(CreditBasis(resolution, "USD", returned, fees, bonus, replacement))
        for lid, amount in s.allocations:
            credited[lid] += amount
        cash_out += s.amount_of("refund")
        if s.entry is not None:
            assert not posting_problems(s.entry.postings)
            ledger.extend(s.entry.postings)
            assert s.amount_of("refund") + s.amount_of("fee") <= s.items_credited
    assert all(v == 0 for v in trial_balance(ledger).values())
    assert over_credited(paid, credited) == {}
    assert cash_out <= sum(paid.values())
    assert balances(ledger).get(("sales_returns", "USD"), 0) == sum(credited.values())
