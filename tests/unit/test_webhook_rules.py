"""Pure webhook rules: topic patterns, backoff with jitter, public addresses."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from returnflow.domain.webhooks import (
    MAX_DELAY_S,
    backoff_seconds,
    is_public_address,
    topic_matches,
    valid_pattern,
)


def test_topic_patterns():
    assert topic_matches(["*"], "credit.issued")
    assert topic_matches(["return.*"], "return.in_transit")
    assert not topic_matches(["return.*"], "refund.instructed")
    assert topic_matches(["refund.instructed"], "refund.instructed")
    assert valid_pattern("return.*") and not valid_pattern("return") and not valid_pattern("a.*.b")


@given(st.integers(min_value=1, max_value=40), st.integers())
def test_backoff_grows_is_jittered_and_capped(attempt, seed):
    rng = random.Random(seed)
    delay = backoff_seconds(attempt, rng.uniform)
    step = min(MAX_DELAY_S, 5 * 2 ** (attempt - 1))
    assert step / 2 <= delay <= step <= MAX_DELAY_S
    assert backoff_seconds(attempt + 1, lambda a, b: a) >= backoff_seconds(attempt, lambda a, b: a)


def test_public_addresses():
    for private in (
        "10.1.2.3",
        "192.168.0.1",
        "172.16.5.5",
        "127.0.0.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "0.0.0.0",
        "100.64.0.1",
        "not-an-ip",
    ):
        assert not is_public_address(private), private
    for public in ("93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"):
        assert is_public_address(public), public
