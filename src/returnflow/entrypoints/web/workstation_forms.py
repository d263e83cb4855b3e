"""What the workstation's forms mean: scan-field commands, the inspection form and the parcel count."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from pydantic import ValidationError
from starlette.datastructures import FormData

from returnflow.domain.errors import FieldProblem
from returnflow.domain.inspection import Checklist
from returnflow.services.floor_inputs import InspectionInput, ReceivedLineInput

# Keys 1–5 or the letters themselves pick a grade (there is no grade E).
GRADE_KEYS = {
    "1": "A",
    "2": "B",
    "3": "C",
    "4": "D",
    "5": "F",
    "A": "A",
    "B": "B",
    "C": "C",
    "D": "D",
    "F": "F",
}
PASS_ALL = frozenset({"P", "PASS"})
MAX_TEXT = 2000
SCAN_MAX = 500


@dataclass(frozen=True)
class Command:
    """What was typed (or scanned) into the scan field while a line is being inspected."""

    kind: Literal["submit", "grade", "pass_all", "serial", "bad_grade"]
    value: str = ""


def read_command(text: str) -> Command:
    """Empty → submit; 1–5 / A–F → a grade; P → pass the open checks; anything longer → a serial."""
    value = text.strip()
    upper = value.upper()
    if not value:
        return Command("submit")
    if upper in GRADE_KEYS:
        return Command("grade", GRADE_KEYS[upper])
    if upper in PASS_ALL:
        return Command("pass_all")
    if len(value) == 1:
        return Command("bad_grade", upper)
    return Command("serial", value[:100])


def _text(form: FormData, name: str, limit: int = MAX_TEXT) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


@dataclass(frozen=True)
class Entered:
    """The inspection form as the inspector filled it (kept to fill the form again after a refusal)."""

    answers: dict[str, str] = field(default_factory=dict)
    grade: str | None = None
    serial: str = ""
    weight: str = ""
    transit_damage: bool = False
    notes: str = ""
    started_at: str = ""
    scan: str = ""

    def passing_open_checks(self, checklist: Checklist) -> Entered:
        """Every pass/fail question not answered yet marked as passed."""
        answers = dict(self.answers)
        for q in checklist.questions:
            if q.kind == "pass_fail" and answers.get(q.code) not in ("pass", "fail"):
                answers[q.code] = "pass"
        return replace(self, answers=answers)


def read_entered(form: FormData, checklist: Checklist) -> Entered:
    """The posted inspection form."""
    grade = _text(form, "grade").upper()
    return Entered(
        answers={
            q.code: _text(form, f"q_{q.code}", 40) for q in checklist.questions if _text(form, f"q_{q.code}")
        },
        grade=grade if grade in GRADE_KEYS.values() else None,
        serial=_text(form, "serial", 100),
        weight=_text(form, "weight_grams", 20),
        transit_damage=form.get("transit_damage") == "on",
        notes=_text(form, "notes"),
        started_at=_text(form, "started_at", 40),
        scan=_text(form, "scan", SCAN_MAX),
    )


def answers_of(entered: Entered, checklist: Checklist) -> tuple[dict[str, bool | float], list[FieldProblem]]:
    """Checklist answers by question code: True/False for pass/fail, a number for a measurement."""
    answers: dict[str, bool | float] = {}
    problems: list[FieldProblem] = []
    for q in checklist.questions:
        raw = entered.answers.get(q.code, "")
        if not raw:
            continue
        if q.kind == "pass_fail":
            if raw in ("pass", "fail"):
                answers[q.code] = raw == "pass"
            continue
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            problems.append(
                FieldProblem(f"answers.{q.code}", "invalid_answer", f"{q.prompt}: enter a number")
            )
            continue
        if number != number or number in (float("inf"), float("-inf")):
            problems.append(
                FieldProblem(f"answers.{q.code}", "invalid_answer", f"{q.prompt}: enter a number")
            )
            continue
        answers[q.code] = number
    return answers, problems


def inspection_input(
    entered: Entered, answers: dict[str, bool | float]
) -> tuple[InspectionInput | None, list[FieldProblem]]:
    """The service's input, or the problems that keep the form from becoming one."""
    problems: list[FieldProblem] = []
    weight: int | None = None
    if entered.weight:
        if entered.weight.isdigit():
            weight = int(entered.weight)
        else:
            problems.append(FieldProblem("weight_grams", "invalid_weight", "Weight: whole grams, e.g. 450"))
    if entered.grade is None:
        problems.append(
            FieldProblem(
                "grade", "required", "Choose the grade: type 1–5 or A–F in the scan field and press Enter"
            )
        )
    if problems:
        return None, problems
    body = {
        "grade": entered.grade,
        "checklist": answers,
        "serial": entered.serial or None,
        "weight_grams": weight,
        "transit_damage": entered.transit_damage,
        "notes": entered.notes or None,
        "started_at": entered.started_at or None,
    }
    try:
        return InspectionInput.model_validate(body), []
    except ValidationError as err:
        return None, [
            FieldProblem(".".join(str(p) for p in e["loc"]) or "form", e["type"], e["msg"])
            for e in err.errors()
        ]


@dataclass(frozen=True)
class CountedLine:
    """What the receiver said came of one return line."""

    line_id: str
    choice: Literal["counted", "later", "wrong"]
    quantity: str
    sku: str


COUNT_CHOICES = ("counted", "later", "wrong")


def read_count(form: FormData, line_ids: list[str]) -> list[CountedLine]:
    """The posted count, one entry per line of the return."""
    out: list[CountedLine] = []
    for line_id in line_ids:
        choice = _text(form, f"kind_{line_id}", 10)
        out.append(
            CountedLine(
                line_id,
                choice if choice in COUNT_CHOICES else "counted",  # type: ignore[arg-type]
                _text(form, f"qty_{line_id}", 10),
                _text(form, f"sku_{line_id}", 64),
            )
        )
    return out


def received_lines(
    counted: list[CountedLine], extra_sku: str, extra_qty: str
) -> tuple[list[ReceivedLineInput], list[FieldProblem]]:
    """The count as receiving's input: lines left for a later parcel are left out."""
    lines: list[ReceivedLineInput] = []
    problems: list[FieldProblem] = []
    for i, c in enumerate(counted):
        if c.choice == "later":
            continue
        if not c.quantity.isdigit():
            problems.append(
                FieldProblem(f"qty_{c.line_id}", "invalid_quantity", f"Line {i + 1}: units that came")
            )
            continue
        if c.choice == "wrong" and not c.sku:
            problems.append(
                FieldProblem(f"sku_{c.line_id}", "required", f"Line {i + 1}: the SKU of what came")
            )
            continue
        body = {
            "return_line_id": c.line_id,
            "quantity": int(c.quantity),
            "sku": c.sku if c.choice == "wrong" else None,
        }
        try:
            lines.append(ReceivedLineInput.model_validate(body))
        except ValidationError as err:
            problems.append(
                FieldProblem(f"sku_{c.line_id}", "invalid", f"Line {i + 1}: {err.errors()[0]['msg']}")
            )
    if extra_sku:
        qty = extra_qty or "1"
        try:
            lines.append(ReceivedLineInput.model_validate({"sku": extra_sku, "quantity": int(qty)}))
        except (ValueError, ValidationError):
            problems.append(
                FieldProblem("extra_qty", "invalid_quantity", "Unexpected item: a whole number of units")
            )
    if not lines and not problems:
        problems.append(
            FieldProblem("lines", "required", "Nothing came? Count at least one unit, or scan it blind")
        )
    return lines, problems
