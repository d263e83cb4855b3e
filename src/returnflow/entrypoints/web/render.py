"""Jinja2 environment (autoescaped, loaded from the package), display filters and HTML responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jinja2
from fastapi.responses import HTMLResponse

from returnflow.entrypoints.amounts import money

STATUS_WORDS: dict[str, str] = {
    "requested": "Requested",
    "pending_review": "Pending review",
    "approved": "Approved",
    "rejected": "Rejected",
    "in_transit": "On its way back",
    "delivered": "Delivered to us",
    "received": "Received",
    "inspected": "Inspected",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "expired": "Expired",
}

STATUS_HINTS: dict[str, str] = {
    "pending_review": "Our team is reviewing your return; we will get back to you soon.",
    "approved": "Your return is approved. Send the items back using your return label.",
    "rejected": "Your return was not accepted.",
    "in_transit": "Your parcel is on its way to us.",
    "delivered": "Your parcel has arrived at our returns centre.",
    "received": "We have received your items.",
    "inspected": "Your items have been inspected.",
    "completed": "Your return is complete.",
    "cancelled": "This return was cancelled.",
    "expired": "This return expired before the items were sent back.",
}

RESOLUTION_WORDS: dict[str, str] = {
    "refund": "Refund",
    "store_credit": "Store credit",
    "exchange": "Exchange",
}

# Security headers for every page: no inline script, no framing, no leaking URLs to other sites.
HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def status_words(status: str | None) -> str:
    """A return status as people say it."""
    return STATUS_WORDS.get(status or "", (status or "").replace("_", " ").capitalize())


def words(code: str | None) -> str:
    """A machine code (`store_credit`) as words ("Store credit")."""
    if not code:
        return "—"
    return RESOLUTION_WORDS.get(code, code.replace("_", " ").capitalize())


def event_words(action: str) -> str:
    """A timeline entry (`return.approved`) as words ("Return approved")."""
    _, _, what = action.partition(".")
    if what == "pending_review":
        return "Sent for review"
    if what in STATUS_WORDS:
        return f"Return {STATUS_WORDS[what].lower()}"
    return action.replace(".", " ").replace("_", " ").capitalize()


def when(value: datetime | str | None) -> str:
    """A timestamp in UTC, minute precision."""
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    return value.strftime("%Y-%m-%d %H:%M UTC")


def day(value: datetime | str | None) -> str:
    """A date (for ship-by dates and order placement)."""
    text = when(value)
    return text[:10] if text[:4].isdigit() else text


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("returnflow.entrypoints.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        money=money, status_words=status_words, words=words, when=when, day=day, event_words=event_words
    )
    env.globals.update(STATUS_HINTS=STATUS_HINTS)
    return env


ENV = _environment()


def page(template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render a template into an HTML response with the security headers."""
    html = ENV.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)
