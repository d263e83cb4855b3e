"""Carrier tracking events in one status vocabulary, and how they move a return forward."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from returnflow.domain.returns import ReturnStatus, can_transition


class TrackingStatus(StrEnum):
    """The normalized tracking statuses (API.md) every provider's vocabulary maps onto."""

    LABEL_CREATED = "label_created"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED_TO_SENDER = "returned_to_sender"
    FAILURE = "failure"


T = TrackingStatus

# How far along its way a parcel is. The exceptional statuses are not steps on this line: they
# report trouble, and neither advance nor undo the progress already made.
PROGRESSION: Mapping[TrackingStatus, int] = {
    T.LABEL_CREATED: 0,
    T.PICKED_UP: 1,
    T.IN_TRANSIT: 2,
    T.OUT_FOR_DELIVERY: 3,
    T.DELIVERED: 4,
}
EXCEPTIONAL = frozenset({T.EXCEPTION, T.RETURNED_TO_SENDER, T.FAILURE})

# What a return becomes when its parcel reaches a status. A label alone moves nothing: the customer
# may never ship. The transition table decides whether the move is allowed from where the return is.
RETURN_TARGET: Mapping[TrackingStatus, ReturnStatus] = {
    T.PICKED_UP: ReturnStatus.IN_TRANSIT,
    T.IN_TRANSIT: ReturnStatus.IN_TRANSIT,
    T.OUT_FOR_DELIVERY: ReturnStatus.IN_TRANSIT,
    T.DELIVERED: ReturnStatus.DELIVERED,
}

_ZERO = timedelta(0)
MAX_TRACKING_NUMBER = 64


@dataclass(frozen=True, slots=True)
class CarrierEvent:
    """One scan of one parcel, normalized; (provider, event_id) is its de-duplication key."""

    provider: str
    event_id: str
    tracking_number: str
    carrier: str | None
    status: TrackingStatus
    raw_status: str
    substatus: str | None
    occurred_at: datetime
    location: str | None = None
    message: str | None = None

    def __post_init__(self) -> None:
        if not self.event_id:
            raise ValueError("a carrier event needs an event_id")
        if not self.tracking_number:
            raise ValueError("a carrier event needs a tracking_number")
        if self.occurred_at.utcoffset() != _ZERO:
            raise ValueError(f"occurred_at must be timezone-aware UTC, got {self.occurred_at!r}")

    @property
    def key(self) -> tuple[str, str]:
        """The de-duplication key: a re-sent event has the same key."""
        return (self.provider, self.event_id)


def normalize_tracking_number(raw: str) -> str:
    """Upper-case, without the spaces and hyphens people and carriers print for readability."""
    number = raw.replace(" ", "").replace("-", "").replace("\t", "").upper()
    if not number:
        raise ValueError("tracking number is empty")
    if len(number) > MAX_TRACKING_NUMBER:
        raise ValueError(f"tracking number is longer than {MAX_TRACKING_NUMBER} characters")
    if not number.isascii() or not number.isalnum():
        raise ValueError(f"tracking number has characters other than letters and digits: {raw!r}")
    return number


def progression_rank(status: TrackingStatus | str) -> int | None:
    """Position on the forward line (label_created 0 … delivered 4); None for exceptional statuses."""
    return PROGRESSION.get(TrackingStatus(status))


def needs_exception_note(status: TrackingStatus | str) -> bool:
    """Whether an event with this status should be recorded as an exception note on the return."""
    return TrackingStatus(status) in EXCEPTIONAL


def return_status_for(current: ReturnStatus | str, event_status: TrackingStatus | str) -> ReturnStatus | None:
    """The status a return should move to on this event, or None when it must not change."""
    target = RETURN_TARGET.get(TrackingStatus(event_status))
    if target is None:
        return None
    cur = ReturnStatus(current)
    # The table only holds forward moves, so an event older than the return's status (an in-transit
    # scan for a delivered return) and a repeat of the current one both land here as "no move".
    if target == cur or not can_transition(cur, target):
        return None
    return target


@dataclass(frozen=True, slots=True)
class TrackingOutcome:
    """What one event does to one return: an optional new status and an optional exception note."""

    target: ReturnStatus | None
    exception_note: str | None


def outcome_for(current: ReturnStatus | str, event: CarrierEvent) -> TrackingOutcome:
    """The status move (if any) and the exception note (if any) that `event` asks of a return."""
    note = None
    if event.status in EXCEPTIONAL:
        detail = event.message or event.substatus or event.raw_status
        where = f" at {event.location}" if event.location else ""
        note = f"carrier reported {event.status.value} ({detail}){where}"
    return TrackingOutcome(return_status_for(current, event.status), note)


@dataclass(slots=True)
class ParcelSummary:
    """What a parcel's events said so far, independent of the order they arrived in."""

    events: int = 0
    carrier: str | None = None
    status: str | None = None
    first_scan_at: datetime | None = None
    delivered_at: datetime | None = None
    last_event_at: datetime | None = None
    exception_at: datetime | None = None
    exception_note: str | None = None

    def track(self, event: CarrierEvent) -> bool:
        """Fold one event in; whether it is the parcel's first carrier scan."""
        self.events += 1
        self.carrier = self.carrier or event.carrier
        at = event.occurred_at
        if self.last_event_at is None or at > self.last_event_at:
            self.last_event_at = at
        rank = PROGRESSION.get(event.status)
        if rank is not None and (
            self.status is None or rank > (PROGRESSION.get(TrackingStatus(self.status)) or 0)
        ):
            self.status = event.status.value
        if event.status == TrackingStatus.DELIVERED and (self.delivered_at is None or at < self.delivered_at):
            self.delivered_at = at
        # A label alone is not a scan: the carrier has the parcel once it is picked up (or further).
        if rank is None or rank < 1:
            return False
        if self.first_scan_at is None:
            self.first_scan_at = at
            return True
        self.first_scan_at = min(self.first_scan_at, at)
        return False

    def note_exception(self, at: datetime, note: str) -> bool:
        """Keep the latest exception (by when it happened, whatever the order); whether it is this one."""
        if self.exception_at is None or at >= self.exception_at:
            self.exception_at, self.exception_note = at, note
            return True
        return False


SUMMARY_FIELDS = tuple(ParcelSummary.__slots__)


def fold(events: Iterable[CarrierEvent], start: ReturnStatus | str = ReturnStatus.APPROVED) -> ReturnStatus:
    """The status a return starting at `start` ends at after applying `events` one by one."""
    status = ReturnStatus(start)
    for event in events:
        target = return_status_for(status, event.status)
        if target is not None:
            status = target
    return status


def furthest(events: Iterable[CarrierEvent]) -> TrackingStatus | None:
    """The furthest forward status any event reached (order-independent); None if none did."""
    best: TrackingStatus | None = None
    best_rank = -1
    for event in events:
        rank = PROGRESSION.get(event.status)
        if rank is not None and rank > best_rank:
            best, best_rank = event.status, rank
    return best


def dedupe(events: Iterable[CarrierEvent]) -> list[CarrierEvent]:
    """The events without repeats of an already seen (provider, event_id); first one wins."""
    seen: set[tuple[str, str]] = set()
    out = []
    for event in events:
        key = (event.provider, event.event_id)
        if key not in seen:
            seen.add(key)
            out.append(event)
    return out
