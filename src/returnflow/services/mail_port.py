"""The port the worker sends customer emails through, and the template renderer it uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Attachment:
    """A file attached to an email."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class OutgoingEmail:
    """One plain-text customer email."""

    to: str
    subject: str
    text: str
    attachments: list[Attachment] = field(default_factory=list)


class MailPort(Protocol):
    """Delivers an email or raises (the worker retries later)."""

    def send(self, email: OutgoingEmail) -> None:
        """Hand the email to the mail server."""


class TemplateRenderer(Protocol):
    """Renders a kind of email (the tenant's override, if any, else the shipped default)."""

    def render(self, kind: str, context: dict[str, Any], override: tuple[str, str] | None) -> tuple[str, str]:
        """(subject, body) for `kind` with `context`."""
