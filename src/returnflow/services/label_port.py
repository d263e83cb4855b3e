"""The carrier-label port: who issues a parcel's tracking number and codes (offline, or a carrier API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from returnflow.domain.labels import LabelAddress, ShippingLabel


@dataclass(frozen=True, slots=True)
class LabelRequest:
    """Everything a label needs except what its issuer assigns (tracking number, routing code, QR)."""

    rma_number: str
    carrier: str
    service_name: str
    ship_from: LabelAddress
    ship_to: LabelAddress
    weight_grams: int
    reference: str = ""
    hazmat_marks: tuple[str, ...] = field(default_factory=tuple)
    packaging: tuple[str, ...] = field(default_factory=tuple)


class CarrierLabelPort(Protocol):
    """Issues a label: assigns the tracking number and the codes scanners read."""

    def issue(self, request: LabelRequest) -> ShippingLabel:
        """A new label for the parcel described by `request`."""
        ...

    def issue_tracking_number(self, carrier: str, service: str, reference: str) -> str:
        """Only a new tracking number for a parcel (`reference` = the RMA number)."""
        ...
