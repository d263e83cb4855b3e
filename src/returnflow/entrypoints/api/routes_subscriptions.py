"""Outgoing webhook subscriptions, their deliveries, and the customer timeline."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from returnflow.entrypoints.api.deps import ActorDep, ContainerDep
from returnflow.services import notifications, subscriptions

router = APIRouter(tags=["subscriptions"])
Id = Annotated[str, Path(min_length=1, max_length=40)]


class SubscriptionIn(BaseModel):
    """POST /v1/webhook-subscriptions."""

    url: str = Field(min_length=1, max_length=2000)
    event_types: list[str] = Field(default_factory=lambda: ["*"], min_length=1, max_length=100)


def _resolver(request: Request) -> subscriptions.Resolver:
    # Tests (and air-gapped installs) may put their own resolver on the app state.
    found: subscriptions.Resolver = getattr(request.app.state, "resolver", subscriptions.system_resolver)
    return found


@router.post("/webhook-subscriptions", status_code=201)
def post_subscription(body: SubscriptionIn, request: Request, c: ContainerDep, actor: ActorDep) -> Any:
    """Subscribe a URL to event types; the signing secret is in this response only."""
    return subscriptions.create_subscription(
        c.db, c.clock, actor, body.url, body.event_types, _resolver(request)
    )


@router.get("/webhook-subscriptions")
def get_subscriptions(c: ContainerDep, actor: ActorDep) -> Any:
    """The tenant's subscriptions."""
    return {"items": subscriptions.list_subscriptions(c.db, actor)}


@router.post("/webhook-subscriptions/{subscription_id}/disable")
def disable_subscription(subscription_id: Id, c: ContainerDep, actor: ActorDep) -> Any:
    """Stop deliveries to a subscription."""
    return subscriptions.set_status(c.db, c.clock, actor, subscription_id, active=False)


@router.post("/webhook-subscriptions/{subscription_id}/enable")
def enable_subscription(subscription_id: Id, c: ContainerDep, actor: ActorDep) -> Any:
    """Resume deliveries (the failure count starts over)."""
    return subscriptions.set_status(c.db, c.clock, actor, subscription_id, active=True)


@router.delete("/webhook-subscriptions/{subscription_id}", status_code=204)
def delete_subscription(subscription_id: Id, c: ContainerDep, actor: ActorDep) -> Response:
    """Remove a subscription and its delivery log."""
    subscriptions.delete_subscription(c.db, c.clock, actor, subscription_id)
    return Response(status_code=204)


@router.get("/webhook-subscriptions/{subscription_id}/deliveries")
def get_deliveries(subscription_id: Id, c: ContainerDep, actor: ActorDep) -> Any:
    """A subscription's deliveries, newest first, each with its attempt log."""
    return {"items": subscriptions.list_deliveries(c.db, actor, subscription_id)}


@router.get("/returns/{return_id}/timeline")
def get_timeline(return_id: Id, c: ContainerDep, actor: ActorDep) -> Any:
    """A return's customer timeline: stages reached and emails sent."""
    return {"items": notifications.timeline(c.db, actor, return_id)}
