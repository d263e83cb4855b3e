"""Carriers, their services and rate cards, and the routing SLA: upserts that record what changed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from returnflow.adapters.rate_cards import default_network, parse_rates_csv
from returnflow.domain.errors import FieldProblem, NotFound, ValidationFailed
from returnflow.domain.rates import RateRow, build_rate_card
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.network import rate_rows_json
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.uow import Database

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._\-]+$")]


class ServiceInput(BaseModel):
    """One service of a carrier."""

    model_config = ConfigDict(extra="forbid")
    code: Code
    name: Annotated[str, Field(min_length=1, max_length=200)]
    mode: Literal["ground", "air"] = "ground"
    pickup: bool = False
    pickup_fee: Annotated[int, Field(ge=0)] = 0
    max_weight_grams: Annotated[int, Field(ge=1)] | None = None
    accepts_hazmat: bool = True
    active: bool = True


class CarrierInput(BaseModel):
    """Body of PUT /v1/carriers/{code}."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=200)]
    services: list[ServiceInput] = Field(default_factory=list, max_length=50)


class RateCardInput(BaseModel):
    """JSON body of PUT /v1/rate-cards/{service}: prices in minor units."""

    model_config = ConfigDict(extra="forbid")
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    rows: list[dict[str, Any]] = Field(min_length=1, max_length=5000)


def upsert_carrier(db: Database, clock: Clock, actor: Actor, code: str, data: CarrierInput) -> dict[str, Any]:
    """Create or replace a carrier and upsert its services (rate cards are kept)."""
    actor.require("catalog.write")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        row = uow.routing.carrier(code)
        if row is None:
            row = uow.routing.add_carrier(code=code, name=data.name, created_at=now, updated_at=now)
        row.name, row.updated_at = data.name, now
        for s in data.services:
            fields = s.model_dump(exclude={"code"})
            svc = uow.routing.service(s.code)
            if svc is None:
                uow.routing.add_service(
                    code=s.code, carrier_code=code, rate_card=[], created_at=now, updated_at=now, **fields
                )
            elif svc.carrier_code != code:
                raise ValidationFailed(
                    f"service {s.code} belongs to carrier {svc.carrier_code}", code="service_taken"
                )
            else:
                for name, value in fields.items():
                    setattr(svc, name, value)
                svc.updated_at = now
        record(uow, actor, now, "carrier.saved", "carrier", code, data.model_dump())
        uow.commit()
    return list_carriers(db, actor, code)[0]


def list_carriers(db: Database, actor: Actor, only: str | None = None) -> list[dict[str, Any]]:
    """The tenant's carriers with services; the default network when it has none."""
    actor.require("catalog.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        services = uow.routing.services()
        carriers = uow.routing.carriers()
        if not services and only is None:
            net = default_network()
            return [
                {
                    "code": code,
                    "name": name,
                    "source": "default",
                    "services": [
                        {
                            "code": s.code,
                            "name": s.name,
                            "mode": s.mode,
                            "pickup": s.pickup,
                            "has_rate_card": True,
                        }
                        for s in net.services
                        if s.carrier == code
                    ],
                }
                for code, name in net.carriers.items()
            ]
        return [
            {
                "code": c.code,
                "name": c.name,
                "source": "tenant",
                "services": [
                    {
                        "code": s.code,
                        "name": s.name,
                        "mode": s.mode,
                        "pickup": s.pickup,
                        "pickup_fee": s.pickup_fee,
                        "max_weight_grams": s.max_weight_grams,
                        "accepts_hazmat": s.accepts_hazmat,
                        "active": s.active,
                        "currency": s.currency,
                        "has_rate_card": bool(s.rate_card),
                    }
                    for s in services
                    if s.carrier_code == c.code
                ],
            }
            for c in carriers
            if only is None or c.code == only
        ]


def save_rate_card(
    db: Database, clock: Clock, actor: Actor, service: str, body: str, *, csv: bool
) -> dict[str, Any]:
    """Replace a service's rate card from CSV (decimal `price` or `price_minor`) or JSON; all or nothing."""
    actor.require("catalog.write")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        row = uow.routing.service(service)
        if row is None:
            raise NotFound(
                f"service {service} not found: create it with PUT /v1/carriers/{{code}}", code="not_found"
            )
        if csv:
            currency = row.currency or "USD"
            card = parse_rates_csv(body, currency, service=service)[service]
        else:
            try:
                data = RateCardInput.model_validate(json.loads(body))
                rows = [RateRow(**r) for r in data.rows]
            except (ValueError, TypeError, ValidationError) as err:
                raise ValidationFailed(
                    "the rate card is not valid",
                    code="invalid_rate_card",
                    problems=[FieldProblem("body", "invalid_rate_card", str(err)[:500])],
                ) from err
            card = build_rate_card(service, data.currency, rows, [f"rows[{i}]" for i in range(len(rows))])
        row.currency, row.rate_card, row.updated_at = card.currency, rate_rows_json(card), now
        summary = {
            "service": service,
            "currency": card.currency,
            "zones": list(card.zone_codes),
            "weight_breaks": list(card.weight_breaks),
            "rates": len(row.rate_card),
        }
        record(uow, actor, now, "rate_card.saved", "carrier_service", service, summary)
        uow.commit()
    return summary


def save_settings(db: Database, clock: Clock, actor: Actor, max_transit_days: int | None) -> dict[str, Any]:
    """Set the routing SLA."""
    actor.require("catalog.write")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        uow.routing.save_settings(max_transit_days, now)
        record(
            uow,
            actor,
            now,
            "routing.settings_saved",
            "routing_settings",
            actor.tenant_id,
            {"max_transit_days": max_transit_days},
        )
        uow.commit()
    return {"max_transit_days": max_transit_days}
