"""Inspection checklists (YAML): validated with pydantic at load time into the domain's Checklists.

Every problem is reported at once with its path (``categories.footwear.questions[2].fail_grade``):
an unknown category, kind or grade, a measurement without a range, a duplicate question code.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from returnflow.adapters.table_documents import Grams, invalid, parse_yaml, pydantic_problems
from returnflow.domain.errors import FieldProblem
from returnflow.domain.inspection import Checklist, Checklists, Question, RequiredPhoto, WeightTolerance

__all__ = ["default_checklists", "default_checklists_text", "load_checklists"]

_CODE = "checklists_invalid"
_WHAT = "the inspection checklists"

Category = Literal["apparel", "footwear", "electronics", "home", "beauty", "accessories", "other"]
Grade = Literal["A", "B", "C", "D", "F"]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ToleranceDoc(_Doc):
    """Weight tolerance: percent of the product's weight, at least `min_grams`."""

    percent: Decimal = Field(ge=0, le=100, decimal_places=2)
    min_grams: Grams = 0


class QuestionDoc(_Doc):
    """One question."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    prompt: str = Field(min_length=1)
    kind: Literal["pass_fail", "measurement"] = "pass_fail"
    fail_grade: Grade = "C"
    required: bool = True
    flag: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    unit: str | None = None
    min: float | None = None
    max: float | None = None


class PhotoDoc(_Doc):
    """A required photo."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)


class ChecklistDoc(_Doc):
    """The checklist of one category."""

    questions: list[QuestionDoc] = Field(min_length=1)
    photos: list[PhotoDoc] = Field(default_factory=list)
    weight_tolerance: ToleranceDoc | None = None


class ChecklistsDoc(_Doc):
    """The whole document."""

    weight_tolerance: ToleranceDoc
    categories: dict[Category, ChecklistDoc]


def _question_problems(where: str, i: int, q: QuestionDoc) -> list[FieldProblem]:
    path = f"{where}.questions[{i}]"
    if q.kind == "measurement":
        if q.min is None and q.max is None:
            return [FieldProblem(path, "range_required", f"measurement {q.code!r} needs min and/or max")]
        if q.min is not None and q.max is not None and q.min > q.max:
            return [FieldProblem(f"{path}.min", "empty_range", f"{q.code!r}: min is above max")]
    elif q.min is not None or q.max is not None or q.unit is not None:
        return [
            FieldProblem(path, "range_on_pass_fail", f"pass/fail question {q.code!r} has no unit or range")
        ]
    return []


def _semantic_problems(doc: ChecklistsDoc) -> list[FieldProblem]:
    problems = []
    if "other" not in doc.categories:
        problems.append(FieldProblem("categories.other", "required", "an 'other' checklist is the fallback"))
    for name, checklist in doc.categories.items():
        where = f"categories.{name}"
        seen: set[str] = set()
        for i, q in enumerate(checklist.questions):
            if q.code in seen:
                problems.append(
                    FieldProblem(f"{where}.questions[{i}].code", "duplicate", f"duplicate {q.code!r}")
                )
            seen.add(q.code)
            problems += _question_problems(where, i, q)
        codes = [p.code for p in checklist.photos]
        problems += [
            FieldProblem(f"{where}.photos[{i}].code", "duplicate", f"duplicate photo {c!r}")
            for i, c in enumerate(codes)
            if c in codes[:i]
        ]
    return problems


def _tolerance(doc: ToleranceDoc | None) -> WeightTolerance | None:
    return None if doc is None else WeightTolerance(int(doc.percent * 100), doc.min_grams)


def _checklist(category: str, doc: ChecklistDoc) -> Checklist:
    questions = tuple(
        Question(q.code, q.prompt, q.kind, q.fail_grade, q.required, q.flag, q.unit, q.min, q.max)
        for q in doc.questions
    )
    photos = tuple(RequiredPhoto(p.code, p.label) for p in doc.photos)
    return Checklist(category, questions, photos, _tolerance(doc.weight_tolerance))


def load_checklists(source: str | Mapping[str, Any]) -> Checklists:
    """Validate a checklists document (YAML text or a mapping); ValidationFailed lists every problem."""
    data = parse_yaml(source, _WHAT, _CODE) if isinstance(source, str) else dict(source)
    try:
        doc = ChecklistsDoc.model_validate(data)
    except ValidationError as exc:
        raise invalid(_WHAT, pydantic_problems(exc), _CODE) from None
    problems = _semantic_problems(doc)
    if problems:
        raise invalid(_WHAT, problems, _CODE)
    default = _tolerance(doc.weight_tolerance)
    assert default is not None
    return Checklists({name: _checklist(name, c) for name, c in doc.categories.items()}, default)


def default_checklists_text() -> str:
    """The packaged default checklists (YAML, with comments)."""
    return resources.files(__name__).joinpath("checklists.yaml").read_text(encoding="utf-8")


@cache
def default_checklists() -> Checklists:
    """The packaged default checklists, loaded once."""
    return load_checklists(default_checklists_text())
