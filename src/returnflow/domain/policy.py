"""Return-policy evaluation: a compiled Policy and a ReturnRequest in, an explained Decision out.

How the rules combine (conditions are evaluated once per requested line, in document order):

- Window: ``window_days`` of the last matching rule wins (else the policy's), counted in whole UTC days
  from delivery, or from the order date when not delivered. A ``window_until`` extension only ever
  extends: the latest closing date of the base window and every matching extension applies.
- Any line that is not eligible (window, ``reject`` rule, product not returnable, quantity, serial
  mismatch, a reason outside the policy's own ``reasons`` list when it has one) rejects the whole
  return, listing every bad line. Rejection wins over review; any matching ``review`` rule
  otherwise sends the return to ``pending_review``.
- Resolutions: a line allows the policy's resolutions minus those a matching rule leaves out; the return
  allows those every line allows.
- Fees and bonuses: ``per: line``/``unit`` charges are computed per matching line; a ``per: return``
  charge is charged once when at least one line matches and is not waived, on the value of those lines.
  Percentages round half-even. A keep-it return carries no fees (nothing is shipped or restocked).
- Credit trigger: the risk tier's trigger, made stricter by matching rules (the strictest wins); a
  keep-it return has nothing to scan or inspect, so it is credited immediately unless ``manual``.
- Money in the Decision is in integer minor units. A rejected return charges and credits nothing:
  its fees and bonuses are empty and ``refund_total`` is 0 (``items_total`` still shows the value).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from returnflow.domain.errors import ValidationFailed
from returnflow.domain.policy_model import (
    CHARGE_BASES,
    CHECKS,
    CREDIT_TRIGGERS,
    DEFAULT_CREDIT_TRIGGERS,
    DEFAULT_REASONS,
    METHODS,
    RESOLUTIONS,
    RISK_TIERS,
    Charge,
    Condition,
    KeepItPolicy,
    MonthDay,
    Policy,
    PolicyRule,
    WindowExtension,
    stricter_trigger,
)
from returnflow.domain.policy_request import (
    CONTEXT_FIELDS,
    CustomerHistory,
    LineRequest,
    ReturnRequest,
    condition_context,
)
from returnflow.domain.policy_rules import (
    charge_amount,
    charges_only,
    keep_it_problems,
    line_window,
    serial_mismatch,
)

__all__ = [
    "CHARGE_BASES",
    "CHECKS",
    "CONTEXT_FIELDS",
    "CREDIT_TRIGGERS",
    "DEFAULT_CREDIT_TRIGGERS",
    "DEFAULT_REASONS",
    "METHODS",
    "RESOLUTIONS",
    "RISK_TIERS",
    "Charge",
    "Condition",
    "CustomerHistory",
    "Decision",
    "Fee",
    "KeepItPolicy",
    "LineDecision",
    "LineRequest",
    "MonthDay",
    "Policy",
    "PolicyRule",
    "Reason",
    "ReturnRequest",
    "RuleHit",
    "WindowExtension",
    "condition_context",
    "evaluate",
]


@dataclass(frozen=True)
class Reason:
    """Why a return is rejected or needs review: a machine code and a customer-readable message."""

    code: str
    message: str
    rule_id: str | None = None
    line_id: str | None = None


@dataclass(frozen=True)
class Fee:
    """A deduction from the refund (or, in `Decision.bonuses`, an extra credit), in minor units."""

    code: str
    amount: int
    description: str
    rule_id: str | None = None
    line_id: str | None = None


@dataclass(frozen=True)
class RuleHit:
    """A rule that applied, in the specialist's words; `waived` when its only effect was waived."""

    rule_id: str
    statement: str
    line_id: str | None = None
    waived: bool = False


@dataclass(frozen=True)
class LineDecision:
    """The verdict on one requested line."""

    line_id: str
    eligible: bool
    quantity: int
    value: int
    window_ends_at: datetime | None
    resolutions_allowed: tuple[str, ...]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Decision:
    """The policy's answer to a return request, with everything needed to explain and execute it."""

    outcome: str
    reasons: tuple[Reason, ...]
    rules_fired: tuple[RuleHit, ...]
    fees: tuple[Fee, ...]
    lines: tuple[LineDecision, ...]
    resolution: str
    resolutions_allowed: tuple[str, ...]
    currency: str
    items_total: int
    fees_total: int
    bonus_credit: int
    refund_total: int
    credit_trigger: str
    keep_it: bool
    policy_version: int
    ship_by: datetime | None
    label_expires_at: datetime | None
    required_checks: tuple[str, ...]
    bonuses: tuple[Fee, ...] = ()

    @property
    def eligible(self) -> bool:
        """True unless the return is rejected (approved or pending review)."""
        return self.outcome != "rejected"


@dataclass
class _Tally:
    """Mutable accumulator for one evaluation; never leaves this module."""

    trigger: str
    rejections: list[Reason] = field(default_factory=list)
    reviews: dict[str, Reason] = field(default_factory=dict)
    hits: list[RuleHit] = field(default_factory=list)
    fees: list[Fee] = field(default_factory=list)
    bonuses: list[Fee] = field(default_factory=list)
    # (kind, rule id) -> (rule, charge, value, units) of not-waived lines, for per-return charges
    pending: dict[tuple[str, str], tuple[PolicyRule, Charge, int, int]] = field(default_factory=dict)
    checks: dict[str, None] = field(default_factory=dict)
    restricted: list[tuple[str, str, PolicyRule]] = field(default_factory=list)


def _charge(t: _Tally, kind: str, rule: PolicyRule, charge: Charge, item: LineRequest, currency: str) -> None:
    target = t.fees if kind == "fee" else t.bonuses
    if charge.per == "return":
        key = (kind, rule.id)
        _, _, value, units = t.pending.get(key, (rule, charge, 0, 0))
        t.pending[key] = (rule, charge, value + item.value, units + item.quantity)
        return
    amount = charge_amount(charge, item.value, item.quantity, currency)
    target.append(Fee(charge.code, amount, charge.description, rule.id, item.line.id))


def _evaluate_line(policy: Policy, request: ReturnRequest, item: LineRequest, t: _Tally) -> LineDecision:
    ctx = condition_context(request, item, policy.exponent)
    line, product, line_id = item.line, item.product, item.line.id
    matched = [rule for rule in policy.rules if rule.when is None or rule.when(ctx)]
    fire: dict[str, bool] = {}  # rule id -> True while every effect it had was waived
    reasons: list[Reason] = []
    if not product.returnable:
        reasons.append(Reason("not_returnable", f"{product.name} cannot be returned.", None, line_id))
    if item.quantity > line.returnable_quantity:
        msg = f"Only {line.returnable_quantity} unit(s) of {product.name} can still be returned."
        reasons.append(Reason("quantity_exceeded", msg, None, line_id))
    if policy.reasons is not None and item.reason not in policy.reason_codes:
        reasons.append(Reason("invalid_reason", f"Unknown return reason {item.reason!r}.", None, line_id))
    ends, window_rule = line_window(policy, request, matched)
    if window_rule is not None:  # only the rule that decided the window counts as applied
        fire[window_rule.id] = False
    if request.requested_at >= ends:
        last_day = (ends - timedelta(days=1)).date().isoformat()
        msg = f"The return window for {product.name} closed at the end of {last_day}."
        reasons.append(Reason("window_expired", msg, window_rule.id if window_rule else None, line_id))
    allowed = list(policy.resolutions)
    for rule in matched:
        if rule.reject:
            reasons.append(Reason(rule.reject, rule.explanation, rule.id, line_id))
            fire[rule.id] = False
        if rule.review:
            t.reviews.setdefault(rule.id, Reason("manual_review", rule.explanation, rule.id, line_id))
            fire[rule.id] = False
        if rule.resolutions is not None:
            for res in [r for r in allowed if r not in rule.resolutions]:
                allowed.remove(res)
                t.restricted.append((line_id, res, rule))
            fire[rule.id] = False
        if rule.checks:
            t.checks.update(dict.fromkeys(rule.checks))
            fire[rule.id] = False
            if "serial_match" in rule.checks and serial_mismatch(item):
                msg = f"Serial number {item.serial} was not shipped with this order."
                reasons.append(Reason("serial_mismatch", msg, rule.id, line_id))
        if rule.credit_trigger:
            t.trigger = stricter_trigger(t.trigger, rule.credit_trigger)
            fire[rule.id] = False
        for kind, charge in (("fee", rule.fee), ("bonus", rule.bonus)):
            if charge is None:
                continue
            waived = charge.waive_when is not None and charge.waive_when(ctx)
            fire[rule.id] = fire.get(rule.id, True) and waived
            if not waived:
                _charge(t, kind, rule, charge, item, policy.currency)
    t.hits.extend(RuleHit(r.id, r.statement, line_id, fire[r.id]) for r in matched if r.id in fire)
    t.rejections.extend(reasons)
    return LineDecision(
        line_id=line_id,
        eligible=not reasons,
        quantity=item.quantity,
        value=item.value,
        window_ends_at=ends,
        resolutions_allowed=tuple(allowed),
        reasons=tuple(reasons),
    )


def _return_reasons(policy: Policy, request: ReturnRequest, t: _Tally, allowed: tuple[str, ...]) -> None:
    res = request.resolution
    if res not in policy.resolutions:
        t.rejections.append(Reason("resolution_not_allowed", f"{res} is not offered by this store."))
    elif res not in allowed:
        for line_id, removed, rule in t.restricted:
            if removed == res:
                t.rejections.append(Reason("resolution_not_allowed", rule.explanation, rule.id, line_id))
    method = request.method
    if method is not None and method != "keep_it" and method not in policy.methods:
        t.rejections.append(Reason("method_not_allowed", f"Return method {method} is not offered."))


def _settle_return_charges(t: _Tally, currency: str) -> None:
    for (kind, _), (rule, charge, value, units) in t.pending.items():
        fee = Fee(charge.code, charge_amount(charge, value, units, currency), charge.description, rule.id)
        (t.fees if kind == "fee" else t.bonuses).append(fee)


def evaluate(policy: Policy, request: ReturnRequest) -> Decision:
    """Decide a return request under a policy; deterministic, no I/O, no clock."""
    if request.order.currency != policy.currency:
        raise ValidationFailed(
            f"order currency {request.order.currency} differs from policy currency {policy.currency}",
            code="currency_mismatch",
        )
    t = _Tally(trigger=policy.credit_trigger_for(request.risk_tier))
    lines = tuple(_evaluate_line(policy, request, item, t) for item in request.lines)
    allowed = tuple(r for r in policy.resolutions if all(r in ld.resolutions_allowed for ld in lines))
    _return_reasons(policy, request, t, allowed)
    _settle_return_charges(t, policy.currency)
    keep_it = False
    if request.method in (None, "keep_it"):
        problems = keep_it_problems(policy, request, needs_inspection=bool(t.checks))
        if request.method == "keep_it":
            t.rejections.extend(Reason(code, msg) for code, msg in problems)
        keep_it = not problems and not t.rejections
    rejected = bool(t.rejections)
    outcome = "rejected" if rejected else ("pending_review" if t.reviews else "approved")
    fees = () if keep_it or rejected else tuple(t.fees)
    items_total = sum(ld.value for ld in lines)
    fees_total = sum(f.amount for f in fees)
    trigger = t.trigger
    if keep_it and trigger != "manual":
        trigger = "immediate"
    ships = not rejected and not keep_it
    if keep_it:  # nothing travels, so rules that only charge fees end up waived
        fee_rules = {rule.id for rule in policy.rules if charges_only(rule)}
        t.hits = [replace(h, waived=True) if h.rule_id in fee_rules else h for h in t.hits]
    # Settings sections may carry a statement too, so the explanation covers them as well.
    if keep_it and policy.keep_it is not None and policy.keep_it.statement:
        t.hits.append(RuleHit("policy.keep_it", policy.keep_it.statement))
    if ships and policy.shipping_statement and (policy.ship_within_days or policy.label_valid_days):
        t.hits.append(RuleHit("policy.shipping", policy.shipping_statement))
    return Decision(
        outcome=outcome,
        reasons=tuple(t.rejections) if rejected else tuple(t.reviews.values()),
        rules_fired=tuple(t.hits),
        fees=fees,
        lines=lines,
        resolution=request.resolution,
        resolutions_allowed=allowed,
        currency=policy.currency,
        items_total=items_total,
        fees_total=fees_total,
        bonus_credit=0 if rejected else sum(b.amount for b in t.bonuses),
        refund_total=0 if rejected else max(items_total - fees_total, 0),
        credit_trigger=trigger,
        keep_it=keep_it,
        policy_version=policy.version,
        ship_by=_after(request.requested_at, policy.ship_within_days) if ships else None,
        label_expires_at=_after(request.requested_at, policy.label_valid_days) if ships else None,
        required_checks=tuple(t.checks),
        bonuses=tuple(t.bonuses) if not rejected else (),
    )


def _after(start: datetime, days: int | None) -> datetime | None:
    return None if days is None else start + timedelta(days=days)
