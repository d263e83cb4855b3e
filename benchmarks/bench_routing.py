"""Per-return routing: 50 nodes × 10 carrier services, p50/p99 of one routing decision (pure domain)."""

from __future__ import annotations

import random
import statistics
import time

from returnflow.adapters.geo import _us_index, locate
from returnflow.adapters.rate_cards import default_network
from returnflow.domain.routing import Destination, Parcel, ParcelItem, Service, route

KINDS = ("warehouse", "return_center", "store", "refurbisher", "liquidator")
CATEGORIES = ("apparel", "electronics", "home", "beauty", "footwear")


def main(n: int = 2000, seed: int = 7) -> None:
    """Route `n` random returns and print latency percentiles."""
    rng = random.Random(seed)
    zips = sorted(_us_index())
    net = default_network()
    base = {s.mode: s for s in net.services}
    services, rates = [], {}
    for i in range(10):
        proto = base["ground" if i % 2 == 0 else "air"]
        code = f"S{i}"
        services.append(
            Service(code, f"C{i // 2}", code, proto.mode, proto.pickup, 0, proto.max_weight_grams)
        )
        rates[code] = net.rates[proto.code]
    nodes = [
        Destination(
            f"N{i}",
            KINDS[i % len(KINDS)],
            frozenset({"inspect", "hazmat"} if i % 5 == 0 else {"inspect"}),
            locate(rng.choice(zips), "US"),
            handling_cost=rng.randint(80, 300),
            remaining_capacity=rng.randint(50, 500),
        )
        for i in range(50)
    ]
    parcels = [
        Parcel(
            (
                ParcelItem(
                    "X",
                    rng.choice(CATEGORIES),
                    rng.randint(500, 60000),
                    1,
                    "lithium_ion" if rng.random() < 0.1 else None,
                ),
            ),
            rng.randint(200, 15000),
            locate(rng.choice(zips), "US"),
        )
        for _ in range(n)
    ]
    times = []
    for p in parcels:
        t = time.perf_counter()
        route(p, nodes, services, rates)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p50, p99 = statistics.median(times), times[int(len(times) * 0.99)]
    print(f"routing {n} returns, 50 nodes x 10 services: p50 {p50:.2f} ms, p99 {p99:.2f} ms")


if __name__ == "__main__":
    main()
