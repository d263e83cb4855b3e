"""Inspection: category checklists, their evaluation into pass/fail items, QC flags and a grade.

A checklist is data (loaded and validated by ``adapters.inspection``). Each question either passes
or fails; a failed question caps the best grade the unit can get (``fail_grade``) and may raise a
QC flag. Grades run A (like-new) … F (unsellable); the inspector may grade worse than the answers
allow, never better. Serial and weight checks compare what arrived with what was sold.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from returnflow.domain.errors import FieldProblem, ValidationFailed

GRADES = ("A", "B", "C", "D", "F")
GRADE_NAMES: Mapping[str, str] = {
    "A": "like-new",
    "B": "good",
    "C": "fair",
    "D": "parts",
    "F": "unsellable",
}
QUESTION_KINDS = ("pass_fail", "measurement")

# QC flags this module raises itself; checklist questions may raise further ones of their own.
SERIAL_MISMATCH = "serial_mismatch"
WEIGHT_MISMATCH = "weight_mismatch"
TRANSIT_DAMAGE = "transit_damage"


def grade_rank(grade: str) -> int:
    """0 for A (best) … 4 for F (worst)."""
    return GRADES.index(grade)


def worse_grade(a: str, b: str) -> str:
    """The worse of two grades."""
    return a if grade_rank(a) >= grade_rank(b) else b


@dataclass(frozen=True, slots=True)
class Question:
    """One checklist question: pass/fail, or a measurement that passes inside [minimum, maximum]."""

    code: str
    prompt: str
    kind: str = "pass_fail"
    fail_grade: str = "C"
    required: bool = True
    flag: str | None = None
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None

    def passes(self, value: bool | float) -> bool:
        """Whether an answer passes: True for pass/fail, within the range for a measurement."""
        if self.kind == "pass_fail":
            return value is True
        number = float(value)
        if self.minimum is not None and number < self.minimum:
            return False
        return not (self.maximum is not None and number > self.maximum)


@dataclass(frozen=True, slots=True)
class RequiredPhoto:
    """A photo the inspector must take (e.g. ``front``, ``serial_label``)."""

    code: str
    label: str


@dataclass(frozen=True)
class Checklist:
    """The guided inspection for one product category."""

    category: str
    questions: tuple[Question, ...]
    photos: tuple[RequiredPhoto, ...] = ()
    weight_tolerance: WeightTolerance | None = None

    def question(self, code: str) -> Question | None:
        """The question with this code, if the checklist has it."""
        return next((q for q in self.questions if q.code == code), None)


@dataclass(frozen=True)
class Checklists:
    """Checklists by category; a category without its own uses the ``other`` checklist."""

    by_category: Mapping[str, Checklist]
    weight_tolerance: WeightTolerance

    def for_category(self, category: str) -> Checklist:
        """The checklist for a product category (falls back to ``other``)."""
        return self.by_category.get(category) or self.by_category["other"]

    def tolerance_for(self, category: str) -> WeightTolerance:
        """The weight tolerance for a category: the checklist's own, else the default."""
        return self.for_category(category).weight_tolerance or self.weight_tolerance


@dataclass(frozen=True, slots=True)
class WeightTolerance:
    """Allowed deviation: the larger of `percent_bp` basis points of the expected weight and `min_grams`."""

    percent_bp: int = 1500
    min_grams: int = 50

    def allowed(self, expected_grams: int) -> int:
        """Grams a measured weight may deviate from `expected_grams`."""
        return max(self.min_grams, expected_grams * self.percent_bp // 10_000)


@dataclass(frozen=True, slots=True)
class WeightCheck:
    """Measured against expected weight; `direction` is ``light`` (empty box?) or ``heavy`` (swap?)."""

    expected_grams: int
    measured_grams: int
    allowed_grams: int

    @property
    def deviation_grams(self) -> int:
        """Measured minus expected (negative when lighter)."""
        return self.measured_grams - self.expected_grams

    @property
    def ok(self) -> bool:
        """Within tolerance."""
        return abs(self.deviation_grams) <= self.allowed_grams

    @property
    def direction(self) -> str | None:
        """``light`` or ``heavy`` when out of tolerance, else None."""
        if self.ok:
            return None
        return "light" if self.deviation_grams < 0 else "heavy"


def check_weight(expected_grams: int, measured_grams: int, tolerance: WeightTolerance) -> WeightCheck:
    """Compare a unit's measured weight with the product's weight."""
    if measured_grams < 0 or expected_grams < 0:
        raise ValidationFailed("weights cannot be negative", code="invalid_weight")
    return WeightCheck(expected_grams, measured_grams, tolerance.allowed(expected_grams))


@dataclass(frozen=True, slots=True)
class SerialCheck:
    """Scanned serials against the order's: `unexpected` were never sold on this order."""

    expected: tuple[str, ...]
    scanned: tuple[str, ...]
    unexpected: tuple[str, ...]
    missing_scan: bool

    @property
    def ok(self) -> bool:
        """Every scanned serial belongs to the order, and a serialized unit had one scanned."""
        return not self.unexpected and not self.missing_scan


def _normal(serial: str) -> str:
    return "".join(serial.split()).upper()


def check_serials(order_serials: Collection[str], scanned: Sequence[str]) -> SerialCheck:
    """Check scanned serials against the order line's; no order serials means nothing to check."""
    expected = tuple(_normal(s) for s in order_serials)
    seen = tuple(_normal(s) for s in scanned if s.strip())
    known = set(expected)
    unexpected = tuple(s for s in seen if s not in known) if expected else ()
    return SerialCheck(expected, seen, unexpected, missing_scan=bool(expected) and not seen)


@dataclass(frozen=True, slots=True)
class ItemResult:
    """One answered question: its answer and whether it passed."""

    code: str
    answer: bool | float
    passed: bool
    fail_grade: str


@dataclass(frozen=True)
class InspectionResult:
    """An evaluated inspection: items, the best grade the answers allow, the grade given, QC flags."""

    category: str
    items: tuple[ItemResult, ...]
    max_grade: str
    grade: str
    flags: frozenset[str]
    serial: SerialCheck | None = None
    weight: WeightCheck | None = None
    photos: frozenset[str] = field(default_factory=frozenset)

    @property
    def failed(self) -> tuple[ItemResult, ...]:
        """The items that failed."""
        return tuple(i for i in self.items if not i.passed)

    @property
    def transit_damage(self) -> bool:
        """Damage attributed to transit (evidence for a carrier claim)."""
        return TRANSIT_DAMAGE in self.flags


def _answer_problems(question: Question, value: object) -> FieldProblem | None:
    path = f"answers.{question.code}"
    if question.kind == "pass_fail" and not isinstance(value, bool):
        return FieldProblem(path, "invalid_answer", f"{question.code}: answer true (pass) or false (fail)")
    if question.kind == "measurement" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return FieldProblem(path, "invalid_answer", f"{question.code}: a number is expected")
    return None


def max_grade(checklist: Checklist, answers: Mapping[str, bool | float]) -> str:
    """The best grade the answers allow so far (unanswered questions do not cap it)."""
    best = "A"
    for q in checklist.questions:
        if q.code in answers and not q.passes(answers[q.code]):
            best = worse_grade(best, q.fail_grade)
    return best


def evaluate(
    checklist: Checklist,
    answers: Mapping[str, bool | float],
    photos: Collection[str] = (),
    *,
    grade: str | None = None,
    serial: SerialCheck | None = None,
    weight: WeightCheck | None = None,
    transit_damage: bool = False,
) -> InspectionResult:
    """Evaluate a finished inspection; every problem (unknown, missing or bad answers) is raised at once."""
    problems: list[FieldProblem] = []
    known = {q.code for q in checklist.questions}
    problems += [
        FieldProblem(f"answers.{code}", "unknown_question", f"{checklist.category} has no question {code!r}")
        for code in answers
        if code not in known
    ]
    items: list[ItemResult] = []
    flags: set[str] = set()
    for q in checklist.questions:
        if q.code not in answers:
            if q.required:
                problems.append(FieldProblem(f"answers.{q.code}", "required", f"{q.prompt}: not answered"))
            continue
        bad = _answer_problems(q, answers[q.code])
        if bad:
            problems.append(bad)
            continue
        passed = q.passes(answers[q.code])
        items.append(ItemResult(q.code, answers[q.code], passed, q.fail_grade))
        if not passed and q.flag:
            flags.add(q.flag)
    taken = frozenset(photos)
    problems += [
        FieldProblem(f"photos.{p.code}", "photo_required", f"photo required: {p.label}")
        for p in checklist.photos
        if p.code not in taken
    ]
    cap = max_grade(checklist, {i.code: i.answer for i in items})
    if grade is not None and grade not in GRADES:
        problems.append(FieldProblem("grade", "invalid_grade", f"grade must be one of {', '.join(GRADES)}"))
    elif grade is not None and grade_rank(grade) < grade_rank(cap):
        problems.append(
            FieldProblem("grade", "grade_too_high", f"the answers allow at best grade {cap}, not {grade}")
        )
    if problems:
        raise ValidationFailed(
            "the inspection is incomplete or invalid", code="inspection_invalid", problems=problems
        )
    if serial is not None and not serial.ok:
        flags.add(SERIAL_MISMATCH)
    if weight is not None and not weight.ok:
        flags.add(WEIGHT_MISMATCH)
    if transit_damage:
        flags.add(TRANSIT_DAMAGE)
    return InspectionResult(
        category=checklist.category,
        items=tuple(items),
        max_grade=cap,
        grade=grade or cap,
        flags=frozenset(flags),
        serial=serial,
        weight=weight,
        photos=taken,
    )
