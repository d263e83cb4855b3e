"""Risk signals of a return request -> score (0-100), tier and reasons."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RiskSignals:
    """What is known about a request when it is made (values in minor units)."""

    returns_90d: int
    return_rate: float
    items_value: int
    serial_mismatch: bool = False
    customer_age_days: int | None = None
    keep_it_365d: int = 0


@dataclass(frozen=True)
class RiskAssessment:
    """Score 0..100, tier and the human reasons that produced it."""

    score: int
    tier: str
    reasons: tuple[str, ...]


HIGH_VALUE = 50_000  # minor units: 500.00 in a two-decimal currency
VERY_HIGH_VALUE = 150_000


def assess(signals: RiskSignals) -> RiskAssessment:
    """Additive scoring: each signal adds points and a reason; tiers at 30 and 60."""
    score = 0
    reasons: list[str] = []
    if signals.returns_90d >= 8:
        score += 40
        reasons.append(f"{signals.returns_90d} returns in the last 90 days")
    elif signals.returns_90d >= 4:
        score += 20
        reasons.append(f"{signals.returns_90d} returns in the last 90 days")
    if signals.return_rate > 0.6:
        score += 30
        reasons.append(f"return rate {signals.return_rate:.0%} over the last year")
    elif signals.return_rate > 0.4:
        score += 15
        reasons.append(f"return rate {signals.return_rate:.0%} over the last year")
    if signals.items_value >= VERY_HIGH_VALUE:
        score += 30
        reasons.append("very high value return")
    elif signals.items_value >= HIGH_VALUE:
        score += 15
        reasons.append("high value return")
    if signals.serial_mismatch:
        score += 40
        reasons.append("serial number does not match the one shipped")
    if signals.customer_age_days is not None and signals.customer_age_days < 7:
        score += 10
        reasons.append("new customer")
    if signals.keep_it_365d >= 2:
        score += 10
        reasons.append("frequent keep-it refunds")
    score = min(score, 100)
    tier = "high" if score >= 60 else "medium" if score >= 30 else "low"
    return RiskAssessment(score=score, tier=tier, reasons=tuple(reasons))
