"""Return methods a return qualifies for (QR drop-off, printed-label drop-off, pickup, in-store, keep-it)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from returnflow.domain.errors import Conflict, DomainError, FieldProblem, NotFound, ValidationFailed
from returnflow.domain.geography import great_circle_km
from returnflow.domain.recovery import recovery_percent
from returnflow.domain.routing import Destination, Parcel, Service, hazmat_violations
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.network import Network, load_network
from returnflow.services.policies import policy_in_force
from returnflow.services.recording import record
from returnflow.services.return_views import return_view
from returnflow.services.routing import decide, parcel_for_row, resolve_keep_it, route_row

if TYPE_CHECKING:
    from returnflow.adapters.db.tables import ReturnRow
    from returnflow.adapters.db.uow import Database, UnitOfWork

# (choice code, method as stored, label type, title, what the shopper does)
CHOICES: tuple[tuple[str, str, str | None, str, str], ...] = (
    (
        "drop_off_qr",
        "drop_off",
        "qr",
        "Box-free drop-off",
        "Show a QR code at a drop-off point; no box or printer.",
    ),
    (
        "drop_off_label",
        "drop_off",
        "printed",
        "Drop-off with a printed label",
        "Pack it, print the label, drop it off.",
    ),
    ("pickup", "pickup", "printed", "Carrier pickup", "Pack it and print the label; a courier collects it."),
    ("in_store", "in_store", None, "Return in store", "Bring it to one of our stores within reach."),
    (
        "keep_it",
        "keep_it",
        None,
        "Keep it",
        "Nothing to send back: the item costs more to return than it recovers.",
    ),
)
STORE_REACH_KM = 80.0


def _store_option(parcel: Parcel, net: Network) -> tuple[Destination, float, int] | None:
    """The nearby store that nets the most for these items (handling − recovery), if any."""
    best: tuple[int, Destination, float] | None = None
    for node in net.destinations:
        if node.kind != "store" or parcel.required_capabilities - node.capabilities:
            continue
        if any(hazmat_violations(c, "ground", node.capabilities) for c in parcel.hazmat_classes):
            continue
        km = great_circle_km(parcel.origin, node.location)
        if km > STORE_REACH_KM:
            continue
        recovery = sum(
            i.unit_cost * i.quantity * recovery_percent(node.kind, i.category, node.recovery_overrides) // 100
            for i in parcel.items
        )
        cost = node.handling_cost * parcel.units - recovery
        if best is None or cost < best[0]:
            best = (cost, node, km)
    return None if best is None else (best[1], best[2], best[0])


def _service(net: Network, code: str | None) -> Service | None:
    return next((s for s in net.services if s.code == code), None)


def _carrier_route(row: ReturnRow, parcel: Parcel, net: Network) -> tuple[str, Service, int] | None:
    """(node, service, shipping) a drop-off or pickup would use: the stored route, else a fresh quote.

    Choosing in-store drops the carrier service; quoting again lets the shopper switch back to a
    shipping method until a label exists (choosing it routes the return again).
    """
    if row.destination_node and row.carrier_service:
        service = _service(net, row.carrier_service)
        shipping = int(((row.routing or {}).get("chosen") or {}).get("shipping", 0))
        return None if service is None else (row.destination_node, service, shipping)
    if row.tracking_number:
        return None
    try:
        option = decide(parcel, net).chosen
    except DomainError:
        return None  # nothing routable: the options say so
    service = _service(net, option.service)
    return None if service is None else (option.node, service, option.shipping)


def method_options(uow: UnitOfWork, row: ReturnRow, now: datetime) -> list[dict[str, Any]]:
    """Every method with whether this return qualifies, the shopper's fee and the merchant's cost."""
    policy = policy_in_force(uow)
    decision = row.decision or {}
    fee = int(decision.get("fees_total", 0))
    net = load_network(uow, row.currency, now)
    parcel = parcel_for_row(uow, row)
    carrier = _carrier_route(row, parcel, net)
    service = carrier[1] if carrier else None
    store = _store_option(parcel, net)
    out = []
    for code, method, label_type, title, description in CHOICES:
        reasons: list[str] = []
        cost: int | None = None
        extra: dict[str, Any] = {}
        if method not in policy.methods:
            reasons.append("This store does not offer it.")
        if method in ("drop_off", "pickup"):
            if carrier is None or service is None:
                reasons.append("No carrier route is available for this return yet.")
            else:
                cost = carrier[2] + (service.pickup_fee if method == "pickup" else 0)
                extra = {"carrier_service": service.code, "node_code": carrier[0]}
            if method == "pickup" and service is not None and not service.pickup:
                reasons.append(f"{service.name} does not pick up.")
            if label_type == "qr" and parcel.hazmat_classes:
                reasons.append(
                    "Dangerous goods must be packed as instructed, so box-free drop-off is not possible."
                )
        elif method == "in_store":
            if store is None:
                reasons.append(f"No store that can take these items within {STORE_REACH_KM:.0f} km.")
            else:
                cost = store[0].handling_cost * parcel.units
                extra = {"node_code": store[0].code, "distance_km": round(store[1], 1)}
        elif method == "keep_it":
            if not decision.get("keep_it"):
                reasons.append(
                    "Returning these items recovers more than it costs, or the policy does not allow it."
                )
            cost = 0
        out.append(
            {
                "code": code,
                "method": method,
                "label_type": label_type,
                "title": title,
                "description": description,
                "available": not reasons,
                "reasons": reasons,
                "fee": 0 if method == "keep_it" else fee,
                "cost": cost,
                "currency": row.currency,
                "selected": row.method == method and (label_type is None or row.label_type == label_type),
                **extra,
            }
        )
    return out


def _visible(uow: UnitOfWork, actor: Actor, return_id: str, *, for_update: bool = False) -> ReturnRow:
    row = uow.returns.get(return_id, for_update=for_update)
    if row is None:
        raise NotFound(f"return {return_id} not found", code="not_found")
    actor.ensure_visible(email=row.customer_email, node_code=row.destination_node, what=f"return {return_id}")
    return row


def list_methods(db: Database, clock: Clock, actor: Actor, return_id: str) -> list[dict[str, Any]]:
    """GET /returns/{id}/methods."""
    actor.require("returns.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        return method_options(uow, _visible(uow, actor, return_id), clock())


def choose_method(db: Database, clock: Clock, actor: Actor, return_id: str, code: str) -> dict[str, Any]:
    """POST /returns/{id}/method: pick one the return qualifies for (before a label is issued)."""
    actor.require("returns.create")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        row = _visible(uow, actor, return_id, for_update=True)
        if row.status != "approved":
            raise Conflict(
                f"return {row.number} is {row.status}; methods are chosen while approved", code="not_approved"
            )
        if row.tracking_number:
            raise Conflict("a label was already issued for this return", code="label_issued")
        options = {o["code"]: o for o in method_options(uow, row, now)}
        option = options.get(code)
        if option is None:
            raise ValidationFailed(
                f"unknown method {code}",
                code="unknown_method",
                problems=[FieldProblem("method", "unknown_method", f"one of: {', '.join(options)}")],
            )
        if not option["available"]:
            raise ValidationFailed(
                f"this return does not qualify for {option['title'].lower()}",
                code="method_not_available",
                problems=[FieldProblem("method", "method_not_available", r) for r in option["reasons"]],
            )
        previous = row.method
        row.method = option["method"]
        row.label_type = option["label_type"]
        row.updated_at = now
        if option["method"] == "in_store":
            row.destination_node, row.carrier_service = option["node_code"], None
        elif option["method"] in ("drop_off", "pickup") and (
            row.carrier_service is None or row.destination_node != option["node_code"]
        ):
            # Back from in-store (or never routed): route it again, so the label goes the carrier way.
            route_row(uow, actor, row, now, strict=True)
        record(
            uow,
            actor,
            now,
            "return.method_chosen",
            "return",
            row.id,
            {"from": previous, "method": row.method, "label_type": row.label_type, "fee": option["fee"]},
            topic="return.method_chosen",
        )
        if option["method"] == "keep_it":
            resolve_keep_it(uow, actor, row, now)
        view = return_view(row, uow.returns.lines(row.id))
        uow.commit()
    return view
