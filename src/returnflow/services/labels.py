"""Return labels: assemble the label facts, issue the tracking number once, refuse non-compliant ones."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, Protocol

from returnflow.adapters.geo import place
from returnflow.adapters.labels.offline import qr_payload, routing_code
from returnflow.domain import hazmat
from returnflow.domain.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from returnflow.domain.labels import LabelAddress, ShippingLabel
from returnflow.domain.routing import hazmat_violations
from returnflow.services.access import Actor
from returnflow.services.clock import Clock
from returnflow.services.network import carrier_services
from returnflow.services.recording import record
from returnflow.services.routing import parcel_for_row, route_row

if TYPE_CHECKING:
    from returnflow.adapters.db.tables import ReturnRow
    from returnflow.adapters.db.uow import Database, UnitOfWork

FORMATS = {"pdf": "application/pdf", "zpl": "application/x-zpl", "qr": "image/png"}
LABELLED_STATUSES = ("approved", "in_transit", "delivered")
LABEL_FREE_METHODS = {"in_store": "an in-store return", "keep_it": "a keep-it return"}
# Why a return in another status has no label, as the shopper or specialist reads it.
NO_LABEL_WORDS = {
    "requested": "is still being decided; a label is issued once it is approved",
    "pending_review": "is waiting for review; a label is issued once it is approved",
    "rejected": "was rejected, so it has no label",
    "cancelled": "was cancelled, so it has no label",
    "expired": "expired before it was sent, so it has no label",
    "received": "has already arrived, so it needs no label",
    "inspected": "has already arrived, so it needs no label",
    "completed": "is completed, so it needs no label",
}


class TrackingIssuer(Protocol):
    """The part of the carrier-label port this use case needs: one tracking number per parcel."""

    def issue_tracking_number(self, carrier: str, service: str, reference: str) -> str:
        """A new tracking number for a parcel on `service`."""
        ...


class SelfIssued:
    """Offline issuer: 'RF' + 11 random digits + a Luhn check digit."""

    def issue_tracking_number(self, carrier: str, service: str, reference: str) -> str:
        """A self-issued tracking number."""
        del carrier, service, reference
        body = "".join(secrets.choice("0123456789") for _ in range(11))
        total = 0
        for i, ch in enumerate(reversed(body)):
            d = int(ch) * (2 if i % 2 == 0 else 1)
            total += d - 9 if d > 9 else d
        return f"RF{body}{(10 - total % 10) % 10}"


def _status_words(status: str) -> str:
    """Why a return in `status` has no label, in words."""
    return NO_LABEL_WORDS.get(status, f"is {status.replace('_', ' ')}, so it has no label")


def _hazmat_rule(hazmat_class: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(packaging, marks) the hazmat table gives for a class."""
    rule = hazmat.rule_for(hazmat_class)
    return tuple(rule.packaging), tuple(rule.marks)


def compliance_problems(
    uow: UnitOfWork, row: ReturnRow
) -> tuple[list[FieldProblem], tuple[str, ...], tuple[str, ...]]:
    """Hazmat rules the routed (service, node, method) breaks, plus the packaging and marks that apply."""
    parcel = parcel_for_row(uow, row)
    services, _, _ = carrier_services(uow, row.currency)
    service = next((s for s in services if s.code == row.carrier_service), None)
    node = uow.catalog.node(row.destination_node or "")
    caps = frozenset(node.capabilities or ()) if node else frozenset()
    problems: list[FieldProblem] = []
    packaging: list[str] = []
    marks: list[str] = []
    for cls in parcel.hazmat_classes:
        pack, mark = _hazmat_rule(cls)
        packaging.extend(p for p in pack if p not in packaging)
        marks.extend(m for m in mark if m not in marks)
        mode = service.mode if service else "ground"
        for v in hazmat_violations(cls, mode, caps):
            problems.append(FieldProblem(f"hazmat.{cls}", v.code, v.message))
        if service is not None and not service.accepts_hazmat:
            problems.append(
                FieldProblem(f"hazmat.{cls}", "hazmat_service", f"{service.code} refuses dangerous goods")
            )
        if row.label_type == "qr":
            problems.append(
                FieldProblem(f"hazmat.{cls}", "hazmat_box_free", "dangerous goods cannot go box-free")
            )
    return problems, tuple(packaging), tuple(marks)


def _address(name: str, line1: str, postal_code: str, country: str) -> LabelAddress:
    found = place(postal_code, country)
    return LabelAddress(
        name=name,
        line1=line1,
        city=found.city if found else "",
        region=found.region if found else None,
        postal_code=postal_code,
        country=country,
    )


def assemble(
    uow: UnitOfWork, row: ReturnRow, tracking_number: str, marks: tuple[str, ...], packaging: tuple[str, ...]
) -> ShippingLabel:
    """The label facts of a routed return."""
    node = uow.catalog.node(row.destination_node or "")
    customer = uow.catalog.customer(row.customer_email)
    if node is None or customer is None:  # pragma: no cover - routed returns have both
        raise NotFound("the return's destination is gone", code="not_found")
    services, _, _ = carrier_services(uow, row.currency)
    service = next((s for s in services if s.code == row.carrier_service), None)
    parcel = parcel_for_row(uow, row)
    return ShippingLabel(
        tracking_number=tracking_number,
        rma_number=row.number,
        carrier=service.carrier if service else "",
        service_name=service.name if service else (row.carrier_service or ""),
        ship_from=_address(
            customer.name or "Customer", f"Return {row.number}", customer.postal_code, customer.country
        ),
        ship_to=_address(node.name, f"Returns receiving {node.code}", node.postal_code, node.country),
        weight_grams=parcel.weight_grams,
        routing_code=routing_code(node.postal_code),
        qr_payload=qr_payload(row.number, tracking_number),
        reference=row.order_number,
        hazmat_marks=marks,
        packaging=packaging,
    )


def _match_pending(uow: UnitOfWork, row: ReturnRow, at: Any) -> None:
    """Let tracking match scans that arrived before the label (when the tracking service offers it)."""
    from returnflow.services.tracking import match_pending

    match_pending(uow, row, at)


def label_for(
    db: Database, clock: Clock, actor: Actor, return_id: str, issuer: TrackingIssuer | None = None
) -> ShippingLabel:
    """The return's label, issuing its tracking number the first time (later calls: the same label)."""
    actor.require("returns.read")
    now = clock()
    with db.uow(actor.tenant_id) as uow:
        row = uow.returns.get(return_id, for_update=True)
        if row is None:
            raise NotFound(f"return {return_id} not found", code="not_found")
        actor.ensure_visible(
            email=row.customer_email, node_code=row.destination_node, what=f"return {return_id}"
        )
        if row.method in LABEL_FREE_METHODS:
            raise Conflict(f"{LABEL_FREE_METHODS[row.method]} needs no shipping label", code="no_label")
        if row.status not in LABELLED_STATUSES:
            raise Conflict(f"return {row.number} {_status_words(row.status)}", code="no_label")
        if not row.destination_node or not row.carrier_service:
            route_row(uow, actor, row, now, strict=True)
        service_code = row.carrier_service or ""
        problems, packaging, marks = compliance_problems(uow, row)
        if problems:
            detail = "; ".join(p.message for p in problems)
            if packaging:
                detail += ". Packaging: " + " ".join(packaging)
            err = ValidationFailed(
                f"this label would break a hazmat rule: {detail}",
                code="hazmat_not_compliant",
                problems=problems
                + [FieldProblem("packaging", "packaging_instructions", p) for p in packaging],
            )
            raise err
        if row.tracking_number is None:
            issued = (issuer or SelfIssued()).issue_tracking_number(
                service_code.split("-")[0], service_code, row.number
            )
            row.tracking_number = issued
            row.label_type = row.label_type or "printed"
            row.updated_at = now
            record(
                uow,
                actor,
                now,
                "return.label_created",
                "return",
                row.id,
                {
                    "tracking_number": issued,
                    "service": row.carrier_service,
                    "node_code": row.destination_node,
                },
                topic="return.label_created",
            )
            _match_pending(uow, row, now)
        label = assemble(uow, row, row.tracking_number, marks, packaging)
        uow.commit()
    return label


def render_label(label: ShippingLabel, fmt: str) -> tuple[bytes, str]:
    """The label document in `fmt` (pdf, zpl or qr) and its media type."""
    if fmt not in FORMATS:
        raise ValidationFailed(
            f"unknown label format {fmt}; one of: {', '.join(FORMATS)}", code="invalid_format"
        )
    if fmt == "qr":
        import io

        import segno

        buf = io.BytesIO()
        segno.make(label.qr_payload, error="m").save(buf, kind="png", scale=8, border=4)
        return buf.getvalue(), FORMATS[fmt]
    from returnflow.adapters.labels import render

    data: bytes = render(label, fmt)  # type: ignore[arg-type]
    return data, FORMATS[fmt]


def label_summary(label: ShippingLabel) -> dict[str, Any]:
    """JSON facts of a label (for pages)."""
    return {
        "tracking_number": label.tracking_number,
        "service": label.service_name,
        "packaging": list(label.packaging),
    }
