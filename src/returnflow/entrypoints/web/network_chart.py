"""Geometry of the network-design SVG: return origins, today's nodes and the sites chosen, on a map grid."""

from __future__ import annotations

import math
from dataclasses import dataclass

from returnflow.services.planning import NetworkReport

WIDTH = 720
HEIGHT = 400
PAD = 24
MAX_RADIUS = 14.0


@dataclass(frozen=True)
class Dot:
    """One origin area: where it sits and how big its circle is."""

    x: float
    y: float
    r: float
    volume: int


@dataclass(frozen=True)
class Mark:
    """One site: existing, opened or not chosen."""

    code: str
    x: float
    y: float
    role: str  # existing | opened | candidate


@dataclass(frozen=True)
class Compare:
    """One figure today and with the design, as bar widths."""

    label: str
    today: str
    design: str
    today_width: int
    design_width: int


@dataclass(frozen=True)
class NetworkChart:
    """Everything the template draws."""

    width: int
    height: int
    dots: list[Dot]
    marks: list[Mark]
    compare: list[Compare]


def _projector(points: list[tuple[float, float]]) -> tuple[float, float, float, float, float]:
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    mid = math.radians((min(lats) + max(lats)) / 2)
    # Equirectangular with the longitude squeezed by cos(mid-latitude): shapes look right at US scale.
    span_x = max((max(lons) - min(lons)) * math.cos(mid), 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    scale = min((WIDTH - 2 * PAD) / span_x, (HEIGHT - 2 * PAD) / span_y)
    return min(lons), max(lats), math.cos(mid), scale, 0.0


def _bar(a: float, b: float) -> tuple[int, int]:
    most = max(abs(a), abs(b)) or 1.0
    return max(2, round(260 * abs(a) / most)), max(2, round(260 * abs(b) / most))


def network_chart(report: NetworkReport, money: str) -> NetworkChart:
    """Project every point onto the SVG; size origins by volume; compare cost and distance."""
    sites = report.points
    everything = [(lat, lon) for lat, lon, _ in report.origin_points] + list(sites.values())
    lon0, lat0, squeeze, scale, _ = _projector(everything)

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return round(PAD + (lon - lon0) * squeeze * scale, 1), round(PAD + (lat0 - lat) * scale, 1)

    top = max((v for _, _, v in report.origin_points), default=1)
    dots = [
        Dot(*xy(lat, lon), round(max(1.5, MAX_RADIUS * math.sqrt(v / top)), 1), v)
        for lat, lon, v in sorted(report.origin_points, key=lambda p: -p[2])
    ]
    design = report.design
    opened = set(design.opened)
    existing = set(design.plan.sites) - opened
    marks = [
        Mark(
            code,
            *xy(*sites[code]),
            "existing" if code in existing else "opened" if code in opened else "candidate",
        )
        for code in sorted(sites)
    ]
    compare: list[Compare] = []
    today = design.today
    if today is not None:
        tw, dw = _bar(today.total_cost, design.plan.total_cost)
        compare.append(
            Compare(
                f"Cost per year ({money})",
                f"{today.total_cost / 100:,.0f}",
                f"{design.plan.total_cost / 100:,.0f}",
                tw,
                dw,
            )
        )
        tw, dw = _bar(today.average_km, design.plan.average_km)
        compare.append(
            Compare(
                "Average distance (km)", f"{today.average_km:,.0f}", f"{design.plan.average_km:,.0f}", tw, dw
            )
        )
    return NetworkChart(WIDTH, HEIGHT, dots, marks, compare)
