"""Reporting periods: dates and RFC 3339 timestamps, defaults, and every bad input named by its field."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from returnflow.domain.errors import ValidationFailed
from returnflow.domain.periods import MAX_DAYS, Days, Period, parse_days, parse_period

NOW = datetime(2026, 3, 15, 12, 30, tzinfo=UTC)


def test_dates_are_midnight_utc_and_timestamps_keep_their_instant():
    p = parse_period("2026-03-01", "2026-03-15", NOW)
    assert p == Period(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 15, tzinfo=UTC))
    p = parse_period("2026-03-01T02:00:00+02:00", "2026-03-02T00:00:00.5Z", NOW)
    assert p.start == datetime(2026, 3, 1, tzinfo=UTC)
    assert p.end == datetime(2026, 3, 2, 0, 0, 0, 500000, tzinfo=UTC)
    assert p.start.tzinfo is UTC and p.end.tzinfo is UTC
    # An unencoded "+" in a query string arrives as a space.
    assert parse_period("2026-03-01T05:30:00 05:30", "2026-03-02", NOW).start == p.start
    assert parse_period(" 2026-03-01t00:00:00z ", "2026-03-02", NOW).start == p.start


def test_defaults_are_the_thirty_days_up_to_now():
    assert parse_period(None, None, NOW) == Period(NOW - timedelta(days=30), NOW)
    assert parse_period("", " ", NOW) == Period(NOW - timedelta(days=30), NOW)
    assert parse_period("2026-03-10", None, NOW) == Period(datetime(2026, 3, 10, tzinfo=UTC), NOW)
    end = datetime(2026, 2, 1, tzinfo=UTC)
    assert parse_period(None, "2026-02-01", NOW) == Period(end - timedelta(days=30), end)


def _problems(date_from, date_to):
    with pytest.raises(ValidationFailed) as caught:
        parse_period(date_from, date_to, NOW)
    return [(p.field, p.code) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("date_from", "date_to", "problems"),
    [
        ("2026-02-30", "2026-03-01", [("from", "invalid_datetime")]),
        ("2026-03-01", "soon", [("to", "invalid_datetime")]),
        ("03/01/2026", "nope", [("from", "invalid_datetime"), ("to", "invalid_datetime")]),
        ("2026-03-01T00:00:00", "2026-03-02", [("from", "missing_offset")]),
        ("2026-03-01", "2026-03-02T25:00:00Z", [("to", "invalid_datetime")]),
        ("2026-03-01T00:00Z", "2026-03-02", [("from", "invalid_datetime")]),  # RFC 3339 has seconds
        ("2026-03-02", "2026-03-01", [("to", "period_reversed")]),
        ("2026-03-01", "2026-03-01", [("to", "period_reversed")]),  # `to` is excluded: nothing left
        ("2026-04-01", None, [("from", "period_reversed")]),  # after now, the default `to`
        ("2025-01-01", "2026-03-01", [("to", "period_too_long")]),
        ("2025-01-01", None, [("from", "period_too_long")]),
        # The edges of the calendar are bad input, not a crash.
        (None, "0001-01-05", [("to", "out_of_range")]),
        ("9999-12-31T23:59:59-05:00", None, [("from", "invalid_datetime")]),
        ("0001-01-01T00:00:00+05:00", "2026-03-01", [("from", "invalid_datetime")]),
    ],
)
def test_bad_input_names_the_field(date_from, date_to, problems):
    assert _problems(date_from, date_to) == problems


def test_a_period_may_span_the_maximum_but_not_a_second_more():
    start = datetime(2025, 3, 1, tzinfo=UTC)
    longest = (start + timedelta(days=MAX_DAYS)).isoformat()
    assert parse_period(start.isoformat(), longest, NOW).end - start == timedelta(days=MAX_DAYS)
    one_more = (start + timedelta(days=MAX_DAYS, seconds=1)).isoformat()
    assert _problems(start.isoformat(), one_more) == [("to", "period_too_long")]


def test_whole_days_include_both_ends():
    days = parse_days("2026-03-01", " 2026-03-15 ")
    assert days == Days(date(2026, 3, 1), date(2026, 3, 15))
    assert days.period() == Period(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC))
    one = parse_days("2026-03-01", "2026-03-01").period()
    assert one.end - one.start == timedelta(days=1)


def _day_problems(date_from, date_to):
    with pytest.raises(ValidationFailed) as caught:
        parse_days(date_from, date_to)
    return [(p.field, p.code, p.message) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("date_from", "date_to", "problems"),
    [
        (
            "2026-03-20",
            "2026-03-01",
            [("to", "period_reversed", "`to` (2026-03-01) is before `from` (2026-03-20)")],
        ),
        ("20260301", "2026-03-02", [("from", "invalid_date", "'20260301' is not a date (YYYY-MM-DD)")]),
        (
            "2026-02-30",
            None,
            [
                ("from", "invalid_date", "'2026-02-30' is not a date (YYYY-MM-DD)"),
                ("to", "missing", "give `to` as a date (YYYY-MM-DD)"),
            ],
        ),
        ("2026-03-01", "9999-12-31", [("to", "out_of_range", "`to` leaves no room for the day after it")]),
    ],
)
def test_bad_days_name_the_field_in_the_days_given(date_from, date_to, problems):
    assert _day_problems(date_from, date_to) == problems


def test_whole_days_as_a_period_keep_to_the_cap():
    assert parse_days("2025-03-01", "2026-03-01").period().end == datetime(2026, 3, 2, tzinfo=UTC)  # 366 days
    with pytest.raises(ValidationFailed) as caught:
        parse_days("2025-03-01", "2026-03-02").period()
    assert [(p.field, p.code) for p in caught.value.problems] == [("to", "period_too_long")]
