"""Disposition tables (YAML): validated with pydantic at load time into the domain's frozen tables.

Every problem is reported at once with its path (``categories.apparel.resale.B``): a grade without
a resale factor, a factor outside 0–1, an unknown path, grade or category is a load error, so
valuation never meets a gap at inspection time. Amounts are decimal strings in the currency.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Literal

from babel.numbers import get_currency_precision, list_currencies
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from returnflow.adapters.table_documents import Amount, Factor, invalid, parse_yaml, pydantic_problems
from returnflow.domain.disposition_tables import CategoryTables, DispositionTables, VendorTerms, WorkTerms
from returnflow.domain.errors import FieldProblem

__all__ = ["default_disposition_tables", "default_disposition_text", "load_disposition_tables"]

_CODE = "disposition_tables_invalid"
_WHAT = "the disposition tables"

PathName = Literal[
    "restock", "open_box", "refurbish", "repair", "return_to_vendor",
    "liquidate", "donate", "recycle", "dispose", "quarantine",
]  # fmt: skip
Category = Literal["apparel", "footwear", "electronics", "home", "beauty", "accessories", "other"]
Grade = Literal["A", "B", "C", "D", "F"]
ResaleGrade = Literal["A", "B", "C", "D"]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ResaleDoc(_Doc):
    """Resale price factor per grade; F is never resold, so it has none."""

    A: Factor
    B: Factor
    C: Factor
    D: Factor


class WorkDoc(_Doc):
    """Refurbish or repair terms for a category."""

    cost: Amount
    yield_: Factor = Field(alias="yield")
    result_grade: ResaleGrade
    from_grades: list[Grade] = Field(min_length=1)


class CategoryDoc(_Doc):
    """The figures for one category."""

    resale: ResaleDoc
    open_box: Factor
    liquidation: Factor
    donation: Factor = 0
    recycling_value: Amount = 0
    recycling_cost: Amount = 0
    disposal_cost: Amount = 0
    refurbish: WorkDoc | None = None
    repair: WorkDoc | None = None


class VendorDoc(_Doc):
    """One vendor's return-to-vendor credit terms."""

    credit: Factor
    grades: list[Grade] = Field(min_length=1)
    fee: Amount = 0
    shipping_cost: Amount = 0
    accepts_hazmat: bool = False
    categories: list[Category] | None = None


class TablesDoc(_Doc):
    """The whole document."""

    currency: str
    handling: dict[PathName, Amount] = Field(default_factory=dict)
    quarantine_cost: Amount = 0
    restock_grades: tuple[ResaleGrade, ...] = ("A",)
    open_box_grades: tuple[ResaleGrade, ...] = ("A", "B", "C")
    fraud_flags: list[str] = Field(default_factory=lambda: ["serial_mismatch"])
    categories: dict[Category, CategoryDoc]
    vendors: dict[str, VendorDoc] = Field(default_factory=dict)


def _semantic_problems(data: Mapping[str, Any], doc: TablesDoc | None) -> list[FieldProblem]:
    problems = []
    currency = data.get("currency")
    if not isinstance(currency, str) or currency not in list_currencies():
        problems.append(
            FieldProblem("currency", "unknown_currency", f"{currency!r} is not an ISO-4217 currency")
        )
    elif get_currency_precision(currency) != 2:
        problems.append(
            FieldProblem("currency", "unsupported_currency", "only two-decimal currencies are supported")
        )
    if doc is not None:
        if "other" not in doc.categories:
            problems.append(
                FieldProblem("categories.other", "required", "an 'other' category is the fallback")
            )
        if "serial_mismatch" not in doc.fraud_flags:
            problems.append(
                FieldProblem(
                    "fraud_flags", "serial_mismatch_required", "a serial mismatch is always quarantined"
                )
            )
    return problems


def _work(doc: WorkDoc | None) -> WorkTerms | None:
    if doc is None:
        return None
    return WorkTerms(doc.cost, doc.yield_, doc.result_grade, frozenset(doc.from_grades) - {"F"})


def _tables(doc: TablesDoc) -> DispositionTables:
    categories: dict[str, CategoryTables] = {
        name: CategoryTables(
            resale_bp={"A": c.resale.A, "B": c.resale.B, "C": c.resale.C, "D": c.resale.D},
            open_box_bp=c.open_box,
            liquidation_bp=c.liquidation,
            donation_bp=c.donation,
            recycling_value=c.recycling_value,
            recycling_cost=c.recycling_cost,
            disposal_cost=c.disposal_cost,
            refurbish=_work(c.refurbish),
            repair=_work(c.repair),
        )
        for name, c in doc.categories.items()
    }
    vendors = {
        name: VendorTerms(
            vendor=name,
            credit_bp=v.credit,
            grades=frozenset(v.grades),
            fee=v.fee,
            shipping_cost=v.shipping_cost,
            accepts_hazmat=v.accepts_hazmat,
            categories=frozenset(v.categories) if v.categories is not None else None,
        )
        for name, v in doc.vendors.items()
    }
    return DispositionTables(
        currency=doc.currency,
        categories=categories,
        handling={str(path): cost for path, cost in doc.handling.items()},
        vendors=vendors,
        quarantine_cost=doc.quarantine_cost,
        restock_grades=frozenset(doc.restock_grades),
        open_box_grades=frozenset(doc.open_box_grades),
        fraud_flags=frozenset(doc.fraud_flags),
    )


def load_disposition_tables(source: str | Mapping[str, Any]) -> DispositionTables:
    """Validate a tables document (YAML text or a mapping); ValidationFailed lists every problem."""
    data = parse_yaml(source, _WHAT, _CODE) if isinstance(source, str) else dict(source)
    doc: TablesDoc | None = None
    problems: list[FieldProblem] = []
    try:
        doc = TablesDoc.model_validate(data)
    except ValidationError as exc:
        problems = pydantic_problems(exc)
    for problem in problems:
        if problem.field.endswith(".resale.F") and problem.code == "unknown_field":
            problems[problems.index(problem)] = FieldProblem(
                problem.field, "grade_never_resold", "grade F is never resold: it has no resale factor"
            )
    problems += _semantic_problems(data, doc)
    if problems or doc is None:
        raise invalid(_WHAT, problems, _CODE)
    return _tables(doc)


def default_disposition_text() -> str:
    """The packaged default tables (YAML, with comments)."""
    return resources.files(__name__).joinpath("default.yaml").read_text(encoding="utf-8")


@cache
def default_disposition_tables() -> DispositionTables:
    """The packaged default tables, loaded once."""
    return load_disposition_tables(default_disposition_text())
