"""Inspection: checklist evaluation, grade caps, serial and weight checks, QC flags."""

from __future__ import annotations

import pytest

from returnflow.adapters.inspection import default_checklists
from returnflow.domain.errors import ValidationFailed
from returnflow.domain.inspection import (
    SERIAL_MISMATCH,
    TRANSIT_DAMAGE,
    WEIGHT_MISMATCH,
    Checklist,
    Question,
    WeightTolerance,
    check_serials,
    check_weight,
    evaluate,
    max_grade,
)

CHECKLISTS = default_checklists()
ELECTRONICS = CHECKLISTS.for_category("electronics")
APPAREL = CHECKLISTS.for_category("apparel")


def all_pass(checklist: Checklist) -> dict[str, bool | float]:
    """Answers that pass every question (measurements at their minimum)."""
    return {
        q.code: (True if q.kind == "pass_fail" else float(q.minimum if q.minimum is not None else 0))
        for q in checklist.questions
    }


def photos(checklist: Checklist) -> set[str]:
    """Every required photo taken."""
    return {p.code for p in checklist.photos}


def test_every_default_category_has_a_checklist() -> None:
    for category in ("apparel", "footwear", "electronics", "home", "beauty"):
        assert CHECKLISTS.for_category(category).category == category
    assert CHECKLISTS.for_category("accessories").category == "other"


def test_a_like_new_unit_grades_a_with_no_flags() -> None:
    result = evaluate(APPAREL, all_pass(APPAREL), photos(APPAREL))
    assert result.grade == "A"
    assert result.flags == frozenset()
    assert not result.failed


@pytest.mark.parametrize(
    ("failed", "expected"),
    [
        ({"factory_sealed"}, "B"),
        ({"factory_sealed", "screen_intact"}, "C"),
        ({"powers_on"}, "D"),
        ({"battery_not_swollen", "factory_sealed"}, "F"),
        ({"packaging_intact"}, "A"),
    ],
)
def test_failed_questions_cap_the_grade_at_the_worst_fail_grade(failed: set[str], expected: str) -> None:
    answers = all_pass(ELECTRONICS) | dict.fromkeys(failed, False)
    assert max_grade(ELECTRONICS, answers) == expected
    assert evaluate(ELECTRONICS, answers, photos(ELECTRONICS)).grade == expected


def test_a_measurement_outside_its_range_fails() -> None:
    answers = all_pass(ELECTRONICS) | {"battery_health": 62.5}
    result = evaluate(ELECTRONICS, answers, photos(ELECTRONICS))
    assert [i.code for i in result.failed] == ["battery_health"]
    assert result.grade == "C"


def test_the_inspector_may_grade_worse_but_never_better_than_the_answers() -> None:
    answers = all_pass(ELECTRONICS) | {"screen_intact": False}
    assert evaluate(ELECTRONICS, answers, photos(ELECTRONICS), grade="D").grade == "D"
    with pytest.raises(ValidationFailed) as err:
        evaluate(ELECTRONICS, answers, photos(ELECTRONICS), grade="B")
    assert [(p.field, p.code) for p in err.value.problems] == [("grade", "grade_too_high")]


def test_every_problem_is_listed_at_once() -> None:
    answers = all_pass(ELECTRONICS) | {"powers_on": "yes", "battery_health": True, "colour_ok": True}
    del answers["screen_intact"]
    with pytest.raises(ValidationFailed) as err:
        evaluate(ELECTRONICS, answers, {"front"}, grade="Z")
    found = {(p.field, p.code) for p in err.value.problems}
    assert found == {
        ("answers.colour_ok", "unknown_question"),
        ("answers.powers_on", "invalid_answer"),
        ("answers.battery_health", "invalid_answer"),
        ("answers.screen_intact", "required"),
        ("photos.serial_label", "photo_required"),
        ("grade", "invalid_grade"),
    }


def test_optional_questions_may_be_left_unanswered() -> None:
    answers = all_pass(ELECTRONICS)
    del answers["battery_health"], answers["packaging_intact"]
    assert evaluate(ELECTRONICS, answers, photos(ELECTRONICS)).grade == "A"


def test_failed_questions_raise_their_qc_flags() -> None:
    answers = all_pass(ELECTRONICS) | {"accessories_complete": False, "packaging_intact": False}
    result = evaluate(ELECTRONICS, answers, photos(ELECTRONICS))
    assert result.flags == {"missing_accessories", TRANSIT_DAMAGE}
    assert result.transit_damage


def test_transit_damage_attributed_by_the_inspector_is_flagged() -> None:
    answers = all_pass(APPAREL) | {"no_tears": False}
    result = evaluate(APPAREL, answers, photos(APPAREL), transit_damage=True)
    assert result.transit_damage
    assert result.grade == "D"


@pytest.mark.parametrize(
    ("order", "scanned", "ok"),
    [
        (("SN-1", "SN-2"), ["sn-2"], True),
        (("SN-1",), [" sn-1 \n"], True),
        (("SN-1",), ["SN-9"], False),
        (("SN-1",), [], False),
        ((), ["ANY"], True),
        ((), [], True),
    ],
)
def test_serials_are_checked_against_the_order(order: tuple[str, ...], scanned: list[str], ok: bool) -> None:
    check = check_serials(order, scanned)
    assert check.ok is ok
    result = evaluate(APPAREL, all_pass(APPAREL), photos(APPAREL), serial=check)
    assert (SERIAL_MISMATCH in result.flags) is (not ok)


@pytest.mark.parametrize(
    ("expected", "measured", "direction"),
    [
        (1_000, 1_100, None),
        (1_000, 860, "light"),
        (1_000, 120, "light"),
        (1_000, 1_600, "heavy"),
        (100, 140, None),
        (100, 160, "heavy"),
    ],
)
def test_weight_outside_the_tolerance_is_flagged(expected: int, measured: int, direction: str | None) -> None:
    check = check_weight(expected, measured, WeightTolerance(percent_bp=1_000, min_grams=50))
    assert check.direction == direction
    result = evaluate(APPAREL, all_pass(APPAREL), photos(APPAREL), weight=check)
    assert (WEIGHT_MISMATCH in result.flags) is (direction is not None)


def test_the_tolerance_is_configurable_per_category() -> None:
    assert CHECKLISTS.tolerance_for("electronics") == WeightTolerance(500, 30)
    assert CHECKLISTS.tolerance_for("apparel") == WeightTolerance(1500, 50)
    # An empty laptop box: 2.1 kg sold, 0.4 kg arrived.
    assert not check_weight(2_100, 400, CHECKLISTS.tolerance_for("electronics")).ok


def test_a_question_without_range_passes_only_true() -> None:
    q = Question("sealed", "Sealed")
    assert q.passes(True)
    assert not q.passes(False)
    m = Question("depth", "Tread depth", kind="measurement", minimum=2.0)
    assert m.passes(2.0)
    assert not m.passes(1.9)
