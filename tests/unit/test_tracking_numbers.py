"""Self-issued tracking numbers: check digits catch mistakes, and two returns never share a number."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from returnflow.adapters.labels.offline import OfflineCarrierLabels
from returnflow.domain import tracking_numbers as tn

RMA_CHARS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
rma_numbers = st.tuples(
    st.text(RMA_CHARS, min_size=4, max_size=4), st.text(RMA_CHARS, min_size=4, max_size=4)
).map(lambda p: f"RMA-{p[0]}-{p[1]}")


def test_known_luhn_check_digits() -> None:
    assert tn.check_digit("7992739871") == "3"  # the textbook Luhn example
    assert tn.compose(0) == "RF00000000000000"
    assert tn.is_valid("RF00000000000000")


@pytest.mark.parametrize(
    "bad", ["", "RF", "RF123", "rf00000000000000", "1F00000000000000", "RF0000000000000X", "RF00000000000001"]
)
def test_malformed_or_wrong_check_digit_is_invalid(bad: str) -> None:
    assert not tn.is_valid(bad)


def test_compose_refuses_what_does_not_fit() -> None:
    with pytest.raises(ValueError):
        tn.compose(10**13)
    with pytest.raises(ValueError):
        tn.compose(-1)
    with pytest.raises(ValueError):
        tn.compose(1, prefix="R1")


@given(st.integers(min_value=0, max_value=10**13 - 1), st.data())
def test_every_generated_number_is_valid_and_one_changed_digit_is_caught(
    serial: int, data: st.DataObject
) -> None:
    number = tn.compose(serial)
    assert tn.is_valid(number)
    pos = data.draw(st.integers(min_value=2, max_value=len(number) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != number[pos]]))
    assert not tn.is_valid(number[:pos] + digit + number[pos + 1 :])


@given(rma_numbers, rma_numbers)
def test_distinct_rma_numbers_never_share_a_tracking_number(a: str, b: str) -> None:
    ta, tb = tn.for_rma(a), tn.for_rma(b)
    assert ta is not None and tb is not None and tn.is_valid(ta)
    assert (ta == tb) == (a == b)


def test_offline_issuer_derives_from_the_rma_and_falls_back_above_that_range() -> None:
    issuer = OfflineCarrierLabels()
    assert issuer.issue_tracking_number("rf", "ground", "RMA-7K3Q-9X2M") == tn.for_rma("RMA-7K3Q-9X2M")
    fallback = issuer.issue_tracking_number("rf", "ground", "ORDER-1")
    assert tn.is_valid(fallback) and int(fallback[2:-1]) >= tn.RMA_SERIALS
    assert tn.for_rma("not an rma") is None
