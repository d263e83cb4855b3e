"""Inventory: movements between condition buckets, balances folded from the ledger, never negative."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from returnflow.domain.disposition import PATHS
from returnflow.domain.errors import ValidationFailed
from returnflow.domain.inventory import (
    BUCKETS,
    PATH_BUCKET,
    Movement,
    StockKey,
    apply,
    balances_for,
    fold,
    landing_bucket,
)


def move(frm: str | None, to: str | None, qty: int = 1, node: str = "RC-1", sku: str = "TEE-1") -> Movement:
    """A movement with a generic reason and reference."""
    return Movement(node, sku, frm, to, qty, reason="test", reference="RMA-1")


def test_every_disposition_path_lands_in_a_bucket_or_leaves() -> None:
    assert set(PATH_BUCKET) == set(PATHS)
    assert landing_bucket("restock") == "sellable"
    assert landing_bucket("refurbish") == "refurbish_wip"
    assert landing_bucket("recycle") == "scrap"
    assert landing_bucket("return_to_vendor") is None
    with pytest.raises(ValidationFailed):
        landing_bucket("teleport")


def test_balances_fold_from_movements() -> None:
    ledger = [
        move(None, "quarantine", 3),
        move("quarantine", "refurbish_wip", 2),
        move("refurbish_wip", "sellable", 1),
        move(None, "sellable", 4, node="ST-9"),
    ]
    balances = fold(ledger)
    assert balances_for(balances, node="RC-1", sku="TEE-1") == {
        **dict.fromkeys(BUCKETS, 0),
        "quarantine": 1,
        "refurbish_wip": 1,
        "sellable": 1,
    }
    assert balances_for(balances, sku="TEE-1")["sellable"] == 5
    assert balances_for(balances, node="ST-9", sku="OTHER")["sellable"] == 0


def test_a_movement_below_zero_is_refused_and_changes_nothing() -> None:
    balances = fold([move(None, "open_box", 1)])
    before = dict(balances)
    with pytest.raises(ValidationFailed) as err:
        apply(balances, move("open_box", "liquidation", 2))
    assert err.value.code == "insufficient_stock"
    assert balances == before


@pytest.mark.parametrize(
    ("frm", "to", "qty", "field"),
    [
        ("sellable", "sellable", 1, "to_bucket"),
        (None, None, 1, "to_bucket"),
        ("shelf", "sellable", 1, "from_bucket"),
        (None, "sellable", 0, "quantity"),
        (None, "sellable", -2, "quantity"),
    ],
)
def test_an_invalid_movement_is_refused(frm: str | None, to: str | None, qty: int, field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        move(frm, to, qty)
    assert field in {p.field for p in err.value.problems}


buckets = st.sampled_from([None, *BUCKETS])
movements = st.builds(
    lambda node, sku, frm, to, qty: (node, sku, frm, to, qty),
    st.sampled_from(["RC-1", "ST-2"]),
    st.sampled_from(["A", "B"]),
    buckets,
    buckets,
    st.integers(1, 5),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(movements, max_size=60))
def test_balances_never_go_negative_and_equal_the_sum_of_accepted_movements(
    raw: list[tuple[str, str, str | None, str | None, int]],
) -> None:
    balances: dict[StockKey, int] = {}
    accepted: list[Movement] = []
    for node, sku, frm, to, qty in raw:
        if frm == to:
            continue
        m = Movement(node, sku, frm, to, qty, reason="p", reference="r")
        try:
            apply(balances, m)
        except ValidationFailed:
            continue
        accepted.append(m)
        assert all(q >= 0 for q in balances.values())
    expected: dict[StockKey, int] = {}
    for m in accepted:
        if m.source:
            expected[m.source] = expected.get(m.source, 0) - m.quantity
        if m.target:
            expected[m.target] = expected.get(m.target, 0) + m.quantity
    assert {k: v for k, v in balances.items() if v} == {k: v for k, v in expected.items() if v}
    assert fold(accepted) == balances
