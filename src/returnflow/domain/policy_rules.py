"""Pure calculations the policy evaluation relies on: window dates, charges and keep-it eligibility."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from returnflow.domain.money import Money
from returnflow.domain.policy_model import Charge, MonthDay, Policy, PolicyRule, WindowExtension
from returnflow.domain.policy_request import LineRequest, ReturnRequest


def _midnight_after(day: date) -> datetime:
    nxt = day + timedelta(days=1)
    return datetime(nxt.year, nxt.month, nxt.day, tzinfo=UTC)


def window_end(start: datetime, days: int) -> datetime:
    """The instant a `days`-day window starting at `start` closes: the end of its last UTC day.

    A return requested on day `days` (counting the start day as day 0) is still in time, so
    merchants' "30 days" means 30 whole calendar days, not 30×24 hours from a delivery scan.
    """
    return _midnight_after(start.astimezone(UTC).date() + timedelta(days=days))


def _occurrence(year: int, md: MonthDay) -> date:
    try:
        return date(year, md.month, md.day)
    except ValueError:  # 02-29 in a common year: the last day of February
        return date(year, 2, 28)


def _within(md: tuple[int, int], start: MonthDay, end: MonthDay) -> bool:
    lo, hi = (start.month, start.day), (end.month, end.day)
    if lo <= hi:
        return lo <= md <= hi
    return md >= lo or md <= hi  # the range wraps the new year (e.g. 12-15 .. 01-05)


def extension_end(placed_at: datetime, extension: WindowExtension) -> datetime | None:
    """When a seasonal extension closes the window for an order, or None if the order is outside it."""
    placed = placed_at.astimezone(UTC).date()
    if not _within((placed.month, placed.day), extension.placed_from, extension.placed_to):
        return None
    until = _occurrence(placed.year, extension.until)
    if until < placed:
        until = _occurrence(placed.year + 1, extension.until)
    return _midnight_after(until)


def line_window(
    policy: Policy, request: ReturnRequest, matched: list[PolicyRule]
) -> tuple[datetime, PolicyRule | None]:
    """When the window closes for a line, and the rule that decided it (None: the policy default).

    The last matching `window_days` rule wins; a matching extension then wins only if it is later.
    """
    days, deciding = policy.window_days, None
    for rule in matched:
        if rule.window_days is not None:
            days, deciding = rule.window_days, rule
    ends = window_end(request.window_start, days)
    for rule in matched:
        extended = extension_end(request.order.placed_at, rule.window_until) if rule.window_until else None
        if extended is not None and extended > ends:
            ends, deciding = extended, rule
    return ends, deciding


def charges_only(rule: PolicyRule) -> bool:
    """True for a rule whose only effect is a fee (so it has nothing to do on a keep-it return)."""
    others = (rule.reject, rule.review, rule.checks, rule.credit_trigger, rule.bonus, rule.window_until)
    unset = rule.resolutions is None and rule.window_days is None
    return rule.fee is not None and unset and not any(others)


def charge_amount(charge: Charge, value: int, units: int, currency: str) -> int:
    """Minor units a charge comes to on `value` (minor units) of goods made of `units` units.

    The fixed part counts once, or once per unit for `per: unit`; the percent part is rounded
    half-even to the minor unit so that splitting and summing stay exact.
    """
    fixed = charge.amount * units if charge.per == "unit" else charge.amount
    variable = 0
    if charge.percent is not None:
        variable = Money(value, currency).percent(charge.percent).amount
    return fixed + variable


def serial_mismatch(item: LineRequest) -> bool:
    """True when the customer states a serial that was not shipped on a serialized line.

    No stated serial, or no recorded shipped serials, is not a mismatch: inspection checks it later.
    """
    if not item.product.serialized or not item.serial or not item.line.serials:
        return False
    return item.serial not in item.line.serials


def keep_it_problems(policy: Policy, request: ReturnRequest, needs_inspection: bool) -> list[tuple[str, str]]:
    """Why this return cannot be returnless (code, message); an empty list means it qualifies."""
    rules = policy.keep_it
    if rules is None or "keep_it" not in policy.methods:
        return [("keep_it_not_allowed", "This store does not offer keep-it refunds.")]
    problems: list[tuple[str, str]] = []
    if request.risk_tier not in rules.risk_tiers:
        problems.append(("keep_it_not_allowed", "Keep-it refunds are not available for this return."))
    if request.history.keep_it_365d >= rules.max_per_customer_365d:
        problems.append(
            (
                "keep_it_limit",
                f"Keep-it refunds are limited to {rules.max_per_customer_365d} per customer per year.",
            )
        )
    if any(item.line.unit_price >= rules.max_item_value for item in request.lines):
        problems.append(("keep_it_not_allowed", "An item is worth too much to keep without returning it."))
    cost = request.return_shipping_cost
    if cost is None:
        cost = rules.return_cost_estimate
    recovery = sum(
        Money(item.product.unit_cost * item.quantity, policy.currency).percent(rules.recovery_percent).amount
        for item in request.lines
    )
    if cost <= recovery:
        problems.append(("keep_it_not_allowed", "Returning these items recovers more than it costs."))
    if needs_inspection:
        problems.append(("keep_it_not_allowed", "These items must be inspected, so they must come back."))
    return problems
