"""Why a carrier webhook or scan payload was refused: a bad signature, or a bad payload."""

from __future__ import annotations

from dataclasses import dataclass

from returnflow.domain.errors import DomainError, FieldProblem


@dataclass
class SignatureInvalid(DomainError):
    """The payload is not proven to come from the provider (missing, wrong, or stale signature)."""

    code: str = "signature_invalid"


@dataclass
class PayloadInvalid(DomainError):
    """The payload is signed but cannot be read: malformed JSON, or a field missing or wrong."""

    code: str = "payload_invalid"

    @classmethod
    def at(cls, field: str, problem: str, code: str = "invalid_field") -> PayloadInvalid:
        """An error naming the bad field (a dotted path such as `result.tracking_code`)."""
        return cls(f"{field}: {problem}", problems=[FieldProblem(field, code, problem)])

    @property
    def field(self) -> str | None:
        """The path of the first bad field, when the error names one."""
        return self.problems[0].field if self.problems else None
