"""The hazmat decision table, case by case: what may travel how, and to which node."""

from __future__ import annotations

import pytest

from returnflow.domain import hazmat
from returnflow.domain.errors import ValidationFailed
from returnflow.domain.hazmat import UnknownHazmatClass, rule_for, violations

HAZMAT_NODE = {"inspect", "restock", "hazmat"}
PLAIN_NODE = {"inspect", "restock"}


def codes(found: list[hazmat.HazmatViolation]) -> list[str]:
    return [v.code for v in found]


@pytest.mark.parametrize(
    "cls", ["lithium_ion", "lithium_ion_in_equipment", "lithium_ion_with_equipment", "lithium_metal"]
)
def test_lithium_on_air_is_refused_with_the_rule_named(cls: str) -> None:
    found = violations(cls, "air", HAZMAT_NODE)
    assert codes(found) == ["hazmat_air_forbidden"]
    assert cls in found[0].message and "UN3" in found[0].message


@pytest.mark.parametrize("cls", ["lithium_ion", "lithium_metal", "aerosol", "flammable_liquid", "corrosive"])
def test_dangerous_goods_by_ground_to_a_hazmat_node_are_allowed(cls: str) -> None:
    assert violations(cls, "ground", HAZMAT_NODE) == []


@pytest.mark.parametrize("cls", ["aerosol", "lithium_ion", "flammable_liquid", "corrosive"])
def test_dangerous_goods_to_a_node_without_hazmat_handling_are_refused(cls: str) -> None:
    found = violations(cls, "ground", PLAIN_NODE)
    assert codes(found) == ["hazmat_node_not_certified"]
    assert "hazmat handling" in found[0].message


def test_aerosol_by_air_to_a_plain_node_breaks_both_rules() -> None:
    assert codes(violations("aerosol", "air", PLAIN_NODE)) == [
        "hazmat_air_forbidden",
        "hazmat_node_not_certified",
    ]


def test_magnets_stay_off_aircraft_but_any_node_may_receive_them() -> None:
    assert violations("magnetized", "ground", PLAIN_NODE) == []
    assert codes(violations("magnetized", "air", PLAIN_NODE)) == ["hazmat_air_forbidden"]


@pytest.mark.parametrize("cls", [None, "", "none"])
def test_ordinary_goods_go_anywhere_by_any_mode(cls: str | None) -> None:
    for mode in ("ground", "air"):
        assert violations(cls, mode, set()) == []
    rule = rule_for(cls)
    assert not rule.regulated and rule.packaging == () and rule.marks == ()


def test_an_unknown_class_is_an_error_not_ordinary_goods() -> None:
    with pytest.raises(UnknownHazmatClass) as raised:
        violations("plutonium", "ground", HAZMAT_NODE)
    assert raised.value.code == "hazmat_class_unknown"
    assert "plutonium" in raised.value.message


def test_an_unknown_mode_is_an_error() -> None:
    with pytest.raises(ValidationFailed):
        violations("none", "sea", set())


def test_classes_are_matched_as_people_write_them() -> None:
    assert rule_for("Lithium-Ion").hazmat_class == "lithium_ion"
    assert rule_for(" aerosol ").hazmat_class == "aerosol"


def test_every_regulated_class_gives_packaging_and_marks_and_needs_ground() -> None:
    for cls in hazmat.HAZMAT_CLASSES:
        rule = rule_for(cls)
        if rule.regulated:
            assert rule.packaging and rule.marks
            assert rule.allowed_modes == frozenset({"ground"})
    lithium = rule_for("lithium_ion")
    assert lithium.node_capability == "hazmat"
    assert any("terminals" in p for p in lithium.packaging)
    assert "LITHIUM BATTERY UN3480" in lithium.marks


def test_a_malformed_table_row_fails_loudly() -> None:
    with pytest.raises(ValueError, match="modes"):
        hazmat._index([("x", ("sea",), None, "r", ("p",), ("m",))])
    with pytest.raises(ValueError, match="packaging"):
        hazmat._index([("x", ("ground",), None, "r", (), ())])
    with pytest.raises(ValueError, match="twice"):
        hazmat._index([("none", ("ground",), None, "r", (), ())] * 2)
