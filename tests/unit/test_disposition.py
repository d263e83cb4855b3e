"""Disposition: every path valued from the tables, the best allowed one chosen, rules explained."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from returnflow.adapters.disposition import default_disposition_tables
from returnflow.domain.disposition import (
    FRAUD_REVIEW,
    PATHS,
    RECALL_PATHS,
    RESALE_PATHS,
    DispositionEngine,
    InspectedUnit,
    Network,
    Override,
    WorkNode,
    apply_override,
    bp_of,
)
from returnflow.domain.errors import ValidationFailed
from returnflow.domain.inspection import GRADES, SERIAL_MISMATCH, WEIGHT_MISMATCH

ENGINE = DispositionEngine(default_disposition_tables())
ORIGIN = WorkNode("RC-1", frozenset({"receive", "inspect", "restock", "dispose", "donate"}))
REFURBISHER = WorkNode("REF-1", frozenset({"refurbish", "repair"}), transfer_cost=800)
LIQUIDATOR = WorkNode("LIQ-1", frozenset({"liquidate"}), transfer_cost=300)
RECYCLER = WorkNode("REC-1", frozenset({"recycle"}), transfer_cost=200)
HAZMAT_CENTER = WorkNode(
    "HAZ-1", frozenset({"refurbish", "recycle", "dispose", "hazmat"}), transfer_cost=2500
)
NETWORK = Network(ORIGIN, [REFURBISHER, LIQUIDATOR, RECYCLER, HAZMAT_CENTER])


def unit(**over: object) -> InspectedUnit:
    """A grade-A apparel unit selling at $50.00; keyword arguments replace fields."""
    fields: dict[str, object] = {
        "unit_id": "U-1",
        "sku": "TEE-1",
        "category": "apparel",
        "grade": "A",
        "price": 5_000,
        "unit_cost": 1_800,
    }
    fields.update(over)
    return InspectedUnit(**fields)  # type: ignore[arg-type]


LAPTOP = {"sku": "LAP-1", "category": "electronics", "price": 100_000, "unit_cost": 60_000}


@pytest.mark.parametrize(
    ("over", "path", "node"),
    [
        ({}, "restock", "RC-1"),
        ({"grade": "B"}, "open_box", "RC-1"),
        ({"grade": "C", **LAPTOP}, "refurbish", "REF-1"),
        ({"grade": "D", **LAPTOP}, "repair", "REF-1"),
        ({"grade": "D", **LAPTOP, "vendor": "acme-electronics", "price": 20_000}, "return_to_vendor", "RC-1"),
        ({"grade": "D", "category": "footwear", "price": 10_000}, "liquidate", "LIQ-1"),
        ({"grade": "D", "price": 3_000}, "donate", "RC-1"),
        ({"grade": "F", **LAPTOP}, "recycle", "REC-1"),
        ({"grade": "F", **LAPTOP, "vendor": "acme-electronics"}, "return_to_vendor", "RC-1"),
        ({"grade": "F"}, "dispose", "RC-1"),
    ],
)
def test_the_best_allowed_path_is_chosen(over: dict[str, object], path: str, node: str) -> None:
    decision = ENGINE.decide(unit(**over), NETWORK)
    assert (decision.chosen.path, decision.chosen.node) == (path, node)
    assert decision.recommended == decision.chosen
    assert [a.path for a in decision.alternatives] == list(PATHS)


def test_a_like_new_apparel_item_restocks_at_full_value_less_handling() -> None:
    chosen = ENGINE.decide(unit(), NETWORK).chosen
    assert (chosen.gross, chosen.handling, chosen.transfer, chosen.net) == (5_000, 120, 0, 4_880)


def test_a_grade_c_laptop_refurbishes_at_the_refurbisher() -> None:
    decision = ENGINE.decide(unit(grade="C", **LAPTOP), NETWORK)
    refurb = decision.chosen
    # $1,000 × 0.95 (grade A after refurbishment) × 0.9 yield − $35 work − $3 handling − $8 transfer.
    assert (refurb.path, refurb.node, refurb.net) == ("refurbish", "REF-1", 85_500 - 3_500 - 300 - 800)
    assert decision.value_of("open_box").net < refurb.net
    assert decision.value_of("restock").excluded[0].code == "grade_not_new"


def test_grade_f_is_never_resold() -> None:
    decision = ENGINE.decide(unit(grade="F", **LAPTOP), NETWORK)
    for path in RESALE_PATHS:
        assert "grade_f" in {e.code for e in decision.value_of(path).excluded}
    assert decision.chosen.path not in RESALE_PATHS


@pytest.mark.parametrize("category", ["apparel", "electronics", "home"])
def test_a_recalled_unit_is_quarantined_or_destroyed(category: str) -> None:
    decision = ENGINE.decide(unit(category=category, recalled=True), NETWORK)
    assert decision.chosen.path in RECALL_PATHS
    assert "recalled" in {e.code for e in decision.value_of("restock").excluded}


def test_a_lithium_item_never_goes_to_a_node_without_hazmat_capability() -> None:
    battery = unit(grade="C", **LAPTOP, hazmat_class="UN3481")
    decision = ENGINE.decide(battery, NETWORK)
    assert (decision.chosen.path, decision.chosen.node) == ("refurbish", "HAZ-1")
    assert decision.value_of("liquidate").excluded[0].code == "hazmat_handler"
    without_certified = Network(ORIGIN, [REFURBISHER, LIQUIDATOR, RECYCLER])
    held = ENGINE.decide(battery, without_certified)
    assert held.chosen.path == "quarantine"
    for value in held.alternatives:
        if value.path != "quarantine" and value.path != "return_to_vendor":
            assert not value.allowed


@pytest.mark.parametrize("flag", [SERIAL_MISMATCH, WEIGHT_MISMATCH])
def test_a_swapped_or_empty_return_is_quarantined_for_fraud_review(flag: str) -> None:
    decision = ENGINE.decide(unit(flags=frozenset({flag})), NETWORK)
    assert decision.chosen.path == "quarantine"
    assert {flag, FRAUD_REVIEW} <= decision.flags
    assert "fraud_review" in {e.code for e in decision.value_of("restock").excluded}


def test_a_category_without_its_own_tables_uses_other() -> None:
    assert ENGINE.decide(unit(category="garden"), NETWORK).chosen.path == "restock"


def test_a_path_no_reachable_node_can_do_is_excluded() -> None:
    alone = Network(WorkNode("ST-1", frozenset({"receive"})))
    decision = ENGINE.decide(unit(), alone)
    assert decision.value_of("restock").excluded[-1].code == "no_node"
    assert decision.chosen.path == "quarantine"


def test_a_specialist_may_override_with_a_reason() -> None:
    decision = ENGINE.decide(unit(grade="C", **LAPTOP), NETWORK)
    override = Override("liquidate", "refurbisher backlog this week", "spec@example.com")
    changed = apply_override(decision, override)
    assert changed.chosen.path == "liquidate"
    assert changed.recommended.path == "refurbish"
    assert changed.override == override


@pytest.mark.parametrize(
    ("path", "reason", "code"),
    [
        ("restock", "customer never used it", "path_not_allowed"),
        ("liquidate", "  ", "override_reason_required"),
        ("sell_on_ebay", "why not", "unknown_path"),
    ],
)
def test_an_override_needs_a_reason_and_an_allowed_path(path: str, reason: str, code: str) -> None:
    decision = ENGINE.decide(unit(grade="C", **LAPTOP), NETWORK)
    with pytest.raises(ValidationFailed) as err:
        apply_override(decision, Override(path, reason, "spec@example.com"))
    assert err.value.code == code


@pytest.mark.parametrize(
    ("amount", "factors", "expected"),
    [(5_000, (8_500,), 4_250), (1, (5_000,), 0), (3, (5_000,), 2), (999, (9_500, 9_000), 854)],
)
def test_factors_round_half_to_even_once(amount: int, factors: tuple[int, ...], expected: int) -> None:
    assert bp_of(amount, *factors) == expected


nodes = st.builds(
    WorkNode,
    code=st.sampled_from(["N1", "N2", "N3", "N4"]),
    capabilities=st.frozensets(
        st.sampled_from(
            ["restock", "refurbish", "repair", "liquidate", "donate", "recycle", "dispose", "hazmat"]
        )
    ),
    transfer_cost=st.integers(0, 5_000),
    handling_cost=st.integers(0, 500),
)
units = st.builds(
    InspectedUnit,
    unit_id=st.just("U"),
    sku=st.just("S"),
    category=st.sampled_from(["apparel", "footwear", "electronics", "home", "beauty", "other", "toys"]),
    grade=st.sampled_from(GRADES),
    price=st.integers(0, 500_000),
    unit_cost=st.integers(0, 300_000),
    hazmat_class=st.sampled_from([None, "UN3481"]),
    recalled=st.booleans(),
    flags=st.frozensets(st.sampled_from([SERIAL_MISMATCH, WEIGHT_MISMATCH, "missing_parts"])),
    vendor=st.sampled_from([None, "acme-electronics", "northwind-home", "unknown"]),
)


@settings(max_examples=300, deadline=None)
@given(
    units,
    nodes.map(lambda n: WorkNode("ORIGIN", n.capabilities)),
    st.lists(nodes, max_size=4, unique_by=lambda n: n.code),
)
def test_the_chosen_path_is_allowed_and_worth_the_most(
    u: InspectedUnit, origin: WorkNode, others: list[WorkNode]
) -> None:
    decision = ENGINE.decide(u, Network(origin, others))
    allowed = [a for a in decision.alternatives if a.allowed]
    assert decision.chosen.allowed
    assert decision.chosen.net == max(a.net for a in allowed)
    if u.grade == "F":
        assert decision.chosen.path not in RESALE_PATHS
    if u.recalled:
        assert decision.chosen.path in RECALL_PATHS
    if u.flags & {SERIAL_MISMATCH, WEIGHT_MISMATCH}:
        assert decision.chosen.path == "quarantine"
    if u.hazmat_class and decision.chosen.path not in ("quarantine", "return_to_vendor"):
        by_code = {n.code: n for n in [origin, *others]}
        assert "hazmat" in by_code[str(decision.chosen.node)].capabilities
