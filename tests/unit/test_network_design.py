"""Network design: the MILP opens the sites brute force would, honours capacity, compares with today."""

from __future__ import annotations

import itertools
import random

import pytest

from returnflow.adapters.optimization.network_design import DesignInfeasible, Origin, Site, design_network
from returnflow.domain.geography import Coordinates, great_circle_km


def cost(km: float) -> int:
    return 400 + round(km)


def _uncapacitated_total(origins: list[Origin], open_sites: list[Site]) -> int:
    transport = sum(
        o.volume * min(cost(great_circle_km(o.point, s.point)) for s in open_sites) for o in origins
    )
    return transport + sum(s.fixed_cost for s in open_sites)


@pytest.mark.parametrize("seed", range(4))
def test_opens_the_brute_force_best_k(seed: int) -> None:
    rng = random.Random(seed)
    origins = [
        Origin(f"o{i}", Coordinates(rng.uniform(30, 47), rng.uniform(-120, -75)), rng.randint(1, 60))
        for i in range(12)
    ]
    existing = [Site("E", Coordinates(40.0, -76.0))]
    candidates = [
        Site(f"C{k}", Coordinates(rng.uniform(30, 47), rng.uniform(-120, -75)), rng.randint(1000, 40000))
        for k in range(6)
    ]
    for k in (1, 2):
        best = min(
            itertools.combinations(candidates, k),
            key=lambda combo: _uncapacitated_total(origins, [*existing, *combo]),
        )
        design = design_network(origins, existing, candidates, k, cost)
        assert sorted(design.opened) == sorted(s.code for s in best)
        assert design.plan.total_cost == _uncapacitated_total(origins, [*existing, *best])
        assert design.today is not None
        assert design.today.total_cost == _uncapacitated_total(origins, existing)
        assert design.cost_change == design.plan.total_cost - design.today.total_cost


def test_capacity_forces_the_second_nearest_site() -> None:
    west, east = Coordinates(37.0, -120.0), Coordinates(40.0, -75.0)
    origins = [Origin("w", west, 100), Origin("e", east, 100)]
    candidates = [Site("NEAR-W", west, 10, capacity=50), Site("FAR", Coordinates(39.0, -95.0), 10)]
    design = design_network(origins, [], candidates, 1, cost)
    assert design.opened == ("FAR",)
    assert design.today is None
    both = design_network(origins, [], candidates, 2, cost)
    assert set(both.opened) == {"NEAR-W", "FAR"}
    assert both.plan.volume["NEAR-W"] == pytest.approx(50)


def test_new_site_near_the_volume_shortens_the_average_distance() -> None:
    origins = [Origin("a", Coordinates(34.0, -118.0), 90), Origin("b", Coordinates(40.7, -74.0), 10)]
    existing = [Site("EAST", Coordinates(40.5, -74.5))]
    design = design_network(origins, existing, [Site("LA", Coordinates(34.1, -117.5), 1000)], 1, cost)
    assert design.opened == ("LA",)
    assert design.distance_change_km is not None and design.distance_change_km < -2000
    assert design.today is not None and design.plan.average_km < design.today.average_km


def test_bad_open_count_and_impossible_capacity_are_refused() -> None:
    origins = [Origin("a", Coordinates(34.0, -118.0), 100)]
    sites = [Site("S", Coordinates(34.0, -118.0), 0, capacity=10)]
    with pytest.raises(DesignInfeasible, match="cannot open 2 of 1"):
        design_network(origins, [], sites, 2, cost)
    with pytest.raises(DesignInfeasible) as err:
        design_network(origins, [], sites, 1, cost)
    assert err.value.code == "design_infeasible"
