"""Customer email templates: Jinja files shipped in the package; tenant overrides run sandboxed."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

KINDS = ("return_approved", "in_transit", "received", "credit_issued", "exchange_shipped")


class JinjaTemplates:
    """Each kind is `<kind>.txt`: the first line is the subject, the rest the body."""

    def __init__(self) -> None:
        self._defaults = Environment(
            loader=PackageLoader("returnflow.adapters.email", "templates"),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        # Tenant-written templates are untrusted: no attribute tricks, no undefined-name crashes.
        self._sandbox = SandboxedEnvironment()

    def render(self, kind: str, context: dict[str, Any], override: tuple[str, str] | None) -> tuple[str, str]:
        """(subject, body) of `kind`."""
        if override is not None:
            subject, body = override
            return (
                self._sandbox.from_string(subject).render(context).strip(),
                self._sandbox.from_string(body).render(context),
            )
        text = self._defaults.get_template(f"{kind}.txt").render(context)
        subject, _, body = text.partition("\n")
        return subject.strip(), body.lstrip("\n")
