"""Choose which candidate sites to open as return centers: a facility-location MILP solved by HiGHS.

Existing nodes stay open (their fixed costs are sunk); exactly `open_k` candidates open. Each origin's
volume goes to open sites (split only when capacities force it). Minimise the candidates' fixed
costs plus transport: volume × cost per return for the distance (the caller's cost function).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from returnflow.domain.errors import ValidationFailed
from returnflow.domain.geography import Coordinates, great_circle_km

TIME_LIMIT_S = 60.0


class DesignInfeasible(ValidationFailed):
    """No choice of sites can serve the volume (bad K, or capacities too small)."""


@dataclass(frozen=True)
class Site:
    """An existing node or a candidate site; capacity (volume it can take) None = unlimited."""

    code: str
    point: Coordinates
    fixed_cost: int = 0
    capacity: int | None = None


@dataclass(frozen=True)
class Origin:
    """Where returns come from (e.g. a ZIP3 area) and how many."""

    key: str
    point: Coordinates
    volume: int


@dataclass(frozen=True)
class Plan:
    """A network's cost and reach: transport, fixed, average distance, volume per site."""

    sites: tuple[str, ...]
    transport_cost: int
    fixed_cost: int
    average_km: float
    volume: dict[str, float]

    @property
    def total_cost(self) -> int:
        """Fixed + transport."""
        return self.fixed_cost + self.transport_cost


@dataclass(frozen=True)
class Design:
    """The chosen sites and the network with them, against today's network (None without nodes)."""

    opened: tuple[str, ...]
    plan: Plan
    today: Plan | None

    @property
    def cost_change(self) -> int | None:
        """Total cost with the new sites minus today's (negative = saving)."""
        return None if self.today is None else self.plan.total_cost - self.today.total_cost

    @property
    def distance_change_km(self) -> float | None:
        """Average distance with the new sites minus today's."""
        return None if self.today is None else self.plan.average_km - self.today.average_km


def _solve(
    origins: Sequence[Origin],
    existing: Sequence[Site],
    candidates: Sequence[Site],
    open_k: int,
    cost_per_return: Callable[[float], int],
) -> Plan:
    sites = [*existing, *candidates]
    n_o, n_s, n_c, n_e = len(origins), len(sites), len(candidates), len(existing)
    km = np.array([[great_circle_km(o.point, s.point) for s in sites] for o in origins]).reshape(n_o, n_s)
    unit = np.vectorize(cost_per_return, otypes=[np.int64])(km) if km.size else km.astype(np.int64)
    w = np.array([o.volume for o in origins], dtype=float)
    # Variables: y (one per candidate, binary) then x[i, j] row-major (share of origin i at site j).
    n_x = n_o * n_s
    c = np.concatenate(
        [np.array([s.fixed_cost for s in candidates], dtype=float), (unit * w[:, None]).ravel()]
    )
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    limits: list[tuple[float, float]] = []  # (lower, upper) of each constraint row
    r = 0
    for i in range(n_o):  # every origin fully served
        rows += [r] * n_s
        cols += [n_c + i * n_s + j for j in range(n_s)]
        vals += [1.0] * n_s
        limits.append((1.0, 1.0))
        r += 1
    for i in range(n_o):  # only open candidates serve
        for k in range(n_c):
            rows += [r, r]
            cols += [n_c + i * n_s + n_e + k, k]
            vals += [1.0, -1.0]
            limits.append((-np.inf, 0.0))
            r += 1
    rows += [r] * n_c  # exactly K candidates
    cols += list(range(n_c))
    vals += [1.0] * n_c
    limits.append((float(open_k), float(open_k)))
    r += 1
    for j, s in enumerate(sites):  # capacities
        if s.capacity is None:
            continue
        rows += [r] * n_o
        cols += [n_c + i * n_s + j for i in range(n_o)]
        vals += list(w)
        if j >= n_e:
            rows.append(r)
            cols.append(j - n_e)
            vals.append(-float(s.capacity))
            limits.append((-np.inf, 0.0))
        else:
            limits.append((-np.inf, float(s.capacity)))
        r += 1
    a = coo_matrix((vals, (rows, cols)), shape=(r, n_c + n_x)).tocsr()
    integrality = np.concatenate([np.ones(n_c), np.zeros(n_x)])
    res = milp(
        c,
        constraints=LinearConstraint(a, [lo for lo, _ in limits], [hi for _, hi in limits]),
        integrality=integrality,
        bounds=Bounds(0.0, 1.0),
        options={"time_limit": TIME_LIMIT_S},
    )
    if res.x is None:
        raise DesignInfeasible(
            f"no choice of {open_k} site(s) can take the volume ({res.message})", code="design_infeasible"
        )
    y = np.round(res.x[:n_c]).astype(int)
    x = res.x[n_c:].reshape(n_o, n_s)
    opened = tuple(s.code for s, on in zip(candidates, y, strict=True) if on)
    flows = x * w[:, None]
    total = float(w.sum()) or 1.0
    return Plan(
        sites=tuple(s.code for s in existing) + opened,
        transport_cost=round(float((flows * unit).sum())),
        fixed_cost=int(sum(s.fixed_cost for s, on in zip(candidates, y, strict=True) if on)),
        average_km=float((flows * km).sum()) / total,
        volume={s.code: float(flows[:, j].sum()) for j, s in enumerate(sites) if flows[:, j].sum() > 1e-9},
    )


def design_network(
    origins: Sequence[Origin],
    existing: Sequence[Site],
    candidates: Sequence[Site],
    open_k: int,
    cost_per_return: Callable[[float], int],
) -> Design:
    """Open `open_k` of the candidates at least total cost; compare with the existing nodes alone."""
    if not 1 <= open_k <= len(candidates):
        raise DesignInfeasible(
            f"cannot open {open_k} of {len(candidates)} candidate site(s)", code="bad_open_count"
        )
    if not origins:
        raise DesignInfeasible("no return origins to design the network for", code="no_origins")
    plan = _solve(origins, existing, candidates, open_k, cost_per_return)
    today = None
    if existing:
        try:
            today = _solve(origins, existing, [], 0, cost_per_return)
        except DesignInfeasible:
            # Today's nodes cannot take the volume within capacity: compare with them uncapacitated.
            loose = [Site(s.code, s.point, s.fixed_cost) for s in existing]
            today = _solve(origins, loose, [], 0, cost_per_return)
    return Design(
        opened=tuple(c for c in plan.sites if c not in {s.code for s in existing}), plan=plan, today=today
    )
