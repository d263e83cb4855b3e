"""Geometry of the KPI page's reason Pareto chart: the return reasons by units, most first, each
bar with the running share of all units returned; drawn like the returns-per-status chart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from returnflow.entrypoints.web.chart import BAR, BAR_SPACE, LABEL_WIDTH, ROW, WIDTH, Bar, Chart

SHARE_ROOM = 110  # "123 units · 100 %" is wider than a count
CHAR = 8  # about how wide a label's character is at the chart's font size
MAX_LABEL_WIDTH = 260


@dataclass(frozen=True)
class Pareto:
    """The bars (`count` is units) and, per bar, the cumulative share of units returned (0–1)."""

    chart: Chart
    cumulative: list[float]


def reason_pareto(top_reasons: Sequence[Mapping[str, Any]], units_returned: int) -> Pareto:
    """Bars in the given order (the KPIs rank reasons most first), scaled to the largest."""
    most = max((int(r["units"]) for r in top_reasons), default=0)
    bars, cumulative, running = [], [], 0
    for i, r in enumerate(top_reasons):
        units = int(r["units"])
        running += units
        bars.append(
            Bar(
                status=str(r["reason"]),
                label=str(r["label"]),
                count=units,
                y=i * ROW,
                width=max(2, round(BAR_SPACE * units / most)),
            )
        )
        cumulative.append(running / units_returned if units_returned else 0.0)
    longest = max((len(b.label) for b in bars), default=0)
    label_width = min(MAX_LABEL_WIDTH, max(LABEL_WIDTH, CHAR * longest + 12))
    chart = Chart(
        bars=bars,
        width=WIDTH - LABEL_WIDTH + label_width + SHARE_ROOM,
        height=max(len(bars), 1) * ROW,
        label_width=label_width,
        bar_height=BAR,
        total=running,
    )
    return Pareto(chart=chart, cumulative=cumulative)
