"""The offline carrier-label issuer: ReturnFlow assigns tracking numbers and codes itself."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from returnflow.domain import tracking_numbers
from returnflow.domain.labels import ShippingLabel
from returnflow.services.label_port import LabelRequest

QR_SCHEME = "RF1"
_POSTAL = re.compile(r"[^0-9A-Z]")


def routing_code(postal_code: str) -> str:
    """The GS1-128 element string for sortation: AI (420) + the destination postal code."""
    code = _POSTAL.sub("", postal_code.upper())
    if not code:
        raise ValueError(f"postal code {postal_code!r} has no letters or digits for a routing code")
    return f"420{code[:20]}"  # AI 420 holds at most 20 characters


def qr_payload(rma_number: str, tracking_number: str) -> str:
    """What a box-free drop-off point scans: scheme, RMA number and tracking number."""
    return f"{QR_SCHEME}:{rma_number}:{tracking_number}"


def _random_serial() -> int:
    # Above every RMA-derived serial, so a random number can never equal a derived one.
    span = 10**tracking_numbers.SERIAL_DIGITS - tracking_numbers.RMA_SERIALS
    return tracking_numbers.RMA_SERIALS + secrets.randbelow(span)


class OfflineCarrierLabels:
    """Issues self-issued labels: tracking number from the RMA number (one-to-one) with a check digit."""

    def __init__(
        self, prefix: str = tracking_numbers.PREFIX, random_serial: Callable[[], int] = _random_serial
    ) -> None:
        """`prefix`: every tracking number's two letters; `random_serial`: serials for non-RMA references."""
        self.prefix = prefix
        self._random_serial = random_serial

    def issue_tracking_number(self, carrier: str, service: str, reference: str) -> str:
        """A tracking number for the parcel of return `reference` (the RMA number)."""
        del carrier, service  # self-issued numbers do not depend on the service
        derived = tracking_numbers.for_rma(reference, self.prefix)
        if derived is not None:
            return derived
        return tracking_numbers.compose(self._random_serial(), self.prefix)

    def issue(self, request: LabelRequest) -> ShippingLabel:
        """The complete label for `request`, with tracking number, routing code and QR payload."""
        tracking = self.issue_tracking_number(request.carrier, request.service_name, request.rma_number)
        return ShippingLabel(
            tracking_number=tracking,
            rma_number=request.rma_number,
            carrier=request.carrier,
            service_name=request.service_name,
            ship_from=request.ship_from,
            ship_to=request.ship_to,
            weight_grams=request.weight_grams,
            routing_code=routing_code(request.ship_to.postal_code),
            qr_payload=qr_payload(request.rma_number, tracking),
            reference=request.reference,
            hazmat_marks=request.hazmat_marks,
            packaging=request.packaging,
        )
