"""The pure KPI calculations: percentiles, rates, hours, and the figures of a period from its facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from returnflow.domain.kpis import (
    CurrencyMoney,
    PeriodFacts,
    ReasonUnits,
    RecoveryTotal,
    RefundTotal,
    ReturnTimes,
    StatusTally,
    compute,
    percentile,
    rate,
    rfc3339,
    summarize_hours,
)
from returnflow.domain.periods import Period

T0 = datetime(2026, 3, 1, tzinfo=UTC)
PERIOD = Period(T0, T0 + timedelta(days=31))


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([7.0], 0.5, 7.0),  # one element is every percentile
        ([7.0], 0.9, 7.0),
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5),  # even count: halfway between the middle two
        ([4.0, 1.0, 3.0, 2.0], 0.9, 3.7),  # order does not matter; rank 2.7 → 3 + 0.7 × (4 − 3)
        ([1.0, 2.0, 3.0], 0.5, 2.0),  # odd count: the middle one
        ([5.0, 5.0, 5.0, 9.0], 0.5, 5.0),  # ties
        ([2.0, 2.0, 8.0, 8.0], 0.5, 5.0),
        ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9, 9.1),
        ([3.0, 1.0], 0.0, 1.0),  # the ends are the minimum and the maximum
        ([3.0, 1.0], 1.0, 3.0),
    ],
)
def test_percentile_interpolates_between_the_closest_ranks(values, p, expected):
    assert percentile(values, p) == pytest.approx(expected)


def test_percentile_of_nothing_is_none_and_p_must_be_a_fraction():
    assert percentile([], 0.5) is None
    with pytest.raises(ValueError):
        percentile([1.0], 50)


def test_rate_rounds_to_four_decimals_and_is_none_over_nothing():
    assert rate(1, 3) == 0.3333
    assert rate(2, 3) == 0.6667
    assert rate(0, 5) == 0.0
    assert rate(5, 0) is None
    assert rate(-150, 1000) == -0.15


def test_hours_summary_from_seconds():
    s = summarize_hours([3600, 7200, 10800, 36000])
    assert (s.p50, s.p90, s.count) == (2.5, 7.9, 4)  # p90: rank 2.7 → 3 h + 0.7 × 7 h
    one = summarize_hours([5400])
    assert one.as_dict() == {"p50": 1.5, "p90": 1.5, "count": 1}
    assert summarize_hours([]).as_dict() == {"p50": None, "p90": None, "count": 0}
    assert summarize_hours([1000]).p50 == 0.28  # 0.2777… hours, rounded to 2 decimals


def test_instants_are_written_in_utc_with_z():
    assert rfc3339(T0) == "2026-03-01T00:00:00Z"


def _facts(**over):
    facts = {
        "period": PERIOD,
        "statuses": [],
        "orders": 0,
        "units_sold": 0,
        "times": [],
        "reasons": [],
        "recovery": [],
        "refunds": [],
        "reason_labels": {},
    }
    facts.update(over)
    return PeriodFacts(**facts)


def test_an_empty_period_gives_zeros_and_nulls():
    k = compute(_facts()).as_dict()
    assert k["from"] == "2026-03-01T00:00:00Z" and k["to"] == "2026-04-01T00:00:00Z"
    assert k["returns"] == 0 and set(k["by_status"].values()) == {0} and len(k["by_status"]) == 11
    assert k["approval_rate"] is None and k["return_rate"] is None and k["keep_it_share"] is None
    assert k["time_to_credit_hours"] == {"p50": None, "p90": None, "count": 0}
    assert k["value_recovery"] == [] and k["value_recovery_rate"] is None
    assert k["refunded"] == [] and k["top_reasons"] == []


def test_counts_rates_and_durations_of_a_period():
    h = timedelta(hours=1)
    facts = _facts(
        statuses=[
            StatusTally("approved", "drop_off", 3, 4),
            StatusTally("completed", "keep_it", 1, 1),
            StatusTally("inspected", "drop_off", 1, 2),
            StatusTally("rejected", None, 1, 5),
            StatusTally("pending_review", None, 2, 2),
            StatusTally("cancelled", "drop_off", 1, 3),
        ],
        orders=4,
        units_sold=20,
        times=[
            ReturnTimes("approved", T0, T0, None, None),  # credited at once
            ReturnTimes("approved", T0, T0 + 10 * h, None, None),
            ReturnTimes("inspected", T0, T0 + 50 * h, T0 + 40 * h, T0 + 46 * h),
            # Received and one line inspected, but not every line yet: no dwell.
            ReturnTimes("received", T0, None, T0 + 30 * h, T0 + 31 * h),
            ReturnTimes("rejected", T0, None, None, None),
        ],
        reasons=[
            ReasonUnits("changed_mind", 2),
            ReasonUnits("defective", 4),
            ReasonUnits("wrong_item", 1),
            ReasonUnits("other", 0),
        ],
        recovery=[RecoveryTotal("USD", 3000, 12000)],
        refunds=[RefundTotal("USD", 15800, 2), RefundTotal("EUR", 900, 1)],
        reason_labels={"defective": "Defective"},
    )
    k = compute(facts).as_dict()
    assert k["returns"] == 9
    assert k["by_status"]["approved"] == 3 and k["by_status"]["pending_review"] == 2
    assert k["approval_rate"] == 0.8333  # 5 approved or further of 6 decided (cancelled left out)
    assert (k["orders"], k["units_sold"], k["units_returned"]) == (4, 20, 9)  # rejected, cancelled left out
    assert k["return_rate"] == 0.45
    assert k["time_to_credit_hours"] == {"p50": 10.0, "p90": 42.0, "count": 3}
    assert k["time_to_receive_hours"] == {"p50": 35.0, "p90": 39.0, "count": 2}
    assert k["dwell_hours"] == {"p50": 6.0, "p90": 6.0, "count": 1}
    assert k["value_recovery"] == [{"currency": "USD", "recovered": 3000, "value": 12000, "rate": 0.25}]
    assert k["value_recovery_rate"] == 0.25
    assert k["refunded"] == [
        {"currency": "EUR", "amount": 900, "count": 1},
        {"currency": "USD", "amount": 15800, "count": 2},
    ]
    assert (k["keep_it_returns"], k["keep_it_share"]) == (1, 0.1111)
    assert k["top_reasons"] == [
        {"reason": "defective", "label": "Defective", "units": 4, "share": 0.4444},
        {"reason": "changed_mind", "label": "Changed mind", "units": 2, "share": 0.2222},
        {"reason": "wrong_item", "label": "Wrong item", "units": 1, "share": 0.1111},
    ]


def test_recovery_in_several_currencies_has_no_single_rate_and_reasons_stop_at_ten():
    facts = _facts(
        recovery=[RecoveryTotal("USD", 500, 1000), RecoveryTotal("EUR", 100, 0)],
        statuses=[StatusTally("approved", None, 12, 78)],
        reasons=[ReasonUnits(f"r{i:02}", i) for i in range(1, 13)],
    )
    k = compute(facts).as_dict()
    assert [v["currency"] for v in k["value_recovery"]] == ["EUR", "USD"]
    assert k["value_recovery"][0]["rate"] is None and k["value_recovery"][1]["rate"] == 0.5
    assert k["value_recovery_rate"] is None
    assert [r["reason"] for r in k["top_reasons"]] == [f"r{i:02}" for i in range(12, 2, -1)]
    # Equal units: the reason code decides, so the order is stable.
    tied = compute(_facts(reasons=[ReasonUnits("b", 2), ReasonUnits("a", 2)])).as_dict()
    assert [r["reason"] for r in tied["top_reasons"]] == ["a", "b"]


def test_money_by_currency_puts_refunds_and_recovery_side_by_side():
    facts = _facts(
        refunds=[RefundTotal("USD", 15800, 2), RefundTotal("EUR", 900, 1)],
        recovery=[RecoveryTotal("USD", 600, 1000), RecoveryTotal("JPY", 50, 200)],
    )
    assert compute(facts).money_by_currency() == [
        CurrencyMoney("EUR", refunded=900, refunds=1, recovered=None, value=None, recovery_rate=None),
        CurrencyMoney("JPY", refunded=None, refunds=0, recovered=50, value=200, recovery_rate=0.25),
        CurrencyMoney("USD", refunded=15800, refunds=2, recovered=600, value=1000, recovery_rate=0.6),
    ]
    assert compute(_facts()).money_by_currency() == []
