"""Policy engine mechanics: windows, eligibility, resolutions, fees, keep-it, explanation, determinism."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from returnflow.adapters.policy_document import load_policy
from returnflow.domain.catalog import Product
from returnflow.domain.errors import ValidationFailed
from returnflow.domain.orders import Customer, Order, OrderLine
from returnflow.domain.policy import (
    Charge,
    CustomerHistory,
    LineRequest,
    Policy,
    PolicyRule,
    ReturnRequest,
    evaluate,
)

PLACED = datetime(2025, 2, 28, 10, 0, tzinfo=UTC)
DELIVERED = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)


# --- builders ---------------------------------------------------------------------------------


def product(sku: str = "SKU-1", category: str = "apparel", **over: Any) -> Product:
    fields: dict[str, Any] = {"name": f"Product {sku}", "unit_cost": 1500, "weight_grams": 400}
    fields.update(over)
    return Product(sku=sku, category=category, **fields)


def order_line(line_id: str = "ol_1", unit_price: int = 4000, quantity: int = 1, **over: Any) -> OrderLine:
    return OrderLine(
        id=line_id, sku=over.pop("sku", "SKU-1"), quantity=quantity, unit_price=unit_price, **over
    )


def order(*lines: OrderLine, delivered: datetime | None = DELIVERED, **over: Any) -> Order:
    fields: dict[str, Any] = {
        "number": "R-1001",
        "channel": "web",
        "currency": "USD",
        "placed_at": PLACED,
        "customer": Customer("ada@example.com", "10001", "US"),
    }
    fields.update(over)
    return Order(lines=lines or (order_line(),), delivered_at=delivered, **fields)


def item(line: OrderLine, prod: Product | None = None, quantity: int = 1, **over: Any) -> LineRequest:
    over.setdefault("reason", "changed_mind")
    return LineRequest(line=line, product=prod or product(line.sku), quantity=quantity, **over)


def request(o: Order, *items: LineRequest, days: float = 10, **over: Any) -> ReturnRequest:
    fields: dict[str, Any] = {
        "resolution": "refund",
        "method": "drop_off",
        "requested_at": (o.delivered_at or o.placed_at) + timedelta(days=days),
        "history": CustomerHistory(),
    }
    fields.update(over)
    return ReturnRequest(order=o, lines=items or tuple(item(ln) for ln in o.lines), **fields)


def policy(body: str = "", **header: Any) -> Policy:
    head = {"name": "Test policy", "currency": "USD", **header}
    text = "".join(f"{k}: {v}\n" for k, v in head.items()) + body
    return load_policy(text, version=7)


# --- window -----------------------------------------------------------------------------------


def test_window_counts_whole_days_from_delivery() -> None:
    p = policy(window_days=30)
    o = order()
    last_moment = datetime(2025, 4, 2, 23, 59, 59, tzinfo=UTC)  # delivered 03-03 + 30 days
    ok = evaluate(p, request(o, requested_at=last_moment))
    late = evaluate(p, request(o, requested_at=last_moment + timedelta(seconds=1)))
    assert ok.outcome == "approved"
    assert ok.lines[0].window_ends_at == datetime(2025, 4, 3, tzinfo=UTC)
    assert late.outcome == "rejected"
    assert [(r.code, r.line_id) for r in late.reasons] == [("window_expired", "ol_1")]
    assert "2025-04-02" in late.reasons[0].message


def test_window_falls_back_to_order_date_when_not_delivered() -> None:
    p = policy(
        window_days=30,
        rules="\n  - {id: slow, statement: s, when: request.days_since_delivery > 29, review: true}\n",
    )
    o = order(delivered=None)  # placed 02-28: the window runs to the end of 03-30
    assert (
        evaluate(p, request(o, requested_at=datetime(2025, 3, 30, 12, tzinfo=UTC))).outcome
        == "pending_review"
    )
    late = evaluate(p, request(o, requested_at=datetime(2025, 3, 31, 0, tzinfo=UTC)))
    assert late.lines[0].window_ends_at == datetime(2025, 3, 31, tzinfo=UTC)
    assert [r.code for r in late.reasons] == ["window_expired"]


VIP = "  - {id: vip, statement: VIPs get 60 days., when: '\"vip\" in customer.tags', window_days: 60}\n"
GADGETS = (
    "  - {id: electronics, statement: Electronics 14 days., "
    "when: product.category == 'electronics', window_days: 14}\n"
)


def test_last_matching_window_rule_wins_in_document_order() -> None:
    vip = order(customer=Customer("v@example.com", "10001", "US", tags=("vip",)))
    gadget = item(vip.lines[0], product(category="electronics"))
    decision = evaluate(policy("rules:\n" + VIP + GADGETS), request(vip, gadget, days=20))
    assert decision.outcome == "rejected"
    assert decision.reasons[0].rule_id == "electronics"
    assert [hit.rule_id for hit in decision.rules_fired] == ["electronics"]  # vip was overridden
    swapped = evaluate(policy("rules:\n" + GADGETS + VIP), request(vip, gadget, days=20))
    assert swapped.outcome == "approved"
    assert swapped.lines[0].window_ends_at == datetime(2025, 5, 3, tzinfo=UTC)


EXTENSION = """
rules:
  - id: holidays
    statement: Holiday orders until Jan 31.
    window_until: {placed_from: "12-01", placed_to: "01-05", until: "01-31"}
  - id: late
    statement: Late holiday orders until Feb 15.
    window_until: {placed_from: "12-20", placed_to: "12-31", until: "02-15"}
"""


def test_date_extensions_wrap_the_year_take_the_latest_date_and_never_shorten() -> None:
    p = policy(EXTENSION, window_days=30)
    jan = order(placed_at=datetime(2025, 1, 3, tzinfo=UTC), delivered=datetime(2025, 1, 6, tzinfo=UTC))
    assert evaluate(p, request(jan)).lines[0].window_ends_at == datetime(
        2025, 2, 6, tzinfo=UTC
    )  # 30 > Jan 31
    dec = order(placed_at=datetime(2024, 12, 22, tzinfo=UTC), delivered=datetime(2024, 12, 24, tzinfo=UTC))
    decision = evaluate(p, request(dec, requested_at=datetime(2025, 2, 15, 20, tzinfo=UTC)))
    assert decision.outcome == "approved"
    assert decision.lines[0].window_ends_at == datetime(2025, 2, 16, tzinfo=UTC)
    assert [hit.rule_id for hit in decision.rules_fired] == ["late"]
    nov = order(placed_at=datetime(2024, 11, 28, tzinfo=UTC), delivered=datetime(2024, 12, 1, tzinfo=UTC))
    assert evaluate(p, request(nov)).lines[0].window_ends_at == datetime(2025, 1, 1, tzinfo=UTC)  # outside


# --- eligibility ------------------------------------------------------------------------------


def test_quantity_exceeded_and_every_bad_line_is_listed() -> None:
    good, partly, gone = (
        order_line("ol_1"),
        order_line("ol_2", sku="SKU-2", quantity=2, returned_quantity=1),
        order_line("ol_3", sku="SKU-3", returned_quantity=1),
    )
    o = order(good, partly, gone)
    decision = evaluate(policy(), request(o, item(good), item(partly, quantity=2), item(gone)))
    assert decision.outcome == "rejected"
    assert [(r.code, r.line_id) for r in decision.reasons] == [
        ("quantity_exceeded", "ol_2"),
        ("quantity_exceeded", "ol_3"),
    ]
    assert [ld.eligible for ld in decision.lines] == [True, False, False]
    assert decision.refund_total == 0
    assert decision.fees == ()
    assert decision.items_total == 4000 + 8000 + 4000
    assert decision.ship_by is None


def test_product_flagged_not_returnable_is_rejected() -> None:
    o = order()
    decision = evaluate(policy(), request(o, item(o.lines[0], product(returnable=False))))
    assert [r.code for r in decision.reasons] == ["not_returnable"]


def test_reasons_are_checked_only_when_the_policy_lists_its_own() -> None:
    o = order()
    req = request(o, item(o.lines[0], reason="moon_phase"))
    assert evaluate(policy(), req).outcome == "approved"
    own = policy("reasons:\n  - {code: too_big, label: Too big}\n")
    assert [r.code for r in evaluate(own, req).reasons] == ["invalid_reason"]


def test_rejection_wins_over_review() -> None:
    p = policy(rules="\n  - {id: check, statement: We look at every return., review: true}\n")
    o = order()
    assert evaluate(p, request(o)).outcome == "pending_review"
    late = evaluate(p, request(o, days=45))
    assert late.outcome == "rejected"
    assert [r.code for r in late.reasons] == ["window_expired"]
    assert late.eligible is False


# --- resolutions and methods --------------------------------------------------------------------


RESTRICT = """
rules:
  - id: clearance
    statement: Clearance items are exchange only.
    when: '"clearance" in product.tags'
    resolutions: [exchange]
"""


def test_resolution_not_allowed_names_rule_and_line_and_intersects_lines() -> None:
    a, b = order_line("ol_1"), order_line("ol_2", sku="SKU-2")
    o = order(a, b)
    req = request(o, item(a), item(b, product("SKU-2", tags=("clearance",))))
    decision = evaluate(policy(RESTRICT), req)
    assert decision.resolutions_allowed == ("exchange",)
    assert decision.lines[0].resolutions_allowed == ("refund", "store_credit", "exchange")
    assert [(r.code, r.rule_id, r.line_id) for r in decision.reasons] == [
        ("resolution_not_allowed", "clearance", "ol_2")
    ]
    assert evaluate(policy(RESTRICT), replace(req, resolution="exchange")).outcome == "approved"


def test_resolution_and_method_the_policy_does_not_offer() -> None:
    p = policy(resolutions="[refund, exchange]", methods="[drop_off]")
    o = order()
    assert [r.code for r in evaluate(p, request(o, resolution="store_credit")).reasons] == [
        "resolution_not_allowed"
    ]
    assert [r.code for r in evaluate(p, request(o, method="pickup")).reasons] == ["method_not_allowed"]


# --- fees, bonuses, rounding --------------------------------------------------------------------


FEES = """
rules:
  - id: shipping
    statement: Return shipping $5.95 per return.
    fee: {code: return_shipping, amount: "5.95", per: return, waive_when: request.reason == "defective"}
  - id: restock
    statement: 15 % restocking.
    when: request.opened
    fee: {code: restocking, percent: 15, per: line}
  - id: handling
    statement: $0.50 handling per unit.
    fee: {code: handling, amount: "0.50", per: unit}
"""


def test_fees_per_return_per_line_per_unit_with_half_even_rounding() -> None:
    a = order_line("ol_1", unit_price=1250)  # 15 % = 187.5 -> 188 (half-even, 8 is even)
    b = order_line("ol_2", sku="SKU-2", unit_price=1150)  # 15 % = 172.5 -> 172
    c = order_line("ol_3", sku="SKU-3", unit_price=2000, quantity=3)
    o = order(a, b, c)
    req = request(o, item(a, opened=True), item(b, opened=True), item(c, quantity=3, reason="defective"))
    decision = evaluate(policy(FEES), req)
    fees = [(f.code, f.amount, f.line_id) for f in decision.fees]
    assert fees == [
        ("restocking", 188, "ol_1"),
        ("handling", 50, "ol_1"),
        ("restocking", 172, "ol_2"),
        ("handling", 50, "ol_2"),
        ("handling", 150, "ol_3"),
        ("return_shipping", 595, None),  # charged once although two lines triggered it
    ]
    assert decision.items_total == 1250 + 1150 + 6000
    assert decision.fees_total == 188 + 50 + 172 + 50 + 150 + 595
    assert decision.refund_total == decision.items_total - decision.fees_total


def test_waived_per_return_fee_is_not_charged_but_is_explained() -> None:
    o = order()
    decision = evaluate(policy(FEES), request(o, item(o.lines[0], reason="defective")))
    assert [f.code for f in decision.fees] == ["handling"]
    shipping = next(hit for hit in decision.rules_fired if hit.rule_id == "shipping")
    assert shipping.waived is True


def test_refund_never_goes_negative() -> None:
    o = order(order_line(unit_price=300))
    decision = evaluate(policy(FEES), request(o))
    assert decision.fees_total == 645
    assert decision.refund_total == 0


def test_bonus_is_separate_from_the_refund() -> None:
    body = """
rules:
  - id: sc
    statement: Store credit earns 12.5 % extra.
    when: request.resolution == "store_credit"
    bonus: {code: sc_bonus, percent: 12.5}
"""
    o = order(order_line(unit_price=999))
    decision = evaluate(policy(body), request(o, resolution="store_credit"))
    assert decision.bonus_credit == 125  # 124.875 -> 125
    assert decision.refund_total == 999
    assert [(b.code, b.amount) for b in decision.bonuses] == [("sc_bonus", 125)]


# --- credit trigger, keep-it, shipping ----------------------------------------------------------


def test_credit_trigger_from_tier_table_made_stricter_by_rules_only() -> None:
    body = """
rules:
  - {id: pricey, statement: Over $500 later., when: line.unit_price > 500, credit_trigger: inspected}
  - {id: loosen, statement: Never loosens., credit_trigger: immediate}
"""
    p = policy(body, credit_triggers="{low: immediate, medium: delivered}")
    cheap, pricey = order(), order(order_line(unit_price=50001))
    assert evaluate(p, request(cheap)).credit_trigger == "immediate"
    assert evaluate(p, request(cheap, risk_tier="medium")).credit_trigger == "delivered"
    assert evaluate(p, request(cheap, risk_tier="high")).credit_trigger == "inspected"  # default table
    assert evaluate(p, request(pricey, risk_tier="medium")).credit_trigger == "inspected"


KEEP_IT = """
keep_it:
  {max_item_value: "15.00", return_cost_estimate: "7.00", recovery_percent: 50, max_per_customer_365d: 1}
shipping: {ship_within_days: 14, label_valid_days: 21}
rules:
  - {id: shipping, statement: s, fee: {code: return_shipping, amount: "5.95"}}
"""


def test_keep_it_drops_fees_credits_immediately_and_ships_nothing() -> None:
    o = order(order_line(unit_price=1200))
    cheap = item(o.lines[0], product(unit_cost=800))  # recovers 400 < 700 to bring back
    decision = evaluate(policy(KEEP_IT), request(o, cheap, method=None, risk_tier="low"))
    assert decision.keep_it is True
    assert decision.fees == ()
    assert decision.refund_total == 1200
    assert decision.credit_trigger == "immediate"
    assert decision.ship_by is None
    assert decision.label_expires_at is None
    chosen = evaluate(policy(KEEP_IT), request(o, cheap, method="drop_off"))
    assert chosen.keep_it is False
    assert chosen.fees_total == 595


def test_keep_it_uses_known_return_cost_and_customer_limit() -> None:
    o = order(order_line(unit_price=1200))
    cheap = item(o.lines[0], product(unit_cost=800))
    p = policy(KEEP_IT)
    assert evaluate(p, request(o, cheap, method=None, return_shipping_cost=400)).keep_it is False
    limited = request(o, cheap, method="keep_it", history=CustomerHistory(keep_it_365d=1))
    decision = evaluate(p, limited)
    assert decision.outcome == "rejected"
    assert [r.code for r in decision.reasons] == ["keep_it_limit"]
    assert evaluate(p, request(o, cheap, method=None, risk_tier="medium")).keep_it is False


def test_ship_by_and_label_expiry_count_from_the_request() -> None:
    o = order()
    req = request(o, days=5)
    decision = evaluate(policy("shipping: {ship_within_days: 14, label_valid_days: 21}\n"), req)
    assert decision.ship_by == req.requested_at + timedelta(days=14)
    assert decision.label_expires_at == req.requested_at + timedelta(days=21)
    assert evaluate(policy(), req).ship_by is None


# --- explanation, determinism, guards ----------------------------------------------------------


def test_rules_fired_explain_in_the_specialists_words_per_line() -> None:
    a, b = order_line("ol_1"), order_line("ol_2", sku="SKU-2")
    o = order(a, b)
    decision = evaluate(policy(FEES), request(o, item(a, opened=True), item(b)))
    assert [(h.rule_id, h.line_id, h.waived) for h in decision.rules_fired] == [
        ("shipping", "ol_1", False),
        ("restock", "ol_1", False),
        ("handling", "ol_1", False),
        ("shipping", "ol_2", False),
        ("handling", "ol_2", False),
    ]
    assert decision.rules_fired[1].statement == "15 % restocking."
    assert decision.policy_version == 7
    assert decision.currency == "USD"


def test_decisions_are_deterministic() -> None:
    a, b = order_line("ol_1", unit_price=1999), order_line("ol_2", sku="SKU-2", unit_price=2999)
    o = order(a, b)
    req = request(o, item(a, opened=True), item(b, reason="defective"))
    p = policy(FEES)
    first, second = evaluate(p, req), evaluate(policy(FEES), req)
    assert first == second
    assert hash(first) == hash(second)
    flipped = evaluate(p, replace(req, lines=tuple(reversed(req.lines))))
    assert (flipped.items_total, flipped.fees_total, flipped.refund_total) == (
        first.items_total,
        first.fees_total,
        first.refund_total,
    )


def test_currency_mismatch_and_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValidationFailed) as err:
        evaluate(policy(), request(order(currency="EUR")))
    assert err.value.code == "currency_mismatch"
    with pytest.raises(ValidationFailed):
        request(order(), requested_at=datetime(2025, 3, 5))


@dataclass(frozen=True)
class _When:
    """A hand-written Condition: the domain needs no expression language."""

    source: str

    def __call__(self, context: Mapping[str, Any]) -> bool:
        return bool(context["product"]["category"] == "home")


def test_domain_policy_works_with_any_condition_implementation() -> None:
    fee = Charge(code="bulky", description="Bulky item pickup", amount=1500, per="line")
    p = Policy(
        version=1,
        name="Python-built",
        currency="USD",
        rules=(PolicyRule(id="bulky", statement="Bulky items pay $15.", when=_When("home"), fee=fee),),
    )
    o = order()
    decision = evaluate(p, request(o, item(o.lines[0], product(category="home"))))
    assert [(f.code, f.amount, f.line_id) for f in decision.fees] == [("bulky", 1500, "ol_1")]
    assert evaluate(p, request(o)).fees == ()
