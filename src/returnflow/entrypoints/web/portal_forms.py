"""The portal's forms: the return request and the return method, read and checked; refusals in words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from returnflow.domain.errors import DomainError, FieldProblem
from returnflow.services.inputs import ReturnInput

RESOLUTIONS = ("refund", "store_credit", "exchange")
NOTE_MAX = 2000
_LINE_FIELD = re.compile(r"^lines\[(\d+)\]")


@dataclass
class LineChoice:
    """What the shopper entered for one order line (kept as text to redisplay it unchanged)."""

    picked: bool = False
    quantity: str = "1"
    reason: str = ""
    note: str = ""
    opened: bool = False


@dataclass
class ReturnForm:
    """The whole form: per-line choices, the resolution, and any problems to show."""

    lines: dict[str, LineChoice] = field(default_factory=dict)
    resolution: str = "refund"
    line_errors: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rejected: bool = False

    def add_line_error(self, line_id: str, message: str) -> None:
        """Attach a message to one line (shown beside it and in the summary)."""
        self.line_errors.setdefault(line_id, []).append(message)

    @property
    def picked_ids(self) -> list[str]:
        """The order lines the shopper chose, in order-line order."""
        return [line_id for line_id, choice in self.lines.items() if choice.picked]

    @property
    def has_errors(self) -> bool:
        """Whether anything stops the submission."""
        return bool(self.errors or self.line_errors)


def empty_form(order: dict[str, Any]) -> ReturnForm:
    """A fresh form for an order: nothing picked, refund preselected."""
    return ReturnForm(lines={line["id"]: LineChoice() for line in order["lines"]})


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def read_return_form(
    form: FormData, order: dict[str, Any], reason_codes: Sequence[str]
) -> tuple[ReturnForm, ReturnInput | None]:
    """The shopper's choices and, when they are complete and sensible, the service input."""
    picked = {v for v in form.getlist("line") if isinstance(v, str)}
    out = ReturnForm(resolution=_text(form, "resolution") or "refund")
    requested: list[dict[str, Any]] = []
    for line in order["lines"]:
        line_id = line["id"]
        choice = LineChoice(
            picked=line_id in picked and line["returnable_quantity"] > 0,
            quantity=_text(form, f"qty-{line_id}") or "1",
            reason=_text(form, f"reason-{line_id}"),
            note=_text(form, f"note-{line_id}"),
            opened=_text(form, f"opened-{line_id}") in ("on", "yes", "true", "1"),
        )
        out.lines[line_id] = choice
        if not choice.picked:
            continue
        most = line["returnable_quantity"]
        quantity = int(choice.quantity) if choice.quantity.isdigit() else 0
        if not 1 <= quantity <= most:
            out.add_line_error(line_id, f"Choose a quantity from 1 to {most}.")
        if choice.reason not in reason_codes:
            out.add_line_error(line_id, "Choose a reason for returning this item.")
        if len(choice.note) > NOTE_MAX:
            out.add_line_error(line_id, f"Keep the note under {NOTE_MAX} characters.")
        requested.append(
            {
                "order_line_id": line_id,
                "quantity": quantity,
                "reason": choice.reason,
                "note": choice.note or None,
                "opened": choice.opened,
            }
        )
    if not requested:
        out.errors.append("Choose at least one item to return.")
    if out.resolution not in RESOLUTIONS:
        out.errors.append("Choose how you would like to be credited.")
        out.resolution = "refund"
    if out.has_errors:
        return out, None
    try:
        data = ReturnInput.model_validate(
            {"order_number": order["number"], "resolution": out.resolution, "lines": requested}
        )
    except ValidationError:
        out.errors.append("Some of your answers could not be read; please check the form.")
        return out, None
    return out, data


def place_problems(form: ReturnForm, problems: Sequence[FieldProblem], message: str) -> None:
    """Show the services' problems (`lines[i]…` fields) beside the lines they concern."""
    picked = form.picked_ids
    placed = False
    for problem in problems:
        match = _LINE_FIELD.match(problem.field)
        index = int(match.group(1)) if match else -1
        if 0 <= index < len(picked):
            form.add_line_error(picked[index], problem.message)
            placed = True
        else:
            form.errors.append(problem.message)
    if not placed and not form.errors:
        form.errors.append(message)


def problems_from(body: dict[str, Any]) -> list[FieldProblem]:
    """Field problems from a stored (replayed) error response."""
    return [FieldProblem(p["field"], p["code"], p["message"]) for p in body.get("problems", [])]


def read_method_choice(form: FormData) -> tuple[str | None, str | None]:
    """The method code the shopper picked, or the message to show when there is none to send on.

    A well-formed code that this return does not qualify for still goes to the service, which is the
    one place that decides and explains why not.
    """
    code = _text(form, "method")
    if not code:
        return None, "Choose how you will send your return back."
    if len(code) > 20 or not code.replace("_", "").isalnum():
        return None, "This return method is not one we offer. Please choose one from the list."
    return code, None


def refusal_message(err: DomainError) -> str:
    """A service refusal as one sentence or two for the shopper (reasons after the summary)."""
    summary = err.message[:1].upper() + err.message[1:]
    if err.code == "method_not_available":
        reasons = " ".join(p.message for p in err.problems)
        return f"{summary}. {reasons}".strip()
    if err.code == "unknown_method":
        return "This return method is not one we offer. Please choose one from the list."
    return summary if summary.endswith(".") else f"{summary}."
