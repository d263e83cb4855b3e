"""Outgoing webhook rules: which topics a subscription wants, retry backoff, which addresses are public."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

MAX_ATTEMPTS = 10
DISABLE_AFTER_FAILURES = 5
BASE_DELAY_S = 5.0
MAX_DELAY_S = 6 * 3600.0


def topic_matches(patterns: Iterable[str], topic: str) -> bool:
    """`*` matches everything, `return.*` a whole family, anything else one exact topic."""
    for pattern in patterns:
        if pattern == "*" or pattern == topic:
            return True
        if pattern.endswith(".*") and topic.startswith(pattern[:-1]):
            return True
    return False


def valid_pattern(pattern: str) -> bool:
    """An event-type pattern is `*`, `family.*` or a dotted topic of letters, digits and `_`."""
    if pattern == "*":
        return True
    parts = pattern.split(".")
    if len(parts) < 2 or len(pattern) > 80:
        return False
    last = len(parts) - 1
    return all(
        (p == "*" and i == last) or (p != "" and all(c.isalnum() or c == "_" for c in p))
        for i, p in enumerate(parts)
    )


def backoff_seconds(
    attempt: int,
    uniform: Callable[[float, float], float],
    *,
    base: float = BASE_DELAY_S,
    cap: float = MAX_DELAY_S,
) -> float:
    """Delay before retry number `attempt` (1-based): exponential from `base`, capped, with jitter.

    The jitter takes a random point in the upper half of the exponential step, so endpoints that
    failed together do not come back in lock-step, yet the delay still grows with every attempt.
    The defaults are the webhook relay's; other retries (emails, refund payouts) may pass their own.
    """
    step = min(cap, base * 2 ** max(0, attempt - 1))
    return uniform(step / 2, step)


def is_public_address(address: str) -> bool:
    """Whether an IP address is globally routable (not private, loopback, link-local, reserved...)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(ip.is_global) and not (ip.is_multicast or ip.is_loopback or ip.is_link_local)
