"""Tracking events move a return forward only: order, repeats and stale scans change nothing wrongly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from returnflow.domain.returns import ReturnStatus, can_transition
from returnflow.domain.tracking import (
    CarrierEvent,
    ParcelSummary,
    TrackingStatus,
    dedupe,
    fold,
    furthest,
    needs_exception_note,
    normalize_tracking_number,
    outcome_for,
    progression_rank,
    return_status_for,
)

S = TrackingStatus
R = ReturnStatus
T0 = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def scan(status: TrackingStatus, minutes: int = 0, **over: Any) -> CarrierEvent:
    fields: dict[str, Any] = {
        "provider": "generic",
        "event_id": f"scan-{status.value}-{minutes}",
        "tracking_number": "1Z999AA10123456784",
        "carrier": "ups",
        "raw_status": status.value,
        "substatus": None,
        "occurred_at": T0 + timedelta(minutes=minutes),
    }
    fields.update(over)
    return CarrierEvent(status=status, **fields)


# --- one event against one return ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "event", "expected"),
    [
        (R.APPROVED, S.LABEL_CREATED, None),
        (R.APPROVED, S.PICKED_UP, R.IN_TRANSIT),
        (R.APPROVED, S.IN_TRANSIT, R.IN_TRANSIT),
        (R.APPROVED, S.OUT_FOR_DELIVERY, R.IN_TRANSIT),
        (R.APPROVED, S.DELIVERED, R.DELIVERED),
        (R.IN_TRANSIT, S.IN_TRANSIT, None),  # a repeat
        (R.IN_TRANSIT, S.DELIVERED, R.DELIVERED),
        (R.DELIVERED, S.IN_TRANSIT, None),  # an older scan arriving late
        (R.DELIVERED, S.DELIVERED, None),
        (R.RECEIVED, S.DELIVERED, None),  # the dock was faster than the carrier's feed
        (R.COMPLETED, S.OUT_FOR_DELIVERY, None),
        (R.REQUESTED, S.IN_TRANSIT, None),  # not approved: no label, no move
        (R.CANCELLED, S.DELIVERED, None),
        (R.APPROVED, S.EXCEPTION, None),
        (R.IN_TRANSIT, S.RETURNED_TO_SENDER, None),
        (R.IN_TRANSIT, S.FAILURE, None),
    ],
)
def test_return_status_for(
    current: ReturnStatus, event: TrackingStatus, expected: ReturnStatus | None
) -> None:
    assert return_status_for(current, event) == expected


def test_exceptional_statuses_ask_for_a_note_and_others_do_not() -> None:
    assert {s for s in S if needs_exception_note(s)} == {S.EXCEPTION, S.RETURNED_TO_SENDER, S.FAILURE}


def test_outcome_for_an_exception_keeps_the_status_and_explains_why() -> None:
    event = scan(
        S.EXCEPTION, raw_status="AttemptFail", message="Customer not available", location="Memphis, TN 38118"
    )
    outcome = outcome_for(R.IN_TRANSIT, event)
    assert outcome.target is None
    assert (
        outcome.exception_note == "carrier reported exception (Customer not available) at Memphis, TN 38118"
    )


def test_outcome_for_a_forward_scan_moves_without_a_note() -> None:
    outcome = outcome_for(R.APPROVED, scan(S.PICKED_UP))
    assert (outcome.target, outcome.exception_note) == (R.IN_TRANSIT, None)


def test_progression_ranks_the_forward_line_only() -> None:
    assert [progression_rank(s) for s in S] == [0, 1, 2, 3, 4, None, None, None]


# --- a stream of events ---------------------------------------------------------------------------


def test_fold_of_a_realistic_stream() -> None:
    stream = [
        scan(S.LABEL_CREATED, 0),
        scan(S.PICKED_UP, 60),
        scan(S.IN_TRANSIT, 600),
        scan(S.DELIVERED, 3000),
    ]
    assert fold(stream) == R.DELIVERED
    assert fold(stream[:3]) == R.IN_TRANSIT
    assert fold(stream[:1]) == R.APPROVED
    assert fold(reversed(stream)) == R.DELIVERED
    assert fold(stream, start=R.RECEIVED) == R.RECEIVED


events_strategy = st.lists(
    st.builds(
        scan,
        st.sampled_from(list(S)),
        st.integers(min_value=0, max_value=20_000),
    ),
    max_size=25,
)


@given(
    events=events_strategy,
    start=st.sampled_from(list(R)),
    data=st.data(),
)
def test_any_shuffle_or_duplication_folds_to_the_same_status(
    events: list[CarrierEvent], start: ReturnStatus, data: st.DataObject
) -> None:
    ordered = sorted(events, key=lambda e: e.occurred_at)
    repeated = events + data.draw(st.lists(st.sampled_from(events), max_size=10)) if events else []
    shuffled = data.draw(st.permutations(repeated))
    assert fold(shuffled, start) == fold(ordered, start)
    assert furthest(shuffled) == furthest(ordered)


@given(events=events_strategy, start=st.sampled_from(list(R)))
def test_each_step_is_a_legal_forward_move_or_none(events: list[CarrierEvent], start: ReturnStatus) -> None:
    status = start
    for event in events:
        target = return_status_for(status, event.status)
        if target is not None:
            assert can_transition(status, target)
            status = target
    assert fold(events, start) == status


@given(events=events_strategy)
def test_from_approved_the_end_status_depends_only_on_what_was_seen(events: list[CarrierEvent]) -> None:
    seen = {e.status for e in events}
    if S.DELIVERED in seen:
        expected = R.DELIVERED
    elif seen & {S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY}:
        expected = R.IN_TRANSIT
    else:
        expected = R.APPROVED
    assert fold(events) == expected


def test_furthest_ignores_exceptions_and_is_none_for_no_progress() -> None:
    assert furthest([scan(S.IN_TRANSIT, 5), scan(S.EXCEPTION, 9), scan(S.PICKED_UP, 1)]) == S.IN_TRANSIT
    assert furthest([scan(S.FAILURE)]) is None
    assert furthest([]) is None


def test_dedupe_keeps_the_first_of_each_provider_and_event_id() -> None:
    a = scan(S.IN_TRANSIT, 1, event_id="e1")
    again = scan(S.DELIVERED, 2, event_id="e1")
    other_provider = scan(S.IN_TRANSIT, 1, event_id="e1", provider="easypost")
    assert dedupe([a, again, other_provider, a]) == [a, other_provider]


# --- values ---------------------------------------------------------------------------------------


def test_an_event_needs_a_utc_time() -> None:
    with pytest.raises(ValueError, match="UTC"):
        scan(S.DELIVERED, occurred_at=datetime(2025, 3, 10, 12, 0))
    with pytest.raises(ValueError, match="UTC"):
        scan(S.DELIVERED, occurred_at=datetime(2025, 3, 10, 12, 0, tzinfo=timezone(timedelta(hours=-5))))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1Z 999 AA1 01 2345 6784", "1Z999AA10123456784"),
        ("9400-1118-9922-3197-4284-90", "9400111899223197428490"),
        ("lx123456789cn", "LX123456789CN"),
    ],
)
def test_tracking_numbers_are_normalized(raw: str, expected: str) -> None:
    assert normalize_tracking_number(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "1Z99/9", "X" * 65, "１２３"])
def test_unusable_tracking_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="tracking number"):
        normalize_tracking_number(raw)


@given(
    st.lists(st.tuples(st.sampled_from(list(S)), st.integers(0, 5000)), min_size=1, max_size=12),
    st.randoms(use_true_random=False),
)
def test_a_parcel_summary_does_not_depend_on_the_order_events_arrive_in(
    events: list[tuple[TrackingStatus, int]], rng: Any
) -> None:
    stream = [scan(status, minutes) for status, minutes in events]
    shuffled = stream[:]
    rng.shuffle(shuffled)
    a, b = ParcelSummary(), ParcelSummary()
    firsts_a = [a.track(e) for e in stream]
    firsts_b = [b.track(e) for e in shuffled]
    assert a == b
    # Exactly one event is ever reported as the first carrier scan, and only if one was a scan.
    scans = [e for e in stream if (progression_rank(e.status) or 0) >= 1]
    assert sum(firsts_a) == sum(firsts_b) == (1 if scans else 0)
    assert a.first_scan_at == (min(e.occurred_at for e in scans) if scans else None)
    delivered = [e.occurred_at for e in stream if e.status == S.DELIVERED]
    assert a.delivered_at == (min(delivered) if delivered else None)
    assert a.last_event_at == max(e.occurred_at for e in stream)


def test_the_latest_exception_is_kept_whatever_order_it_arrives_in() -> None:
    summary = ParcelSummary()
    assert summary.note_exception(T0 + timedelta(hours=2), "late")
    assert not summary.note_exception(T0, "early, but arrived after")
    assert summary.exception_note == "late"
