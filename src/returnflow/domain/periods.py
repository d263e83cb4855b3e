"""Reporting periods: [from, to) in UTC, read from dates or RFC 3339 timestamps, with defaults and a
cap; and whole UTC days from one date to another, both included, as the pages and reports ask."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from returnflow.domain.errors import FieldProblem, ValidationFailed

DEFAULT_DAYS = 30
MAX_DAYS = 366
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# RFC 3339 with a mandatory offset. A space before the offset's hours stands for "+": an
# unencoded "+" in a query string arrives decoded as a space.
_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)([Zz]|[+\- ]\d{2}:\d{2})")
_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


@dataclass(frozen=True)
class Period:
    """The instants from `start` (included) to `end` (excluded), both timezone-aware UTC."""

    start: datetime
    end: datetime


def parse_instant(text: str, name: str) -> datetime:
    """`YYYY-MM-DD` (midnight UTC) or an RFC 3339 timestamp with offset, as UTC; else ValidationFailed."""
    text = text.strip()
    if _DAY.fullmatch(text):
        try:
            return datetime.combine(date.fromisoformat(text), time.min, tzinfo=UTC)
        except ValueError:
            pass
    elif stamp := _STAMP.fullmatch(text):
        day, clock, offset = stamp.groups()
        offset = "+00:00" if offset in "Zz" else offset.replace(" ", "+")
        try:
            return datetime.fromisoformat(f"{day}T{clock}{offset}").astimezone(UTC)
        except (ValueError, OverflowError):  # OverflowError: shifted past year 1 or 9999
            pass
    elif _NAIVE.fullmatch(text):
        raise _invalid(name, "missing_offset", f"`{name}` needs an offset (Z or ±HH:MM): '{text[:40]}'")
    raise _invalid(
        name,
        "invalid_datetime",
        f"'{text[:40]}' is not a date (YYYY-MM-DD) or an RFC 3339 timestamp with offset",
    )


def _invalid(name: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        "the period is not valid", code="invalid_period", problems=[FieldProblem(name, code, message)]
    )


def parse_period(date_from: str | None, date_to: str | None, now: datetime) -> Period:
    """The period of two texts; `to` defaults to `now`, `from` to DEFAULT_DAYS before `to`."""
    given_from = bool(date_from and date_from.strip())
    given_to = bool(date_to and date_to.strip())
    problems: list[FieldProblem] = []
    start = end = None
    for name, text, given in (("from", date_from, given_from), ("to", date_to, given_to)):
        if not given or text is None:
            continue
        try:
            instant = parse_instant(text, name)
        except ValidationFailed as err:
            problems.extend(err.problems)
            continue
        if name == "from":
            start = instant
        else:
            end = instant
    if problems:
        raise ValidationFailed("the period is not valid", code="invalid_period", problems=problems)
    end = end or now.astimezone(UTC)
    if start is None:
        try:
            start = end - timedelta(days=DEFAULT_DAYS)
        except OverflowError:
            raise _invalid("to", "out_of_range", "`to` leaves no room for a period before it") from None
    # Blame the bound the caller gave (`to` when both were given).
    blamed = "to" if given_to or not given_from else "from"
    if start >= end:
        message = f"`from` ({start.isoformat()}) must be before `to` ({end.isoformat()})"
        raise _invalid(blamed, "period_reversed", message)
    return _capped(Period(start, end), blamed)


def _capped(period: Period, blamed: str) -> Period:
    if period.end - period.start > timedelta(days=MAX_DAYS):
        raise _invalid(blamed, "period_too_long", f"a period may span at most {MAX_DAYS} days")
    return period


@dataclass(frozen=True)
class Days:
    """Whole UTC days from `start` to `end`, both included."""

    start: date
    end: date

    def bounds(self) -> tuple[datetime, datetime]:
        """[first instant, first instant after) in UTC."""
        first = datetime.combine(self.start, time.min, tzinfo=UTC)
        return first, datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    def period(self) -> Period:
        """The same days as a Period, held to the cap of MAX_DAYS (ValidationFailed naming `to`)."""
        return _capped(Period(*self.bounds()), "to")


def _day(text: str | None, name: str) -> tuple[date | None, FieldProblem | None]:
    if text is None or not text.strip():
        return None, FieldProblem(name, "missing", f"give `{name}` as a date (YYYY-MM-DD)")
    text = text.strip()
    try:
        if _DAY.fullmatch(text):
            day = date.fromisoformat(text)
            if day < date.max:
                return day, None
            return None, FieldProblem(name, "out_of_range", f"`{name}` leaves no room for the day after it")
    except ValueError:
        pass
    return None, FieldProblem(name, "invalid_date", f"'{text[:40]}' is not a date (YYYY-MM-DD)")


def parse_days(date_from: str | None, date_to: str | None) -> Days:
    """The days from two YYYY-MM-DD texts, both included (ValidationFailed naming each bad one)."""
    start, bad_start = _day(date_from, "from")
    end, bad_end = _day(date_to, "to")
    problems = [p for p in (bad_start, bad_end) if p is not None]
    if start is not None and end is not None and end < start:
        problems.append(FieldProblem("to", "period_reversed", f"`to` ({end}) is before `from` ({start})"))
    if problems or start is None or end is None:
        raise ValidationFailed("the report period is not valid", code="invalid_period", problems=problems)
    return Days(start, end)
