"""The shape every provider module fills in: verify a signature, then parse the events."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from returnflow.domain.tracking import CarrierEvent

Verify = Callable[[Mapping[str, str], bytes, Sequence[str], datetime], None]
Parse = Callable[[bytes], list[CarrierEvent]]


@dataclass(frozen=True)
class CarrierWebhookFormat:
    """One provider's webhook: its signature header, its verifier and its parser."""

    provider: str
    signature_header: str
    verify: Verify
    parse: Parse

    def read(
        self, headers: Mapping[str, str], body: bytes, secrets: Sequence[str], now: datetime
    ) -> list[CarrierEvent]:
        """Verify, then parse: nothing is read from a payload whose signature fails."""
        self.verify(headers, body, secrets, now)
        return self.parse(body)
