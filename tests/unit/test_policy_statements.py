"""The 14 reference policy statements, each decided by the packaged examples.yaml policy."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from returnflow.adapters.policy_document import examples_policy_text, load_policy
from returnflow.domain.catalog import Product
from returnflow.domain.orders import Customer, Order, OrderLine
from returnflow.domain.policy import CustomerHistory, Decision, LineRequest, Policy, ReturnRequest, evaluate

DELIVERED = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def examples() -> Policy:
    return load_policy(examples_policy_text(), version=3)


# --- builders ---------------------------------------------------------------------------------


def product(category: str = "apparel", **over: Any) -> Product:
    fields: dict[str, Any] = {"sku": "SKU-1", "name": "Linen shirt", "unit_cost": 1500, "weight_grams": 300}
    fields.update(over)
    return Product(category=category, **fields)


def line(line_id: str = "ol_1", unit_price: int = 8000, **over: Any) -> OrderLine:
    fields: dict[str, Any] = {"sku": "SKU-1", "quantity": 1}
    fields.update(over)
    return OrderLine(id=line_id, unit_price=unit_price, **fields)


def order(*lines: OrderLine, tags: tuple[str, ...] = (), **over: Any) -> Order:
    fields: dict[str, Any] = {
        "number": "R-2001",
        "channel": "web",
        "currency": "USD",
        "placed_at": DELIVERED - timedelta(days=3),
        "delivered_at": DELIVERED,
        "customer": Customer("ada@example.com", "10001", "US", tags=tags),
    }
    fields.update(over)
    return Order(lines=lines or (line(),), **fields)


def returning(
    o: Order, *items: LineRequest, days: float = 10, product_: Product | None = None, **over: Any
) -> ReturnRequest:
    """A return of every line of `o` (or of `items`) requested `days` after delivery."""
    fields: dict[str, Any] = {
        "resolution": "refund",
        "method": "drop_off",
        "requested_at": (o.delivered_at or o.placed_at) + timedelta(days=days),
        "history": CustomerHistory(),
    }
    fields.update(over)
    lines = items or tuple(
        LineRequest(ln, product_ or product(sku=ln.sku), ln.quantity, "changed_mind") for ln in o.lines
    )
    return ReturnRequest(order=o, lines=lines, **fields)


def take(
    ln: OrderLine, prod: Product | None = None, reason: str = "changed_mind", **over: Any
) -> LineRequest:
    return LineRequest(ln, prod or product(sku=ln.sku), over.pop("quantity", 1), reason, **over)


def fired(decision: Decision) -> set[str]:
    return {hit.rule_id for hit in decision.rules_fired if not hit.waived}


def codes(decision: Decision) -> list[tuple[str, str | None]]:
    return [(r.code, r.rule_id) for r in decision.reasons]


# --- the statements ---------------------------------------------------------------------------


def test_s01_windows_30_days_60_for_loyalty_14_for_electronics(examples: Policy) -> None:
    plain, loyal = order(), order(tags=("loyalty",))
    gadget = product("electronics")
    on_day_30 = evaluate(examples, returning(plain, days=30))
    assert on_day_30.outcome == "approved"
    assert "s01-standard-window" in fired(on_day_30)
    assert on_day_30.lines[0].window_ends_at == datetime(2025, 4, 3, tzinfo=UTC)
    assert codes(evaluate(examples, returning(plain, days=31))) == [("window_expired", "s01-standard-window")]
    loyal_45 = evaluate(examples, returning(loyal, days=45))
    assert loyal_45.outcome == "approved"
    assert "s01-loyalty-window" in fired(loyal_45)
    assert codes(evaluate(examples, returning(loyal, days=61))) == [("window_expired", "s01-loyalty-window")]
    assert evaluate(examples, returning(plain, days=14, product_=gadget)).outcome == "approved"
    late_gadget = evaluate(examples, returning(loyal, days=15, product_=gadget))
    assert codes(late_gadget) == [("window_expired", "s01-electronics-window")]


def test_s02_holiday_orders_returnable_until_january_31(examples: Policy) -> None:
    holiday = order(
        placed_at=datetime(2024, 11, 20, tzinfo=UTC), delivered_at=datetime(2024, 11, 25, tzinfo=UTC)
    )
    in_january = evaluate(examples, returning(holiday, requested_at=datetime(2025, 1, 31, 18, tzinfo=UTC)))
    assert in_january.outcome == "approved"
    assert in_january.lines[0].window_ends_at == datetime(2025, 2, 1, tzinfo=UTC)
    assert "s02-holiday" in fired(in_january)
    in_february = evaluate(examples, returning(holiday, requested_at=datetime(2025, 2, 1, 0, tzinfo=UTC)))
    assert codes(in_february) == [("window_expired", "s02-holiday")]
    after = order(
        placed_at=datetime(2024, 12, 26, tzinfo=UTC), delivered_at=datetime(2024, 12, 28, tzinfo=UTC)
    )
    assert codes(evaluate(examples, returning(after, requested_at=datetime(2025, 1, 30, tzinfo=UTC)))) == [
        ("window_expired", "s01-standard-window")
    ]
    # Never shortens: a loyalty member's 60 days from a Dec 23 delivery run past January 31.
    loyal = order(
        tags=("loyalty",),
        placed_at=datetime(2024, 12, 20, tzinfo=UTC),
        delivered_at=datetime(2024, 12, 23, tzinfo=UTC),
    )
    long_window = evaluate(examples, returning(loyal, requested_at=datetime(2025, 2, 10, tzinfo=UTC)))
    assert long_window.outcome == "approved"
    assert long_window.lines[0].window_ends_at == datetime(2025, 2, 22, tzinfo=UTC)
    assert "s02-holiday" not in fired(long_window)


def test_s03_final_sale_gift_cards_hygiene_and_personalised_are_not_returnable(examples: Policy) -> None:
    lines = [line(f"ol_{i}", sku=f"SKU-{i}") for i in range(1, 7)]
    final_sale = replace(lines[0], final_sale=True)
    o = order(final_sale, *lines[1:])
    items = (
        take(final_sale),
        take(lines[1], product("other", sku="SKU-2", tags=("gift_card",))),
        take(lines[2], product("apparel", sku="SKU-3", tags=("underwear",))),
        take(lines[3], product("apparel", sku="SKU-4", tags=("personalised",))),
        take(lines[4], product("apparel", sku="SKU-5", tags=("swimwear", "hygiene_liner"))),
        take(lines[5]),
    )
    decision = evaluate(examples, returning(o, *items))
    assert decision.outcome == "rejected"
    assert [(r.code, r.line_id) for r in decision.reasons] == [
        ("not_returnable", "ol_1"),
        ("not_returnable", "ol_2"),
        ("not_returnable", "ol_3"),
        ("not_returnable", "ol_4"),
    ]
    assert all(r.rule_id == "s03-non-returnable" for r in decision.reasons)
    assert [ld.eligible for ld in decision.lines] == [False, False, False, False, True, True]
    liner_only = evaluate(examples, returning(o, items[4]))
    assert liner_only.outcome == "approved"
    assert liner_only.required_checks == ("hygiene_seal",)


def test_s04_deep_discounts_are_exchange_or_store_credit_only(examples: Policy) -> None:
    half_off = order(line(unit_price=5000, list_price=10000))
    refund = evaluate(examples, returning(half_off))
    assert codes(refund) == [("resolution_not_allowed", "s04-deep-discount")]
    assert refund.resolutions_allowed == ("store_credit", "exchange")
    assert evaluate(examples, returning(half_off, resolution="store_credit")).outcome == "approved"
    assert evaluate(examples, returning(half_off, resolution="exchange")).outcome == "approved"
    just_under = order(line(unit_price=5001, list_price=10000))  # 49 %
    assert evaluate(examples, returning(just_under)).outcome == "approved"


def test_s05_return_shipping_595_free_for_exchanges_and_merchant_faults(examples: Policy) -> None:
    paid = evaluate(examples, returning(order()))
    assert [(f.code, f.amount, f.rule_id) for f in paid.fees] == [
        ("return_shipping", 595, "s05-return-shipping")
    ]
    assert paid.refund_total == 8000 - 595
    exchange = evaluate(examples, returning(order(), resolution="exchange"))
    assert exchange.fees == ()
    assert any(h.rule_id == "s05-return-shipping" and h.waived for h in exchange.rules_fired)
    for reason in ("defective", "damaged_in_transit", "wrong_item"):
        o = order()
        assert evaluate(examples, returning(o, take(o.lines[0], reason=reason))).fees_total == 0
    a, b = line("ol_1"), line("ol_2", sku="SKU-2")
    two = order(a, b)
    mixed = evaluate(examples, returning(two, take(a, reason="defective"), take(b)))
    assert [(f.code, f.amount) for f in mixed.fees] == [("return_shipping", 595)]  # one parcel, one fee


def test_s06_opened_electronics_pay_15_percent_restocking_unless_defective(examples: Policy) -> None:
    o = order(line(unit_price=12350))
    laptop = product("electronics", sku="SKU-1")
    opened = evaluate(examples, returning(o, take(o.lines[0], laptop, opened=True)))
    assert [(f.code, f.amount) for f in opened.fees] == [("restocking", 1852), ("return_shipping", 595)]
    assert opened.refund_total == 12350 - 1852 - 595  # 1852.5 rounds half-even to 1852
    sealed = evaluate(examples, returning(o, take(o.lines[0], laptop, opened=False)))
    assert [f.code for f in sealed.fees] == ["return_shipping"]
    defective = evaluate(examples, returning(o, take(o.lines[0], laptop, "defective", opened=True)))
    assert defective.fees == ()
    assert defective.refund_total == 12350


def test_s07_exchange_bonus_10_dollars_store_credit_10_percent(examples: Policy) -> None:
    exchange = evaluate(examples, returning(order(), resolution="exchange"))
    assert exchange.bonus_credit == 1000
    assert "s07-exchange-bonus" in fired(exchange)
    credit = evaluate(examples, returning(order(), resolution="store_credit"))
    assert [(b.code, b.amount) for b in credit.bonuses] == [("store_credit_bonus", 800)]
    assert credit.refund_total == 8000 - 595  # the bonus is on top, not in the refund
    assert evaluate(examples, returning(order())).bonus_credit == 0


def test_s08_cheap_items_costing_more_to_return_are_kept(examples: Policy) -> None:
    o = order(line(unit_price=1200))
    cheap = take(o.lines[0], product(unit_cost=500))  # recovers 40 % of $5 = $2 < $8 to ship back
    kept = evaluate(examples, returning(o, cheap, method=None))
    assert kept.keep_it is True
    assert kept.outcome == "approved"
    assert kept.fees == ()
    assert kept.refund_total == 1200
    assert kept.ship_by is None
    assert "policy.keep_it" in fired(kept)
    assert "s05-return-shipping" not in fired(kept)  # nothing is shipped, so the fee rule is waived
    twice = CustomerHistory(keep_it_365d=2)
    assert evaluate(examples, returning(o, cheap, method=None, history=twice)).keep_it is False
    asked = evaluate(examples, returning(o, cheap, method="keep_it", history=twice))
    assert codes(asked) == [("keep_it_limit", None)]
    pricier = order(line(unit_price=1500))
    assert (
        evaluate(examples, returning(pricier, method=None, product_=product(unit_cost=500))).keep_it is False
    )
    cheap_to_ship = evaluate(examples, returning(o, cheap, method=None, return_shipping_cost=150))
    assert cheap_to_ship.keep_it is False
    assert cheap_to_ship.ship_by is not None


def test_s09_frequent_returners_go_to_manual_review(examples: Policy) -> None:
    often = evaluate(examples, returning(order(), history=CustomerHistory(returns_90d=6)))
    assert often.outcome == "pending_review"
    assert codes(often) == [("manual_review", "s09-heavy-returners")]
    high_rate = CustomerHistory(returns_90d=1, items_bought_365d=10, items_returned_365d=7)
    assert evaluate(examples, returning(order(), history=high_rate)).outcome == "pending_review"
    at_limits = CustomerHistory(returns_90d=5, items_bought_365d=10, items_returned_365d=6)
    assert evaluate(examples, returning(order(), history=at_limits)).outcome == "approved"


def test_s10_credit_timing_by_risk_tier_and_item_value(examples: Policy) -> None:
    o = order()
    assert evaluate(examples, returning(o, risk_tier="low")).credit_trigger == "immediate"
    assert evaluate(examples, returning(o, risk_tier="medium")).credit_trigger == "first_scan"
    assert evaluate(examples, returning(o, risk_tier="high")).credit_trigger == "inspected"
    pricey = evaluate(examples, returning(order(line(unit_price=50001)), risk_tier="low"))
    assert pricey.credit_trigger == "inspected"
    assert {"s10-low-risk", "s10-high-risk-or-value"} <= fired(pricey)


def test_s11_canada_45_days_and_store_credit_unless_defective(examples: Policy) -> None:
    canada = order(ship_country="CA")
    day_40 = evaluate(examples, returning(canada, days=40, resolution="store_credit"))
    assert day_40.outcome == "approved"
    assert "s11-canada-window" in fired(day_40)
    assert codes(evaluate(examples, returning(canada, days=46, resolution="store_credit"))) == [
        ("window_expired", "s11-canada-window")
    ]
    refund = evaluate(examples, returning(canada, days=5))
    assert codes(refund) == [("resolution_not_allowed", "s11-canada-store-credit")]
    defective = evaluate(examples, returning(canada, take(canada.lines[0], reason="defective"), days=5))
    assert defective.outcome == "approved"
    assert defective.resolution == "refund"


def test_s12_marketplace_orders_are_not_returnable_here(examples: Policy) -> None:
    decision = evaluate(examples, returning(order(channel="marketplace")))
    assert codes(decision) == [("not_returnable", "s12-marketplace")]
    assert "through the marketplace" in decision.reasons[0].message


def test_s13_ship_within_14_days_labels_expire_after_21(examples: Policy) -> None:
    req = returning(order(), days=29)
    decision = evaluate(examples, req)
    assert decision.ship_by == req.requested_at + timedelta(days=14)  # after the window: still fine
    assert decision.label_expires_at == req.requested_at + timedelta(days=21)
    assert "policy.shipping" in fired(decision)
    assert evaluate(examples, returning(order(), days=40)).label_expires_at is None


def test_s14_serialized_items_must_come_back_with_the_shipped_serial(examples: Policy) -> None:
    o = order(line(serials=("SN-100",)))
    camera = product("electronics", serialized=True)
    swapped = evaluate(examples, returning(o, take(o.lines[0], camera, serial="SN-999")))
    assert codes(swapped) == [("serial_mismatch", "s14-serial")]
    matching = evaluate(examples, returning(o, take(o.lines[0], camera, serial="SN-100")))
    assert matching.outcome == "approved"
    assert matching.required_checks == ("serial_match",)
    unstated = evaluate(examples, returning(o, take(o.lines[0], camera)))
    assert unstated.outcome == "approved"
    assert unstated.required_checks == ("serial_match",)
