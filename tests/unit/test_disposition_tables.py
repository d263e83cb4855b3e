"""Disposition tables and checklists: packaged defaults load; bad documents are refused with paths."""

from __future__ import annotations

import copy
from typing import Any, get_args

import pytest
import yaml

from returnflow.adapters import disposition as disposition_tables
from returnflow.adapters import inspection as inspection_tables
from returnflow.adapters.disposition import (
    default_disposition_tables,
    default_disposition_text,
    load_disposition_tables,
)
from returnflow.adapters.inspection import default_checklists_text, load_checklists
from returnflow.domain.catalog import CATEGORIES
from returnflow.domain.disposition import PATHS
from returnflow.domain.errors import ValidationFailed

TABLES: dict[str, Any] = yaml.safe_load(default_disposition_text())
CHECKLISTS: dict[str, Any] = yaml.safe_load(default_checklists_text())


def problems_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[tuple[str, str]]:
    """(path, code) of every problem reported."""
    return {(p.field, p.code) for p in exc.value.problems}


def test_the_schema_knows_the_domain_vocabulary() -> None:
    assert set(get_args(disposition_tables.PathName)) == set(PATHS)
    assert set(get_args(disposition_tables.Category)) == set(CATEGORIES)
    assert set(get_args(inspection_tables.Category)) == set(CATEGORIES)


def test_the_default_tables_load_into_integer_figures() -> None:
    tables = default_disposition_tables()
    assert tables.currency == "USD"
    apparel = tables.category("apparel")
    assert apparel.resale_bp == {"A": 10_000, "B": 7_000, "C": 4_000, "D": 1_000}
    assert tables.handling["restock"] == 120
    assert set(tables.handling) == set(PATHS)
    assert tables.vendors["acme-electronics"].credit_bp == 6_000


def test_the_default_checklists_cover_the_categories() -> None:
    checklists = load_checklists(default_checklists_text())
    assert {"apparel", "footwear", "electronics", "home", "beauty", "other"} <= set(checklists.by_category)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["categories"]["apparel"]["resale"].pop("B"),
            ("categories.apparel.resale.B", "required"),
        ),
        (
            lambda d: d["categories"]["apparel"]["resale"].update(F=0.1),
            ("categories.apparel.resale.F", "grade_never_resold"),
        ),
        (
            lambda d: d["categories"]["home"].update(liquidation=1.2),
            ("categories.home.liquidation", "factor_range"),
        ),
        (
            lambda d: d["categories"]["home"]["resale"].update(A=-0.1),
            ("categories.home.resale.A", "factor_range"),
        ),
        (lambda d: d["handling"].update(sell_online="1.00"), ("handling.sell_online", "unknown_name")),
        (lambda d: d["categories"].update(toys=d["categories"]["home"]), ("categories.toys", "unknown_name")),
        (lambda d: d["categories"].pop("other"), ("categories.other", "required")),
        (
            lambda d: d["categories"]["electronics"]["refurbish"].update(result_grade="F"),
            ("categories.electronics.refurbish.result_grade", "unknown_name"),
        ),
        (lambda d: d.update(currency="XYZ"), ("currency", "unknown_currency")),
        (lambda d: d.update(quarantine_cost="2.005"), ("quarantine_cost", "amount_precision")),
        (lambda d: d.update(fraud_flags=["weight_mismatch"]), ("fraud_flags", "serial_mismatch_required")),
        (
            lambda d: d["vendors"]["northwind-home"].update(credit="lots"),
            ("vendors.northwind-home.credit", "invalid_number"),
        ),
        (
            lambda d: d["categories"]["beauty"].update(colour="red"),
            ("categories.beauty.colour", "unknown_field"),
        ),
    ],
)
def test_bad_tables_are_rejected_at_load_with_the_path(mutate: Any, expected: tuple[str, str]) -> None:
    doc = copy.deepcopy(TABLES)
    mutate(doc)
    with pytest.raises(ValidationFailed) as err:
        load_disposition_tables(doc)
    assert err.value.code == "disposition_tables_invalid"
    assert expected in problems_of(err)


def test_every_problem_is_listed_at_once() -> None:
    doc = copy.deepcopy(TABLES)
    doc["categories"]["apparel"]["resale"].pop("C")
    doc["categories"]["footwear"]["open_box"] = 3
    doc["handling"]["teleport"] = "1.00"
    with pytest.raises(ValidationFailed) as err:
        load_disposition_tables(doc)
    assert {p for p, _ in problems_of(err)} >= {
        "categories.apparel.resale.C",
        "categories.footwear.open_box",
        "handling.teleport",
    }
    assert "3 problems" in err.value.message


def test_yaml_syntax_and_duplicate_keys_are_reported_with_the_line() -> None:
    with pytest.raises(ValidationFailed) as err:
        load_disposition_tables("currency: USD\ncurrency: EUR\n")
    assert "line 2" in err.value.problems[0].message


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["categories"].update(toys=d["categories"]["home"]), ("categories.toys", "unknown_name")),
        (
            lambda d: d["categories"]["apparel"]["questions"][0].update(fail_grade="E"),
            ("categories.apparel.questions[0].fail_grade", "unknown_name"),
        ),
        (
            lambda d: d["categories"]["apparel"]["questions"][0].update(kind="measurement"),
            ("categories.apparel.questions[0]", "range_required"),
        ),
        (
            lambda d: d["categories"]["electronics"]["questions"][4].update(min=101),
            ("categories.electronics.questions[4].min", "empty_range"),
        ),
        (
            lambda d: d["categories"]["home"]["questions"].append(d["categories"]["home"]["questions"][0]),
            ("categories.home.questions[4].code", "duplicate"),
        ),
        (lambda d: d["categories"].pop("other"), ("categories.other", "required")),
        (
            lambda d: d["weight_tolerance"].update(percent=150),
            ("weight_tolerance.percent", "less_than_equal"),
        ),
    ],
)
def test_bad_checklists_are_rejected_at_load_with_the_path(mutate: Any, expected: tuple[str, str]) -> None:
    doc = copy.deepcopy(CHECKLISTS)
    mutate(doc)
    with pytest.raises(ValidationFailed) as err:
        load_checklists(doc)
    assert err.value.code == "checklists_invalid"
    assert expected in problems_of(err)
