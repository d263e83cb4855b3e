"""Shared pieces for packaged data tables (YAML): strict parsing, factor and money fields, problem paths."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import yaml
from pydantic import BeforeValidator, Field, ValidationError
from pydantic_core import PydanticCustomError

from returnflow.adapters.policy_document import UniqueKeyLoader
from returnflow.domain.errors import FieldProblem, ValidationFailed

DOCUMENT = "document"


def invalid(what: str, problems: list[FieldProblem], code: str) -> ValidationFailed:
    """One error listing every problem of a table document."""
    count = len(problems)
    return ValidationFailed(
        f"{what} {'has' if count == 1 else 'have'} {count} problem{'s' * (count != 1)}",
        code=code,
        problems=problems,
    )


def parse_yaml(text: str, what: str, code: str) -> dict[str, Any]:
    """YAML text to a mapping; syntax errors name the line and column."""
    try:
        data = yaml.load(text, Loader=UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        where = f"line {mark.line + 1} column {mark.column + 1}: " if mark is not None else ""
        raise invalid(what, [FieldProblem(DOCUMENT, "invalid_yaml", f"{where}{problem}")], code) from exc
    if not isinstance(data, dict):
        raise invalid(what, [FieldProblem(DOCUMENT, "not_a_mapping", "the document must be a mapping")], code)
    return data


def path_of(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a dotted path, e.g. ``categories.apparel.resale.B``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part != "[key]":
            out += f".{part}" if out else part
    return out or DOCUMENT


_CODES = {"extra_forbidden": "unknown_field", "missing": "required", "literal_error": "unknown_name"}


def pydantic_problems(exc: ValidationError) -> list[FieldProblem]:
    """Every pydantic error as a FieldProblem with its path."""
    problems = []
    for error in exc.errors(include_url=False):
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown field {error['loc'][-1]!r}"
        problems.append(
            FieldProblem(path_of(error["loc"]), _CODES.get(error["type"], error["type"]), message)
        )
    return problems


def _decimal(value: Any) -> Any:
    # YAML turns 0.85 into a float; going through str keeps the digits the author wrote.
    if isinstance(value, bool):
        raise PydanticCustomError("invalid_number", "expected a number")
    if isinstance(value, int | float | str):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise PydanticCustomError("invalid_number", "expected a number") from None
    return value


def _factor_bp(value: Decimal) -> int:
    if not Decimal(0) <= value <= Decimal(1):
        raise PydanticCustomError(
            "factor_range", "a factor must be between 0 and 1, not {value}", {"value": str(value)}
        )
    scaled = value * 10_000
    if scaled != scaled.to_integral_value():
        raise PydanticCustomError("factor_precision", "a factor has at most 4 decimal places")
    return int(scaled)


def _money_minor(value: Decimal) -> int:
    # Two-decimal currencies only for now; the loaders check the currency is one of them.
    if value < 0:
        raise PydanticCustomError("negative_amount", "an amount cannot be negative")
    scaled = value * 100
    if scaled != scaled.to_integral_value():
        raise PydanticCustomError("amount_precision", "an amount has at most 2 decimal places")
    return int(scaled)


def _to_factor(value: Any) -> int:
    number = _decimal(value)
    if not isinstance(number, Decimal) or not number.is_finite():
        raise PydanticCustomError("invalid_number", "expected a number")
    return _factor_bp(number)


def _to_minor(value: Any) -> int:
    number = _decimal(value)
    if not isinstance(number, Decimal) or not number.is_finite():
        raise PydanticCustomError("invalid_number", 'expected an amount like "2.50"')
    return _money_minor(number)


# A factor 0–1 in the document becomes basis points; an amount "2.50" becomes minor units.
Factor = Annotated[int, BeforeValidator(_to_factor)]
Amount = Annotated[int, BeforeValidator(_to_minor)]
Grams = Annotated[int, Field(ge=0, strict=True)]
