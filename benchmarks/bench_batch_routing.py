"""Batch routing of 100,000 returns to 50 capacitated nodes, end to end; and a network design run.

End to end = cost rows from the routing domain (`option_costs` over the default carrier network, one
evaluation per origin ZIP3 × item class, as `services.planning` caches them) + grouping + the
OR-Tools min-cost flow + the greedy comparison. No database: the stored-update side of `route_day`
is measured by the integration tests, not here.

    .venv/bin/python benchmarks/bench_batch_routing.py [--returns 100000] [--nodes 50] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import time

import zipcodes

from returnflow.adapters.optimization.batch_routing import BatchReturn, assign_batch
from returnflow.adapters.optimization.network_design import Origin, Site, design_network
from returnflow.adapters.rate_cards import default_network
from returnflow.domain.geography import Coordinates
from returnflow.domain.routing import Destination, Parcel, ParcelItem, cheapest_per_node, option_costs

# (category, unit cost, weight g, hazmat class): the item classes returns fall into.
ITEMS = (
    ("apparel", 2400, 450, None),
    ("apparel", 6900, 900, None),
    ("footwear", 4500, 1300, None),
    ("footwear", 9000, 1600, None),
    ("electronics", 12000, 700, "lithium_ion"),
    ("electronics", 45000, 2500, "lithium_ion"),
    ("electronics", 3000, 300, None),
    ("home", 2500, 3000, None),
    ("home", 8000, 9000, None),
    ("beauty", 1800, 350, "aerosol"),
    ("beauty", 900, 200, None),
    ("accessories", 1500, 250, None),
)
KINDS = ("warehouse", "return_center", "store", "refurbisher")


def _zip3_points() -> dict[str, Coordinates]:
    acc: dict[str, list[float]] = {}
    for z in zipcodes.list_all():
        if z.get("lat") and z.get("long") and z["zip_code_type"] == "STANDARD":
            a = acc.setdefault(z["zip_code"][:3], [0.0, 0.0, 0.0])
            a[0] += float(z["lat"])
            a[1] += float(z["long"])
            a[2] += 1
    return {k: Coordinates(a[0] / a[2], a[1] / a[2]) for k, a in acc.items() if -130 < a[1] / a[2] < -65}


def _nodes(rng: random.Random, n: int, points: list[Coordinates], demand: int) -> list[Destination]:
    nodes = []
    for j in range(n):
        kind = KINDS[j % len(KINDS)]
        caps = {"receive", "inspect", "restock"} | ({"hazmat", "refurbish"} if j % 3 == 0 else set())
        nodes.append(
            Destination(
                code=f"N{j:02d}",
                kind=kind,
                capabilities=frozenset(caps),
                location=rng.choice(points),
                handling_cost=rng.randint(80, 400),
                remaining_capacity=int(demand * 1.15 / n),
            )
        )
    return nodes


def bench_routing(returns: int, n_nodes: int, seed: int) -> None:
    """Build the instance, time cost rows + solve, print optimal vs greedy."""
    rng = random.Random(seed)
    areas = _zip3_points()
    keys = sorted(areas)
    weights = [rng.paretovariate(1.2) for _ in keys]  # a few dense metros, a long tail
    net = default_network()
    nodes = _nodes(rng, n_nodes, list(areas.values()), returns)
    codes = [d.code for d in nodes]
    origins = rng.choices(keys, weights=weights, k=returns)
    classes = rng.choices(range(len(ITEMS)), k=returns)
    t0 = time.perf_counter()
    cache: dict[tuple[str, int], tuple[int | None, ...]] = {}
    batch = []
    for i, (area, item) in enumerate(zip(origins, classes, strict=True)):
        row = cache.get((area, item))
        if row is None:
            cat, cost, grams, hz = ITEMS[item]
            parcel = Parcel((ParcelItem(f"SKU-{item}", cat, cost, 1, hz),), grams, areas[area])
            best = cheapest_per_node(option_costs(parcel, nodes, net.services, net.rates))
            row = cache[(area, item)] = tuple(best[c].total if c in best else None for c in codes)
        batch.append(BatchReturn(f"r{i}", row))
    t1 = time.perf_counter()
    result = assign_batch(batch, codes, [d.remaining_capacity for d in nodes])
    t2 = time.perf_counter()
    print(f"batch routing: {returns:,} returns → {n_nodes} nodes (cap {nodes[0].remaining_capacity:,} each)")
    print(f"  cost rows: {len(cache):,} evaluations in {t1 - t0:.2f} s; graph groups: {result.groups:,}")
    print(f"  min-cost flow + greedy: {t2 - t1:.2f} s; end to end {t2 - t0:.2f} s")
    print(
        f"  optimal total {result.total_cost / 100:,.2f} USD vs greedy {result.greedy_cost / 100:,.2f} USD "
        f"(saving {result.saving / 100:,.2f}; greedy unplaced {result.greedy_unplaced})"
    )
    print(f"  busiest node {max(result.per_node.values()):,}, nodes used {len(result.per_node)}")


def bench_design(seed: int, n_candidates: int = 30, k: int = 4) -> None:
    """Facility location over every ZIP3 area with 8 existing nodes and `n_candidates` candidates."""
    rng = random.Random(seed)
    areas = _zip3_points()
    points = list(areas.values())
    origins = [Origin(key, p, max(1, round(rng.paretovariate(1.2) * 200))) for key, p in areas.items()]
    existing = [Site(f"E{j}", rng.choice(points), 0, 2_000_000) for j in range(8)]
    candidates = [
        Site(f"C{j:02d}", rng.choice(points), rng.randint(20, 80) * 1_000_000) for j in range(n_candidates)
    ]
    ground = default_network().rates["GROUND"]
    t0 = time.perf_counter()
    d = design_network(origins, existing, candidates, k, lambda km: ground.quote(km, 1000).price)
    t1 = time.perf_counter()
    assert d.today is not None
    print(
        f"network design: {len(origins)} origin areas, 8 existing nodes, {n_candidates} candidates, open {k}"
    )
    print(f"  solved in {t1 - t0:.2f} s; opened {', '.join(d.opened)}")
    print(
        f"  total {d.plan.total_cost / 100:,.0f} USD vs today {d.today.total_cost / 100:,.0f} USD; "
        f"average distance {d.plan.average_km:,.0f} km vs {d.today.average_km:,.0f} km"
    )


def main() -> None:
    """Run both benchmarks."""
    p = argparse.ArgumentParser()
    p.add_argument("--returns", type=int, default=100_000)
    p.add_argument("--nodes", type=int, default=50)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    bench_routing(args.returns, args.nodes, args.seed)
    bench_design(args.seed)


if __name__ == "__main__":
    main()
