"""What a return shipping label says: the facts every label format (PDF 4×6, ZPL) renders."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class LabelAddress:
    """A postal address as printed on a label."""

    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str | None = None
    region: str | None = None


@dataclass(frozen=True, slots=True)
class ShippingLabel:
    """One parcel's label: who sends it where, on which service, and the codes a scanner reads.

    `tracking_number` is printed and encoded as Code 128; `routing_code` (GS1-128 with AI 420, the
    destination postal code) drives carrier sortation; `qr_payload` is what a box-free drop-off point
    scans. `hazmat_marks` are the handling marks and `packaging` the packaging instructions that the
    item's hazmat class requires (empty for ordinary goods).
    """

    tracking_number: str
    rma_number: str
    carrier: str
    service_name: str
    ship_from: LabelAddress
    ship_to: LabelAddress
    weight_grams: int
    routing_code: str
    qr_payload: str
    reference: str = ""
    hazmat_marks: tuple[str, ...] = field(default_factory=tuple)
    packaging: tuple[str, ...] = field(default_factory=tuple)
