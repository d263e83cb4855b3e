"""What the workstation shows: its pages rendered with a per-response nonce, QC-flag alerts in words."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from fastapi.responses import HTMLResponse

from returnflow.domain.errors import DomainError, FieldProblem
from returnflow.domain.inspection import GRADE_NAMES, GRADES
from returnflow.entrypoints.web.render import ENV, HEADERS

# Grade radios: the letter, its meaning and the number key that picks it.
GRADE_CHOICES = tuple((g, GRADE_NAMES[g], str(i + 1)) for i, g in enumerate(GRADES))
RECEIPT_WORDS = {
    "matched": "Everything on the return came.",
    "partial": "Part of the return came; the rest may follow in another parcel.",
    "short": "Fewer units came than the return names (short-shipped).",
    "wrong_item": "Something else than what was sold came (wrong item).",
    "blind": "Unknown parcel.",
}
LIGHT = "lighter than expected: an empty box or missing parts?"
HEAVY = "heavier than expected: a swapped item?"


def page(template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render with a fresh nonce that lets the page's own inline script and style run (nothing else)."""
    nonce = secrets.token_urlsafe(16)
    html = ENV.get_template(template).render(**context, nonce=nonce)
    policy = (
        HEADERS["Content-Security-Policy"]
        .replace("script-src 'self'", f"script-src 'self' 'nonce-{nonce}'")
        .replace("style-src 'self'", f"style-src 'self' 'nonce-{nonce}'")
    )
    return HTMLResponse(html, status_code=status_code, headers={**HEADERS, "Content-Security-Policy": policy})


def sentence(text: str) -> str:
    """A message as the start of a sentence ("photo required: …" → "Photo required: …")."""
    return text[:1].upper() + text[1:]


def problem_lines(err: DomainError) -> list[str]:
    """An error's message followed by each field problem, for an alert box."""
    lines = [sentence(str(err))]
    return lines + [sentence(p.message) for p in err.problems if sentence(p.message) not in lines]


def by_field(problems: list[FieldProblem]) -> dict[str, list[str]]:
    """Problem messages keyed by form field (checklist answers by question code, photos by code)."""
    out: dict[str, list[str]] = {}
    for p in problems:
        name = p.field.split(".", 1)[1] if p.field.startswith(("answers.", "photos.")) else p.field
        out.setdefault(name, []).append(sentence(p.message))
    return out


def flag_alerts(inspection: Mapping[str, Any] | None, disposition: Mapping[str, Any] | None) -> list[str]:
    """QC flags an inspector must act on, in words: serial and weight mismatches, a wrong item."""
    if inspection is None:
        return []
    flags = set(inspection.get("flags") or [])
    fraud = "fraud_review" in set((disposition or {}).get("flags") or [])
    out: list[str] = []
    serial = inspection.get("serial_check") or {}
    if "serial_mismatch" in flags:
        sold = ", ".join(serial.get("expected") or []) or "none"
        if serial.get("missing_scan"):
            text = f"Serial mismatch: no serial was scanned, but this order sold serial {sold}."
        else:
            scanned = ", ".join(serial.get("unexpected") or serial.get("scanned") or [])
            text = f"Serial mismatch: scanned {scanned}, but this order sold serial {sold}."
        out.append(text + (" Flagged for fraud review." if fraud else ""))
    weight = inspection.get("weight_check") or {}
    if "weight_mismatch" in flags and weight:
        why = LIGHT if weight.get("direction") == "light" else HEAVY
        out.append(
            f"Weight mismatch: measured {weight['measured_grams']:,} g, "
            f"expected {weight['expected_grams']:,} g (±{weight['allowed_grams']:,} g), {why}"
        )
    if "wrong_item" in flags:
        out.append("Wrong item: what arrived is not what was sold on this line.")
    return out
