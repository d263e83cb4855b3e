"""Domain errors: a machine-readable code and a human message, never an HTTP status."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one input field (or policy rule)."""

    field: str
    code: str
    message: str


@dataclass
class DomainError(Exception):
    """Base of every rule violation the domain reports."""

    message: str
    code: str = "domain_error"
    problems: list[FieldProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


class ValidationFailed(DomainError):
    """Input that is well-formed but breaks a business rule (unknown SKU, bad quantity, …)."""


class NotFound(DomainError):
    """The object does not exist for this tenant (or this customer)."""


class Conflict(DomainError):
    """The object already exists, or the request conflicts with its current state."""


class IllegalTransition(Conflict):
    """A status change the state machine does not allow."""


class PolicyInvalid(DomainError):
    """A policy document that cannot be saved: every problem is listed."""
