"""Assign a batch of returns to nodes under daily capacities: a min-cost flow solved by OR-Tools.

Returns with identical cost rows (same origin area and parcel) are one supply node of the graph, so
100,000 returns usually become a few thousand groups. Costs are integer minor units and may be
negative (a node recovering more than the trip costs); the optimum is exact.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from returnflow.domain.errors import FieldProblem, ValidationFailed

# A return's expected total cost at each node (aligned with the node list); None = not allowed there.
CostRow = tuple[int | None, ...]
EXAMPLES = 5


class BatchInfeasible(ValidationFailed):
    """The batch cannot be placed: a return no node may take, or not enough capacity for all."""


@dataclass(frozen=True)
class BatchReturn:
    """One return of the batch: its id, cost row, and the node it already has (kept on a tie)."""

    return_id: str
    costs: CostRow
    current: int | None = None


@dataclass(frozen=True)
class BatchAssignment:
    """The optimal assignment, its cost, and the greedy per-return choice for comparison."""

    assignment: dict[str, str]
    total_cost: int
    per_node: dict[str, int]
    greedy_cost: int
    greedy_per_node: dict[str, int]
    # Returns greedy could not place at all (their cheap nodes filled up first).
    greedy_unplaced: int
    groups: int
    greedy_assignment: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def saving(self) -> int:
        """What the optimum saves over greedy (greedy's unplaced returns are not counted)."""
        return self.greedy_cost - self.total_cost


@dataclass
class _Group:
    costs: CostRow
    current: int | None
    return_ids: list[str]

    def arc_cost(self, j: int, c: int, scale: int) -> int:
        # Costs times (batch size + 1), one less at the node the returns already have: all the
        # bonuses together stay below one unit of real cost, so the optimum is unchanged, but among
        # equal-cost optima the flow keeps returns where they are instead of moving them for nothing.
        return scale * c - (1 if j == self.current else 0)


def _groups(returns: Sequence[BatchReturn], width: int) -> list[_Group]:
    by_row: dict[Hashable, _Group] = {}
    for r in returns:
        if len(r.costs) != width:
            raise ValueError(f"return {r.return_id}: cost row has {len(r.costs)} entries for {width} nodes")
        current = r.current if r.current is not None and r.costs[r.current] is not None else None
        g = by_row.get((r.costs, current))
        if g is None:
            by_row[(r.costs, current)] = g = _Group(r.costs, current, [])
        g.return_ids.append(r.return_id)
    return list(by_row.values())


def _check(groups: list[_Group], nodes: Sequence[str], capacities: Sequence[int | None], demand: int) -> None:
    stranded = [rid for g in groups if all(c is None for c in g.costs) for rid in g.return_ids]
    if stranded:
        raise BatchInfeasible(
            f"{len(stranded)} return(s) have no node allowed to take them: {', '.join(stranded[:EXAMPLES])}"
            + (" …" if len(stranded) > EXAMPLES else ""),
            code="no_allowed_node",
            problems=[
                FieldProblem(rid, "no_allowed_node", "no node may take this return") for rid in stranded
            ],
        )
    if all(c is not None for c in capacities):
        total = sum(c for c in capacities if c is not None)
        if total < demand:
            raise BatchInfeasible(
                f"daily capacity {total} of {len(nodes)} node(s) is less than the {demand} returns to place",
                code="capacity_short",
            )


def _greedy(
    returns: Sequence[BatchReturn], nodes: Sequence[str], capacities: Sequence[int | None]
) -> tuple[dict[str, str], int]:
    """Cheapest allowed node per return in batch order, spilling to the next cheapest when full."""
    left = list(capacities)
    order_of: dict[CostRow, list[int]] = {}
    out: dict[str, str] = {}
    total = 0
    for r in returns:
        order = order_of.get(r.costs)
        if order is None:
            allowed = [j for j, c in enumerate(r.costs) if c is not None]
            order = order_of[r.costs] = sorted(allowed, key=lambda j: (r.costs[j], nodes[j]))
        for j in order:
            room = left[j]
            if room is None or room > 0:
                if room is not None:
                    left[j] = room - 1
                out[r.return_id] = nodes[j]
                total += r.costs[j] or 0
                break
    return out, total


def assign_batch(
    returns: Sequence[BatchReturn], nodes: Sequence[str], capacities: Sequence[int | None]
) -> BatchAssignment:
    """The least-total-cost assignment of every return to an allowed node within capacities."""
    if len(nodes) != len(capacities):
        raise ValueError("one capacity per node")
    if any(c is not None and c < 0 for c in capacities):
        raise ValueError("capacities cannot be negative")
    groups = _groups(returns, len(nodes))
    demand = len(returns)
    _check(groups, nodes, capacities, demand)
    greedy, greedy_cost = _greedy(returns, nodes, capacities)
    if demand == 0:
        return BatchAssignment({}, 0, {}, 0, {}, 0, 0, {})
    # Graph: source 0 → group g (1..G) → node (G+1..G+N) → sink (G+N+1).
    n_groups, n_nodes = len(groups), len(nodes)
    sink = n_groups + n_nodes + 1
    arcs_list: list[tuple[int, int, int, int]] = []  # (tail, head, capacity, unit cost)
    for gi, g in enumerate(groups, start=1):
        arcs_list.append((0, gi, len(g.return_ids), 0))
        arcs_list.extend(
            (gi, n_groups + 1 + j, len(g.return_ids), g.arc_cost(j, c, demand + 1))
            for j, c in enumerate(g.costs)
            if c is not None
        )
    for j, cap in enumerate(capacities):
        arcs_list.append((n_groups + 1 + j, sink, demand if cap is None else min(cap, demand), 0))
    table = np.asarray(arcs_list, dtype=np.int64)
    flow = SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        table[:, 0].astype(np.int32), table[:, 1].astype(np.int32), table[:, 2], table[:, 3]
    )
    flow.set_node_supply(0, demand)
    flow.set_node_supply(sink, -demand)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:  # pragma: no cover - the graph is always well-formed
        raise BatchInfeasible(f"the min-cost flow solver failed (status {status})", code="solver_failed")
    flows = flow.flows(arcs)
    if int(flow.maximum_flow()) < demand:
        _raise_short(groups, nodes, capacities, flows, demand, int(flow.maximum_flow()))
    assignment: dict[str, str] = {}
    per_node: dict[str, int] = {}
    total = 0
    arc = 0
    for g in groups:
        arc += 1  # the source → group arc
        ids = iter(g.return_ids)
        for j, c in enumerate(g.costs):
            if c is None:
                continue
            n = int(flows[arc])
            arc += 1
            for _ in range(n):
                assignment[next(ids)] = nodes[j]
            if n:
                per_node[nodes[j]] = per_node.get(nodes[j], 0) + n
                total += n * c
    greedy_per_node: dict[str, int] = {}
    for code in greedy.values():
        greedy_per_node[code] = greedy_per_node.get(code, 0) + 1
    return BatchAssignment(
        assignment=assignment,
        total_cost=total,
        per_node=per_node,
        greedy_cost=greedy_cost,
        greedy_per_node=greedy_per_node,
        greedy_unplaced=demand - len(greedy),
        groups=n_groups,
        greedy_assignment=greedy,
    )


def _raise_short(
    groups: list[_Group],
    nodes: Sequence[str],
    capacities: Sequence[int | None],
    flows: np.ndarray,
    demand: int,
    placed: int,
) -> None:
    """Name the returns that cannot be placed and the nodes they are limited to."""
    problems: list[FieldProblem] = []
    arc = 0
    for g in groups:
        short = len(g.return_ids) - int(flows[arc])
        arc += 1 + sum(1 for c in g.costs if c is not None)
        if short > 0:
            allowed = [f"{nodes[j]} ({capacities[j]})" for j, c in enumerate(g.costs) if c is not None]
            problems.append(
                FieldProblem(
                    g.return_ids[-1],
                    "capacity_short",
                    f"{short} of {len(g.return_ids)} like it cannot be placed; allowed: {', '.join(allowed)}",
                )
            )
    raise BatchInfeasible(
        f"only {placed} of {demand} returns fit the capacity of the nodes allowed to take them",
        code="capacity_short",
        problems=problems,
    )
