"""Throughput of batch disposition: generated inspected units through the best-allowed-path choice.

Usage: python benchmarks/bench_disposition.py [--units 100000] [--repeat 3] [--seed 7]
Generates a reproducible mix of units (categories, grades, hazmat, recalls, fraud flags, vendors)
and a small network (origin + refurbisher, liquidator, recycler, hazmat center), loads the packaged
tables once, and times `DispositionEngine.decide_many`. Prints decisions per second (best run) and
the mix of chosen paths as Markdown. Pure domain: no database, no HTTP.
"""

from __future__ import annotations

import argparse
import collections
import platform
import random
import sys
import time

from returnflow.adapters.disposition import default_disposition_tables
from returnflow.domain.disposition import DispositionEngine, InspectedUnit, Network, WorkNode

CATEGORIES = ["apparel", "footwear", "electronics", "home", "beauty", "accessories"]
GRADES = ["A", "A", "B", "B", "C", "C", "D", "F"]
VENDORS = [None, None, None, "acme-electronics", "northwind-home"]


def generate(count: int, seed: int) -> list[InspectedUnit]:
    """`count` distinct inspected units, reproducible from `seed`."""
    rng = random.Random(seed)
    units = []
    for i in range(count):
        category = rng.choice(CATEGORIES)
        price = rng.randrange(500, 150_000)
        flags: frozenset[str] = frozenset()
        roll = rng.random()
        if roll < 0.01:
            flags = frozenset({"serial_mismatch"})
        elif roll < 0.02:
            flags = frozenset({"weight_mismatch"})
        units.append(
            InspectedUnit(
                unit_id=f"U-{i}",
                sku=f"SKU-{rng.randrange(5_000)}",
                category=category,
                grade=rng.choice(GRADES),
                price=price,
                unit_cost=price * rng.randrange(30, 70) // 100,
                hazmat_class="UN3481" if category == "electronics" and rng.random() < 0.2 else None,
                recalled=rng.random() < 0.005,
                flags=flags,
                vendor=rng.choice(VENDORS),
            )
        )
    return units


def network() -> Network:
    """A returns center with restock/dispose/donate, and four partner nodes at a transfer cost."""
    return Network(
        WorkNode("RC-1", frozenset({"receive", "inspect", "restock", "dispose", "donate"})),
        [
            WorkNode("REF-1", frozenset({"refurbish", "repair"}), transfer_cost=800),
            WorkNode("LIQ-1", frozenset({"liquidate"}), transfer_cost=300),
            WorkNode("REC-1", frozenset({"recycle"}), transfer_cost=200),
            WorkNode("HAZ-1", frozenset({"refurbish", "recycle", "dispose", "hazmat"}), transfer_cost=2_500),
        ],
    )


def main() -> None:
    """Run the benchmark and print a Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    started = time.perf_counter()
    engine = DispositionEngine(default_disposition_tables())
    load_ms = (time.perf_counter() - started) * 1_000
    units = generate(args.units, args.seed)
    net = network()
    best = float("inf")
    decisions = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        decisions = engine.decide_many(units, net)
        best = min(best, time.perf_counter() - t0)
    paths = collections.Counter(d.chosen.path for d in decisions)
    recovered = sum(d.chosen.net for d in decisions)

    print(f"python {platform.python_version()} on {platform.machine()}, {sys.platform}")
    print(f"tables loaded and validated in {load_ms:.1f} ms\n")
    print("| units | best of | seconds | decisions/s | µs/decision |")
    print("|---:|---:|---:|---:|---:|")
    rate = args.units / best
    print(f"| {args.units:,} | {args.repeat} | {best:.2f} | {rate:,.0f} | {best / args.units * 1e6:.1f} |")
    print("\n| chosen path | units |")
    print("|---|---:|")
    for path, n in paths.most_common():
        print(f"| {path} | {n:,} |")
    print(f"\nexpected net recovery: {recovered / 100:,.2f} USD")


if __name__ == "__main__":
    main()
