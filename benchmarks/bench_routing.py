"""Per-return routing: 50 nodes × 10 carrier services, p50/p99 of one routing decision.

Two measurements: the pure domain decision (`domain.routing.route`), and the same decision as a
request makes it — a unit of work on a SQLite file that loads the tenant's stored network (cached
behind its one-query fingerprint) and decides (`--with-db`).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from returnflow.adapters.geo import _us_index, locate
from returnflow.adapters.rate_cards import default_network
from returnflow.domain.rates import RateCard
from returnflow.domain.routing import Destination, Parcel, ParcelItem, Service, route

KINDS = ("warehouse", "return_center", "store", "refurbisher", "liquidator")
CATEGORIES = ("apparel", "electronics", "home", "beauty", "footwear")


def network(rng: random.Random) -> tuple[list[Destination], list[Service], dict[str, RateCard]]:
    """50 nodes and 10 services (5 ground, 5 air) over the default rate cards."""
    zips = sorted(_us_index())
    net = default_network()
    base = {s.mode: s for s in net.services}
    services: list[Service] = []
    rates: dict[str, RateCard] = {}
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
    return nodes, services, rates


def parcels(rng: random.Random, n: int) -> list[Parcel]:
    """Random one-item returns from random US ZIPs, 10 % lithium-ion."""
    zips = sorted(_us_index())
    return [
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


def percentiles(name: str, times: list[float]) -> None:
    """Print p50/p99 in milliseconds."""
    times.sort()
    p50, p99 = statistics.median(times), times[int(len(times) * 0.99)]
    print(json.dumps({"run": name, "returns": len(times), "p50_ms": round(p50, 2), "p99_ms": round(p99, 2)}))


def pure(n: int, seed: int) -> None:
    """The domain decision alone."""
    rng = random.Random(seed)
    nodes, services, rates = network(rng)
    times = []
    for p in parcels(rng, n):
        t = time.perf_counter()
        route(p, nodes, services, rates)
        times.append((time.perf_counter() - t) * 1000)
    percentiles("domain", times)


def with_db(n: int, seed: int) -> None:
    """Load the stored network through a unit of work (as every request does) and decide."""
    from returnflow.bootstrap import bootstrap
    from returnflow.config import Settings
    from returnflow.services import carriers, catalog
    from returnflow.services.access import system_actor
    from returnflow.services.carriers import CarrierInput
    from returnflow.services.inputs import NodeInput
    from returnflow.services.network import load_network, rate_rows_json
    from returnflow.services.routing import decide
    from returnflow.services.tenants import create_tenant

    rng = random.Random(seed)
    nodes, services, rates = network(rng)
    with tempfile.TemporaryDirectory() as tmp:
        c = bootstrap(Settings(database_url=f"sqlite:///{Path(tmp) / 'routing.db'}"), migrate=True)
        tenant = create_tenant(c.db, c.clock, "bench", "Routing Bench")
        actor = system_actor(tenant.id, "bench")
        for node in nodes:
            body = {
                "kind": node.kind,
                "name": node.code,
                "postal_code": "10001",
                "country": "US",
                "latitude": node.location.lat,
                "longitude": node.location.lon,
                "capabilities": sorted(node.capabilities),
                "daily_capacity": node.remaining_capacity,
                "handling_cost": node.handling_cost,
            }
            catalog.upsert_node(c.db, c.clock, actor, node.code, NodeInput.model_validate(body))
        for i in range(0, 10, 2):
            svc = [s for s in services if s.carrier == f"C{i // 2}"]
            body2 = {
                "name": f"Carrier {i // 2}",
                "services": [{"code": s.code, "name": s.code, "mode": s.mode} for s in svc],
            }
            carriers.upsert_carrier(c.db, c.clock, actor, f"C{i // 2}", CarrierInput.model_validate(body2))
            for s in svc:
                card = rates[s.code]
                doc = json.dumps({"currency": card.currency, "rows": rate_rows_json(card)})
                carriers.save_rate_card(c.db, c.clock, actor, s.code, doc, csv=False)
        now = datetime.now(UTC)
        times = []
        for p in parcels(rng, n):
            t = time.perf_counter()
            with c.db.uow(tenant.id, readonly=True) as uow:
                decide(p, load_network(uow, "USD", now))
            times.append((time.perf_counter() - t) * 1000)
        c.db.engine.dispose()
    percentiles("unit_of_work_sqlite", times)


def main() -> None:
    """Route random returns and print latency percentiles."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--returns", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--with-db", action="store_true", help="also measure through a unit of work on SQLite")
    args = ap.parse_args()
    pure(args.returns, args.seed)
    if args.with_db:
        with_db(args.returns, args.seed)


if __name__ == "__main__":
    main()
