"""Reversing entries, as pure domain: balanced, and undoing exactly what the original posted."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from returnflow.domain.credits import CreditBasis, ReturnedLine, settle
from returnflow.domain.ledger import balances, posting_problems, trial_balance
from returnflow.domain.reversal import reversing_entry

amounts = st.integers(min_value=0, max_value=10**9)


@st.composite
def bases(draw: st.DrawFn) -> CreditBasis:
    lines = tuple(ReturnedLine(f"l{i}", draw(amounts), draw(amounts)) for i in range(draw(st.integers(1, 4))))
    return CreditBasis(
        resolution=draw(st.sampled_from(["refund", "store_credit", "exchange"])),
        currency=draw(st.sampled_from(["USD", "EUR", "JPY"])),
        lines=lines,
        fees_total=draw(amounts),
        bonus=draw(amounts),
        replacement_value=draw(st.none() | amounts),
    )


@given(bases())
def test_a_reversal_is_balanced_and_brings_every_account_back_to_zero(basis: CreditBasis) -> None:
    settlement = settle(basis)
    if settlement.entry is None:
        return
    original = settlement.entry.postings
    undo = reversing_entry(original).postings
    assert posting_problems(undo) == []
    assert set(trial_balance(undo).values()) == {0}
    assert sorted((p.account, p.amount) for p in undo) == sorted((p.account, p.amount) for p in original)
    assert all(p.side != q.side for p, q in zip(original, undo, strict=True))
    assert set(balances([*original, *undo]).values()) == {0}


@given(st.lists(bases(), min_size=1, max_size=6), st.data())
def test_reversing_some_entries_leaves_the_balances_of_the_others(
    many: list[CreditBasis], data: st.DataObject
) -> None:
    entries = [s.entry for s in map(settle, many) if s.entry is not None]
    reversed_ = [data.draw(st.booleans()) for _ in entries]
    postings = [p for e in entries for p in e.postings]
    postings += [
        p for e, r in zip(entries, reversed_, strict=True) if r for p in reversing_entry(e.postings).postings
    ]
    kept = [p for e, r in zip(entries, reversed_, strict=True) if not r for p in e.postings]
    assert {k: v for k, v in balances(postings).items() if v} == {
        k: v for k, v in balances(kept).items() if v
    }
    assert set(trial_balance(postings).values()) <= {0}
