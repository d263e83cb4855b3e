"""Policy documents: YAML/JSON parsing, validation listing every problem by path, packaged policies."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
import yaml

from returnflow.adapters.policy_conditions import SCHEMA, compile_condition
from returnflow.adapters.policy_document import (
    default_policy_text,
    examples_policy_text,
    load_policy,
    parse_document,
)
from returnflow.domain.errors import FieldProblem, PolicyInvalid
from returnflow.domain.policy import CONTEXT_FIELDS, RESOLUTIONS, Policy


def doc(**over: Any) -> dict[str, Any]:
    """A small valid policy document as a dict; keyword arguments replace top-level fields."""
    base: dict[str, Any] = {
        "name": "Test",
        "currency": "USD",
        "rules": [
            {
                "id": "shipping",
                "statement": "Return shipping costs $5.95.",
                "fee": {
                    "code": "return_shipping",
                    "amount": "5.95",
                    "waive_when": 'request.reason == "defective"',
                },
            }
        ],
    }
    base.update(over)
    return base


def rule(**fields: Any) -> dict[str, Any]:
    return {"id": "r", "statement": "A rule.", **fields}


def problems_of(source: str | dict[str, Any]) -> list[FieldProblem]:
    with pytest.raises(PolicyInvalid) as err:
        load_policy(source)
    assert err.value.problems, "PolicyInvalid must list its problems"
    return err.value.problems


def where(problems: list[FieldProblem]) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in problems]


# --- packaged policies ------------------------------------------------------------------------


def test_default_policy_loads_with_us_merchant_defaults() -> None:
    policy = load_policy(default_policy_text(), version=1)
    assert (policy.currency, policy.exponent, policy.window_days) == ("USD", 2, 30)
    assert dict(policy.credit_triggers) == {"low": "immediate", "medium": "first_scan", "high": "inspected"}
    assert (policy.ship_within_days, policy.label_valid_days) == (14, 21)
    assert policy.keep_it is not None
    assert policy.keep_it.max_item_value == 1500
    rules = {r.id: r for r in policy.rules}
    shipping = rules["return-shipping"].fee
    assert shipping is not None
    assert (shipping.amount, shipping.per) == (595, "return")
    restocking = rules["restocking-electronics"].fee
    assert restocking is not None
    assert restocking.percent == Decimal(15)
    assert rules["exchange-bonus"].bonus is not None
    assert rules["serial-numbers"].checks == ("serial_match",)
    assert all(r.statement for r in policy.rules)
    assert {"final-sale", "hygiene", "personalised", "heavy-returners", "high-value"} <= set(rules)


def test_default_policy_documents_the_condition_names_for_authors() -> None:
    text = default_policy_text()
    for obj, names in CONTEXT_FIELDS.items():
        assert f"{obj}." in text
        for name in names:
            assert name in text, f"default.yaml does not mention {obj}.{name}"


def test_examples_policy_has_a_rule_for_every_statement() -> None:
    policy = load_policy(examples_policy_text())
    numbers = {int(r.id[1:3]) for r in policy.rules if r.id.startswith("s")}
    assert numbers | {8, 13} == set(range(1, 15))  # 8 and 13 are the keep_it and shipping sections
    assert policy.keep_it is not None
    assert policy.keep_it.statement
    assert policy.shipping_statement


def test_condition_schema_matches_the_domain_context() -> None:
    assert {name: tuple(t.attributes) for name, t in SCHEMA.items()} == CONTEXT_FIELDS


# --- formats ----------------------------------------------------------------------------------


def test_yaml_json_and_mappings_give_the_same_policy() -> None:
    data = doc()
    from_yaml = load_policy(yaml.safe_dump(data))
    from_json = load_policy(json.dumps(data))
    from_dict = load_policy(data)

    def shape(p: Policy) -> tuple[Any, ...]:
        fee = p.rules[0].fee
        assert fee is not None
        assert fee.waive_when is not None
        return (p.name, p.currency, fee.amount, fee.waive_when.source, p.resolutions)

    assert shape(from_yaml) == shape(from_json) == shape(from_dict)
    assert shape(from_json)[2] == 595


@pytest.mark.parametrize(("amount", "minor"), [("5.95", 595), (5.95, 595), (5, 500), ("0.10", 10)])
def test_decimal_amounts_become_minor_units(amount: Any, minor: int) -> None:
    data = doc()
    data["rules"][0]["fee"]["amount"] = amount
    fee = load_policy(data).rules[0].fee
    assert fee is not None
    assert fee.amount == minor


def test_currency_exponent_comes_from_babel() -> None:
    data = doc(currency="JPY")
    data["rules"][0]["fee"]["amount"] = "600"
    policy = load_policy(data)
    assert policy.exponent == 0
    assert policy.rules[0].fee is not None
    assert policy.rules[0].fee.amount == 600
    data["rules"][0]["fee"]["amount"] = "5.5"
    assert where(problems_of(data)) == [("rules[0].fee.amount", "too_precise")]


@pytest.mark.parametrize(
    ("text", "code", "says"),
    [
        ("", "empty_document", "empty"),
        ("name: [unclosed", "invalid_yaml", "line 1 column"),
        ('{"name": "x",', "invalid_json", "line 1 column"),
        ("- just\n- a list\n", "not_a_mapping", "mapping"),
        ("name: a\nname: b\n", "invalid_yaml", "line 2 column 1: duplicate key 'name'"),
        ('{"name": "a", "name": "b"}', "invalid_json", "duplicate key 'name'"),
    ],
)
def test_syntax_errors_are_clear(text: str, code: str, says: str) -> None:
    with pytest.raises(PolicyInvalid) as err:
        parse_document(text)
    assert where(err.value.problems) == [("document", code)]
    assert says in err.value.problems[0].message


# --- bad documents ------------------------------------------------------------------------------


def test_unknown_field_is_named_with_a_suggestion() -> None:
    found = problems_of(doc(windw_days=30, rules=[rule(window_days=10, reviw=True)]))
    assert where(found) == [("windw_days", "unknown_field"), ("rules[0].reviw", "unknown_field")]
    assert "window_days" in found[0].message
    assert "review" in found[1].message


def test_bad_expression_syntax() -> None:
    found = problems_of(doc(rules=[rule(when="order.channel == ", review=True)]))
    assert where(found) == [("rules[0].when", "syntax_error")]


def test_unknown_symbols_fail_at_load_not_at_evaluation() -> None:
    found = problems_of(
        doc(
            rules=[
                rule(id="a", when="ordr.total > 10", review=True),
                rule(id="b", when='order.chanel == "web"', review=True),
                rule(id="c", fee={"code": "f", "amount": "1", "waive_when": 'request.reasn == "x"'}),
            ]
        )
    )
    assert where(found) == [
        ("rules[0].when", "unknown_symbol"),
        ("rules[1].when", "unknown_symbol"),
        ("rules[2].fee.waive_when", "unknown_symbol"),
    ]
    assert "order" in found[0].message
    assert "channel" in found[1].message
    assert "reason" in found[2].message


def test_type_errors_and_runtime_failures_are_caught_on_sample_contexts() -> None:
    found = problems_of(
        doc(
            rules=[
                rule(id="a", when="order.delivered_at > order.placed_at", review=True),  # may be null
                rule(id="b", when="line.unit_price", review=True),
                rule(id="c", when="line.value / (line.quantity - line.quantity) > 1", review=True),
                rule(id="d", when='line.unit_price > "cheap"', review=True),
            ]
        )
    )
    assert where(found) == [
        ("rules[0].when", "type_error"),
        ("rules[1].when", "not_boolean"),
        ("rules[2].when", "condition_failed"),
        ("rules[3].when", "type_error"),
    ]
    ok, problems = compile_condition("(order.delivered_at ?? order.placed_at) >= order.placed_at", "x")
    assert ok is not None
    assert problems == []


def test_negative_amount_bad_resolution_and_invalid_trigger() -> None:
    data = doc(
        resolutions=["refund", "cash"],
        credit_triggers={"low": "instantly"},
        rules=[
            rule(id="fee", fee={"code": "restock", "amount": "-1.00"}),
            rule(id="res", resolutions=["exchange", "repair"]),
            rule(id="trg", credit_trigger="never"),
        ],
    )
    assert where(problems_of(data)) == [
        ("resolutions[1]", "invalid_choice"),
        ("credit_triggers.low", "invalid_choice"),
        ("rules[0].fee.amount", "negative_amount"),
        ("rules[1].resolutions[1]", "invalid_choice"),
        ("rules[2].credit_trigger", "invalid_choice"),
    ]
    by_field = {p.field: p.message for p in problems_of(data)}
    assert by_field["resolutions[1]"] == "'cash' is not one of: " + ", ".join(RESOLUTIONS)


def test_every_problem_is_listed_at_once() -> None:
    data = doc(
        currency="USDX",
        surprise=True,
        keep_it={
            "max_item_value": "15",
            "return_cost_estimate": "8",
            "recovery_percent": 140,
            "max_per_customer_365d": 2,
        },
        rules=[
            rule(id="dup", when="order.channel ==", review=True),
            rule(id="dup", when='product.colour == "red"', reject="not_returnable"),
            rule(id="nothing"),
            rule(id="both", fee={"code": "x", "amount": "1", "percent": 5}),
            rule(id="when", window_until={"placed_from": "13-01", "placed_to": "12-24", "until": "01-31"}),
            rule(
                id="bad",
                fee={"code": "x", "amount": "-2"},
                resolutions=["refund", "cash"],
                credit_trigger="soon",
            ),
        ],
    )
    found = problems_of(data)
    assert set(where(found)) == {
        ("currency", "invalid_currency"),
        ("surprise", "unknown_field"),
        ("keep_it.recovery_percent", "invalid_percent"),
        ("rules[0].when", "syntax_error"),
        ("rules[1].id", "duplicate_id"),
        ("rules[1].when", "unknown_symbol"),
        ("rules[2]", "no_effect"),
        ("rules[3].fee", "amount_or_percent"),
        ("rules[4].window_until.placed_from", "invalid_month_day"),
        ("rules[5].fee.amount", "negative_amount"),
        ("rules[5].resolutions[1]", "invalid_choice"),
        ("rules[5].credit_trigger", "invalid_choice"),
    }
    rule_order = [p.field.split("]")[0] for p in found if p.field.startswith("rules[")]
    assert rule_order == sorted(rule_order, key=lambda s: int(s.split("[")[1]))


def test_missing_required_fields_and_a_resolution_list_of_known_names() -> None:
    assert where(problems_of({"rules": []})) == [("name", "required"), ("currency", "required")]
    policy = load_policy(doc(resolutions=list(reversed(RESOLUTIONS))))
    assert policy.resolutions == tuple(reversed(RESOLUTIONS))


def test_a_failing_condition_at_evaluation_names_its_field() -> None:
    condition, _ = compile_condition("line.unit_price > 5", "rules[4].when")
    assert condition is not None
    with pytest.raises(PolicyInvalid) as err:
        condition({"line": {"unit_price": "not a number"}})
    assert where(err.value.problems) == [("rules[4].when", "condition_failed")]
