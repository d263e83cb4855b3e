"""Carrier tracking webhooks (EasyPost, Shippo, AfterShip, generic): verify, then parse to events."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from returnflow.adapters.carriers import aftership, easypost, generic, shippo
from returnflow.adapters.carriers.errors import PayloadInvalid, SignatureInvalid
from returnflow.adapters.carriers.webhook_format import CarrierWebhookFormat

PROVIDERS: Mapping[str, CarrierWebhookFormat] = MappingProxyType(
    {f.provider: f for f in (easypost.FORMAT, shippo.FORMAT, aftership.FORMAT, generic.FORMAT)}
)

__all__ = ["PROVIDERS", "CarrierWebhookFormat", "PayloadInvalid", "SignatureInvalid"]
