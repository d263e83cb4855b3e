"""Disposition use cases: value every path of an inspected line over the tenant's network, store the
choice with its alternatives, land the units in their inventory bucket, and a specialist's override.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from returnflow.adapters.geo import PostalCodeUnknown
from returnflow.domain.disposition import (
    Decision,
    Exclusion,
    InspectedUnit,
    Network,
    Override,
    PathValue,
    WorkNode,
    apply_override,
)
from returnflow.domain.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from returnflow.domain.inventory import Movement, landing_bucket
from returnflow.domain.routing import Parcel, ParcelItem, option_costs
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.floor_documents import engine_in_force
from returnflow.services.floor_scope import floor_line, floor_return
from returnflow.services.ids import new_id
from returnflow.services.inventory import line_stock, move_in
from returnflow.services.network import carrier_services, destinations, node_point
from returnflow.services.recording import record

if TYPE_CHECKING:
    from returnflow.adapters.db.tables import NodeRow, ProductRow, ReturnLineRow, ReturnRow
    from returnflow.adapters.db.tables_floor import DispositionRow, InspectionRow
    from returnflow.adapters.db.uow import Database, UnitOfWork

RECALLED_TAG = "recalled"


def network_for(
    uow: UnitOfWork, origin: NodeRow, product: ProductRow, currency: str, now: datetime
) -> Network:
    """The nodes the unit can go to from `origin`: transfer = the cheapest carrier rate to each."""
    home = WorkNode(origin.code, frozenset(origin.capabilities or ()), 0, origin.handling_cost or 0)
    others = [n for n in destinations(uow, now)[0] if n.code != origin.code]
    if not others:
        return Network(home)
    try:
        start = node_point(origin)
    except PostalCodeUnknown:
        return Network(home)  # without a location nothing can be priced: work stays at the origin
    services, rates, _ = carrier_services(uow, currency)
    shipping: dict[str, int] = {}
    # Priced as the dangerous good it is where a compliant service exists; a node refused only for
    # lacking the hazmat capability is priced as plain freight, so disposition can name the reason.
    for hazmat in dict.fromkeys((product.hazmat_class, None)):
        item = ParcelItem(product.sku, product.category, product.unit_cost, 1, hazmat)
        parcel = Parcel((item,), max(product.weight_grams, 1), start)
        for option in option_costs(parcel, [n for n in others if n.code not in shipping], services, rates):
            if option.node not in shipping or option.shipping < shipping[option.node]:
                shipping[option.node] = option.shipping
    work = [
        WorkNode(n.code, n.capabilities, shipping[n.code], n.handling_cost)
        for n in others
        if n.code in shipping
    ]
    return Network(home, work)


def inspected_unit(
    line: ReturnLineRow, product: ProductRow, price: int, grade: str, flags: Sequence[str]
) -> InspectedUnit:
    """The unit as disposition sees it (recalled products carry the ``recalled`` tag)."""
    return InspectedUnit(
        unit_id=line.id,
        sku=product.sku,
        category=product.category,
        grade=grade,
        price=price,
        unit_cost=product.unit_cost,
        hazmat_class=product.hazmat_class,
        recalled=RECALLED_TAG in (product.tags or []),
        flags=frozenset(flags),
        vendor=product.brand,
    )


def decide_line(
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    row: ReturnRow,
    line: ReturnLineRow,
    inspection: InspectionRow,
    units: int,
    received_at: datetime | None,
) -> tuple[DispositionRow, Decision]:
    """Decide, store the decision with every alternative, and land the units in their bucket."""
    engine = engine_in_force(uow)
    if engine.tables.currency != row.currency:
        raise ValidationFailed(
            f"the disposition tables are in {engine.tables.currency}; this return is in {row.currency}",
            code="disposition_currency_mismatch",
        )
    product = uow.catalog.product(line.sku)
    origin = uow.catalog.node(inspection.node_code)
    if product is None or origin is None:  # pragma: no cover - lines always have their product
        raise NotFound("product or node not found", code="not_found")
    order_line = next(ol for ol in uow.orders.lines(row.order_id) if ol.id == line.order_line_id)
    price = order_line.list_price or order_line.unit_price
    unit = inspected_unit(line, product, price, inspection.grade, inspection.flags or [])
    decision = engine.decide(unit, network_for(uow, origin, product, row.currency, now))
    disposition = uow.floor.add_disposition(
        id=new_id("dsp"),
        return_id=row.id,
        return_line_id=line.id,
        inspection_id=inspection.id,
        origin_node=origin.code,
        path=decision.chosen.path,
        node_code=decision.chosen.node,
        expected_recovery=decision.chosen.net * units,
        currency=decision.currency,
        recommended_path=decision.recommended.path,
        recommended_node=decision.recommended.node,
        recommended_recovery=decision.recommended.net * units,
        alternatives=[_value_json(v, units) for v in decision.alternatives],
        flags=sorted(decision.flags),
        decided_at=now,
        decided_by=actor.label,
        dock_to_stock_seconds=int((now - received_at).total_seconds()) if received_at else None,
    )
    bucket = landing_bucket(decision.chosen.path)
    if bucket is not None:
        move_in(
            uow,
            actor,
            now,
            [
                Movement(
                    origin.code,
                    line.sku,
                    None,
                    bucket,
                    units,
                    f"disposition:{decision.chosen.path}",
                    disposition.id,
                )
            ],
            return_id=row.id,
            line_id=line.id,
            grade=inspection.grade,
        )
    line.disposition = disposition_summary(disposition)
    record(
        uow,
        actor,
        now,
        "disposition.decided",
        "return",
        row.id,
        {
            "return_line_id": line.id,
            "sku": line.sku,
            "grade": inspection.grade,
            "path": disposition.path,
            "node_code": disposition.node_code,
            "expected_recovery": disposition.expected_recovery,
            "currency": disposition.currency,
            "flags": disposition.flags,
        },
        topic="disposition.decided",
    )
    return disposition, decision


def _value_json(v: PathValue, units: int) -> dict[str, Any]:
    return {
        "path": v.path,
        "node_code": v.node,
        "gross": v.gross * units,
        "cost": v.cost * units,
        "handling": v.handling * units,
        "transfer": v.transfer * units,
        "net": v.net * units,
        "allowed": v.allowed,
        "excluded": [{"code": e.code, "message": e.message} for e in v.excluded],
    }


def _value_of(item: dict[str, Any]) -> PathValue:
    excluded = tuple(Exclusion(e["code"], e["message"]) for e in item.get("excluded", []))
    return PathValue(
        item["path"],
        item["node_code"],
        item["gross"],
        item["cost"],
        item["handling"],
        item["transfer"],
        excluded,
    )


def stored_decision(row: DispositionRow) -> Decision:
    """The decision as stored (values are for the line's units), for an override to act on."""
    values = tuple(_value_of(a) for a in row.alternatives)
    chosen = next(v for v in values if v.path == row.path)
    recommended = next(v for v in values if v.path == row.recommended_path)
    return Decision(row.return_line_id, row.currency, chosen, recommended, values, frozenset(row.flags or []))


def disposition_summary(row: DispositionRow) -> dict[str, Any]:
    """What the return's line shows: path, node, expected recovery, and whether it was overridden."""
    return {
        "path": row.path,
        "node_code": row.node_code,
        "expected_recovery": row.expected_recovery,
        "currency": row.currency,
        "recommended_path": row.recommended_path,
        "overridden": row.override_reason is not None,
        "flags": list(row.flags or []),
    }


def disposition_view(row: DispositionRow) -> dict[str, Any]:
    """The full disposition: the choice, the recommendation, the override and every alternative."""
    alternatives = sorted(row.alternatives, key=lambda a: (not a["allowed"], -a["net"]))
    return {
        **disposition_summary(row),
        "id": row.id,
        "origin_node": row.origin_node,
        "recommended": {
            "path": row.recommended_path,
            "node_code": row.recommended_node,
            "expected_recovery": row.recommended_recovery,
        },
        "override": (
            {"reason": row.override_reason, "by": row.override_actor, "at": row.overridden_at}
            if row.override_reason is not None
            else None
        ),
        "alternatives": alternatives,
        "decided_at": row.decided_at,
        "dock_to_stock_seconds": row.dock_to_stock_seconds,
    }


def override_disposition(
    db: Database, clock: Clock, actor: Actor, return_id: str, line_id: str, path: str, reason: str
) -> dict[str, Any]:
    """A specialist sends the line's units down another allowed path, with the reason (audited)."""
    actor.require("disposition.override")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        row, _ = floor_return(uow, actor, return_id, for_update=True)
        line = floor_line(uow, row, line_id)
        current = uow.floor.disposition_of(line.id, for_update=True)
        if current is None:
            raise Conflict(f"line {line_id} has no disposition yet", code="not_inspected")
        if path == current.path:
            raise ValidationFailed(
                f"the line is already on {path}",
                code="same_path",
                problems=[FieldProblem("path", "same_path", f"already {path}")],
            )
        if any(w.status == "open" for w in uow.floor.work_orders_of(line.id)):
            raise Conflict("the line has an open work order; complete it first", code="work_in_progress")
        decision = apply_override(stored_decision(current), Override(path, reason, actor.label))
        units = _landed_units(uow, current, line)
        before, after = landing_bucket(current.path), landing_bucket(path)
        if before != after and units:
            move_in(
                uow,
                actor,
                now,
                [
                    Movement(
                        current.origin_node, line.sku, before, after, units, f"override:{path}", current.id
                    )
                ],
                return_id=row.id,
                line_id=line.id,
                grade=line.grade,
            )
        previous = {
            "path": current.path,
            "node_code": current.node_code,
            "expected_recovery": current.expected_recovery,
        }
        current.path = decision.chosen.path
        current.node_code = decision.chosen.node
        current.expected_recovery = decision.chosen.net
        current.override_reason = reason
        current.override_actor = actor.label
        current.overridden_at = now
        line.disposition = disposition_summary(current)
        record(
            uow,
            actor,
            now,
            "disposition.overridden",
            "return",
            row.id,
            {
                "return_line_id": line.id,
                "from": previous,
                "to": {
                    "path": current.path,
                    "node_code": current.node_code,
                    "expected_recovery": current.expected_recovery,
                },
                "recommended_path": current.recommended_path,
                "reason": reason,
            },
            topic="disposition.overridden",
        )
        view = disposition_view(current)
        uow.commit()
    return view


def _landed_units(uow: UnitOfWork, row: DispositionRow, line: ReturnLineRow) -> int:
    """The line's units still where the disposition put them (refused once they moved on)."""
    stock = line_stock(uow, line.id)
    bucket = landing_bucket(row.path)
    if bucket is None:
        if stock:
            raise Conflict("the line's units have moved on; they cannot be redirected", code="unit_moved")
        inspection = uow.floor.inspection_of(line.id)
        return _units_of(uow, line) if inspection is not None else 0
    here = stock.get((row.origin_node, bucket), 0)
    if not here or len(stock) != 1:
        raise Conflict("the line's units have moved on; they cannot be redirected", code="unit_moved")
    return here


def _units_of(uow: UnitOfWork, line: ReturnLineRow) -> int:
    return min(uow.floor.received_quantities(line.return_id).get(line.id, 0), line.quantity)


def get_disposition(db: Database, actor: Actor, return_id: str, line_id: str) -> dict[str, Any]:
    """GET …/disposition: the line's disposition with every alternative."""
    actor.require("floor.read")
    with db.uow(actor.tenant_id, readonly=True) as uow:
        row, _ = floor_return(uow, actor, return_id)
        line = floor_line(uow, row, line_id)
        found = uow.floor.disposition_of(line.id)
        if found is None:
            raise NotFound(f"line {line_id} has no disposition yet", code="not_found")
        return disposition_view(found)
