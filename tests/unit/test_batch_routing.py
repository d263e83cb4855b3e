"""Batch routing under daily capacities: optimal on tiny instances, capacities held, clear infeasibility."""

from __future__ import annotations

import itertools
import random

import pytest

from returnflow.adapters.optimization.batch_routing import BatchInfeasible, BatchReturn, assign_batch


def _instance(
    seed: int, n_returns: int, n_nodes: int
) -> tuple[list[BatchReturn], list[str], list[int | None]]:
    rng = random.Random(seed)
    nodes = [f"N{j}" for j in range(n_nodes)]
    rows = [tuple(rng.randint(-300, 900) if rng.random() > 0.2 else None for _ in nodes) for _ in range(3)]
    rows = [r if any(c is not None for c in r) else (100, *r[1:]) for r in rows]
    returns = [BatchReturn(f"r{i}", rng.choice(rows)) for i in range(n_returns)]
    caps: list[int | None] = [rng.randint(1, 3) for _ in nodes]
    caps[-1] = None if seed % 3 == 0 else caps[-1]
    return returns, nodes, caps


def _brute_force(returns: list[BatchReturn], nodes: list[str], caps: list[int | None]) -> int | None:
    best = None
    for choice in itertools.product(range(len(nodes)), repeat=len(returns)):
        if any(r.costs[j] is None for r, j in zip(returns, choice, strict=True)):
            continue
        if any(c is not None and choice.count(j) > c for j, c in enumerate(caps)):
            continue
        total = sum(r.costs[j] or 0 for r, j in zip(returns, choice, strict=True))
        best = total if best is None else min(best, total)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_matches_brute_force_optimum_and_respects_capacity(seed: int) -> None:
    returns, nodes, caps = _instance(seed, n_returns=5, n_nodes=3)
    optimum = _brute_force(returns, nodes, caps)
    if optimum is None:
        with pytest.raises(BatchInfeasible):
            assign_batch(returns, nodes, caps)
        return
    result = assign_batch(returns, nodes, caps)
    assert result.total_cost == optimum
    assert sorted(result.assignment) == sorted(r.return_id for r in returns)
    for j, code in enumerate(nodes):
        placed = [rid for rid, n in result.assignment.items() if n == code]
        assert len(placed) == result.per_node.get(code, 0)
        assert caps[j] is None or len(placed) <= caps[j]
    by_id = {r.return_id: r for r in returns}
    assert sum(by_id[rid].costs[nodes.index(n)] or 0 for rid, n in result.assignment.items()) == optimum
    if result.greedy_unplaced == 0:
        assert result.total_cost <= result.greedy_cost


def test_beats_greedy_when_the_cheap_node_fills_up() -> None:
    # r1 is indifferent-ish, r2 depends on A: greedy (in order) gives A to r1 and strands r2 on B.
    returns = [BatchReturn("r1", (100, 120)), BatchReturn("r2", (100, 900))]
    result = assign_batch(returns, ["A", "B"], [1, 5])
    assert result.assignment == {"r1": "B", "r2": "A"}
    assert result.total_cost == 220
    assert result.greedy_cost == 1000
    assert result.saving == 780
    assert result.per_node == {"A": 1, "B": 1}


def test_identical_cost_rows_share_one_group() -> None:
    returns = [BatchReturn(f"r{i}", (5, 7) if i % 2 else (9, 1)) for i in range(1000)]
    result = assign_batch(returns, ["A", "B"], [None, 600])
    assert result.groups == 2
    assert result.total_cost == 500 * 5 + 500 * 1


def test_return_with_no_allowed_node_is_named() -> None:
    returns = [BatchReturn("ret_ok", (1, 2)), BatchReturn("ret_hazmat", (None, None))]
    with pytest.raises(BatchInfeasible) as err:
        assign_batch(returns, ["A", "B"], [5, 5])
    assert err.value.code == "no_allowed_node"
    assert "ret_hazmat" in err.value.message


def test_total_capacity_below_demand_is_refused() -> None:
    returns = [BatchReturn(f"r{i}", (1, 2)) for i in range(5)]
    with pytest.raises(BatchInfeasible) as err:
        assign_batch(returns, ["A", "B"], [2, 2])
    assert err.value.code == "capacity_short"
    assert "4" in err.value.message and "5" in err.value.message


def test_capacity_short_only_for_a_restricted_group_names_it() -> None:
    # Enough capacity in total, but the hazmat returns may only go to A (capacity 1).
    returns = [BatchReturn("h1", (10, None)), BatchReturn("h2", (10, None)), BatchReturn("g1", (5, 5))]
    with pytest.raises(BatchInfeasible) as err:
        assign_batch(returns, ["A", "B"], [1, 10])
    assert err.value.code == "capacity_short"
    assert err.value.problems and "A (1)" in err.value.problems[0].message


def test_negative_costs_and_empty_batch() -> None:
    result = assign_batch([BatchReturn("r1", (-500, 100))], ["A", "B"], [None, None])
    assert result.total_cost == -500 and result.assignment == {"r1": "A"}
    empty = assign_batch([], ["A"], [3])
    assert empty.total_cost == 0 and empty.assignment == {}


def test_equal_cost_choices_keep_returns_where_they_are() -> None:
    returns = [BatchReturn(f"r{i}", (100, 100, 300), current=i % 2) for i in range(6)]
    result = assign_batch(returns, ["A", "B", "C"], [10, 10, 10])
    assert result.total_cost == 600
    assert result.assignment == {f"r{i}": "AB"[i % 2] for i in range(6)}
    # A cheaper node still wins over the current one.
    moved = assign_batch([BatchReturn("r", (100, 99, 300), current=0)], ["A", "B", "C"], [1, 1, 1])
    assert moved.assignment == {"r": "B"} and moved.total_cost == 99
