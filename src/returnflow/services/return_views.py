"""How a return is shown to API clients and pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from returnflow.adapters.db.tables import ReturnLineRow, ReturnRow


def return_view(row: ReturnRow, lines: Sequence[ReturnLineRow]) -> dict[str, Any]:
    """The return resource of API.md."""
    decision = dict(row.decision or {})
    return {
        "id": row.id,
        "number": row.number,
        "status": row.status,
        "type": row.type or "customer",
        "order_number": row.order_number,
        "customer_email": row.customer_email,
        "resolution": row.resolution,
        "method": row.method,
        "lines": [
            {
                "id": line.id,
                "order_line_id": line.order_line_id,
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "reason": line.reason,
                "note": line.note,
                "opened": line.opened,
                "serial": line.serial,
                "status": line.status,
                "grade": line.grade,
                "disposition": line.disposition,
            }
            for line in lines
        ],
        "decision": {
            "eligible": decision.get("outcome") != "rejected",
            "outcome": decision.get("outcome"),
            "reasons": decision.get("reasons", []),
            "rules_fired": decision.get("rules_fired", []),
            "fees": decision.get("fees", []),
            "items_total": row.items_total,
            "fees_total": decision.get("fees_total", 0),
            "bonus_credit": decision.get("bonus_credit", 0),
            "refund_total": row.refund_total,
            "currency": row.currency,
            "policy_version": row.policy_version,
            "resolutions_allowed": decision.get("resolutions_allowed", []),
            "keep_it": decision.get("keep_it", False),
            "ship_by": decision.get("ship_by"),
            "label_expires_at": decision.get("label_expires_at"),
            "required_checks": decision.get("required_checks", []),
            "deductions": decision.get("deductions", []),
        },
        "risk": row.risk,
        "credit_trigger": row.credit_trigger,
        "destination": {"node_code": row.destination_node} if row.destination_node else None,
        "tracking_number": row.tracking_number,
        "carrier_service": row.carrier_service,
        "label_type": row.label_type,
        "routing_cost": row.routing_cost,
        "routing": row.routing,
        "status_note": row.status_note,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }
