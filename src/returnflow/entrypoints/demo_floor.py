"""`returnflow demo`, second half: approved returns labelled, scanned by the carrier, received and
inspected through the real services, each step at its own time of the season."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from returnflow.bootstrap import Container
from returnflow.demo.floor import ParcelPlan, plan_parcel
from returnflow.domain.errors import DomainError
from returnflow.domain.tracking import CarrierEvent, TrackingStatus
from returnflow.services import inspection, labels, receiving, returns, tracking
from returnflow.services.access import Actor
from returnflow.services.floor_inputs import InspectionInput

# Methods whose parcel does not travel with a carrier label (brought to a store, or kept).
NO_PARCEL = frozenset({"in_store", "keep_it"})
# A webhook reaches us a little after the scan it reports.
WEBHOOK_DELAY = timedelta(minutes=3)
# A specialist works the review queue within hours (low, high) and approves most of it.
REVIEW_AFTER = (2.0, 30.0)
REVIEW_APPROVES = 0.75


@dataclass(frozen=True)
class Approved:
    """An approved demo return, as the floor needs it."""

    return_id: str
    approved_at: datetime
    method: str | None
    destination: str | None  # the node routing chose at approval (None: routed when labelled)
    # (return line id, reason, the order line's serials) per line, in order.
    lines: tuple[tuple[str, str, tuple[str, ...]], ...]


def _clock(at: datetime) -> Callable[[], datetime]:
    return lambda: at


def run_floor(
    c: Container,
    actor: Actor,
    approved: list[Approved],
    rng: random.Random,
    now: datetime,
    advance: Callable[[], None],
) -> Counter[str]:
    """Move each approved return as far as its plan got by `now`; how many stopped at each step."""
    reached: Counter[str] = Counter()
    for item in sorted(approved, key=lambda a: a.approved_at):
        if item.method in NO_PARCEL:
            reached["no parcel (in store / kept)"] += 1
        else:
            plan = plan_parcel(rng, item.approved_at, [reason for _, reason, _ in item.lines], now)
            reached[_move(c, actor, item, plan)] += 1
        advance()
    return reached


def review(
    c: Container,
    actor: Actor,
    view: dict[str, Any],
    requested_at: datetime,
    rng: random.Random,
    now: datetime,
) -> tuple[dict[str, Any], datetime] | None:
    """A specialist decides a return waiting for review: (its view, when) if approved; None if
    rejected, or still waiting because its review would come after `now`."""
    at = requested_at + timedelta(hours=rng.uniform(*REVIEW_AFTER))
    approve = rng.random() < REVIEW_APPROVES
    if at > now:
        return None
    if approve:
        return returns.approve(c.db, _clock(at), actor, str(view["id"])), at
    returns.reject(c.db, _clock(at), actor, str(view["id"]), "the photos show wear beyond a try-on")
    return None


def _scan(number: str, status: TrackingStatus, at: datetime) -> CarrierEvent:
    """One carrier scan as the generic webhook reports it."""
    return CarrierEvent(
        provider="generic",
        event_id=f"demo-{number}-{status.value}",
        tracking_number=number,
        carrier=None,
        status=status,
        raw_status=status.value,
        substatus=None,
        occurred_at=at,
    )


def _move(c: Container, actor: Actor, item: Approved, plan: ParcelPlan) -> str:
    """Play the plan through the services; the last step reached."""
    if plan.label_at is None:
        return "approved, no label yet"
    try:
        label = labels.label_for(c.db, _clock(plan.label_at), actor, item.return_id)
    except DomainError:
        return "label refused (hazmat)"
    number = label.tracking_number
    # The carrier reports pickup and the first hub scan together, then the delivery.
    step = "labelled"
    for batch in (
        ((TrackingStatus.PICKED_UP, plan.picked_up_at), (TrackingStatus.IN_TRANSIT, plan.in_transit_at)),
        ((TrackingStatus.DELIVERED, plan.delivered_at),),
    ):
        events = [_scan(number, status, when) for status, when in batch if when is not None]
        if not events:
            return step
        tracking.import_scans(c.db, _clock(events[-1].occurred_at + WEBHOOK_DELAY), actor, events)
        step = events[-1].status.value.replace("_", " ")
        if len(events) < len(batch):
            return step
    if plan.received_at is None:
        return step
    node = item.destination or returns.get_return(c.db, actor, item.return_id)["destination"]["node_code"]
    receiving.receive(c.db, _clock(plan.received_at), actor, number, node)
    if plan.inspected_at is None:
        return "received"
    for (line_id, _, serials), grade in zip(item.lines, plan.grades, strict=True):
        body: dict[str, Any] = {"grade": grade.grade, "transit_damage": grade.transit_damage}
        if serials:
            body["serials"] = list(serials)
        inspection.inspect_line(
            c.db,
            _clock(plan.inspected_at),
            actor,
            item.return_id,
            line_id,
            InspectionInput.model_validate(body),
        )
    return "inspected"
